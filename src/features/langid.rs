//! whatlang's language detection, with its Latin-script path computed faster.
//!
//! whatlang scores a Latin-script text against each allowed language by looking up every one
//! of the language's 300 profile trigrams in the text's trigram table: with 18 Latin languages
//! allowed, 5,400 hash lookups per document, about 40 µs, the largest single cost of the
//! labeling pass on English text. [`LangDetector`] looks each distinct trigram of the text up
//! once, in one index of all the profiles, which gives its rank in every profile that has it.
//! The distances are the same sums whatlang computes, and the scores, their order and the
//! confidence follow whatlang's code step by step, so the answer is whatlang's (the test
//! `latin_path_matches_whatlang` compares both on thousands of texts). Script detection, the
//! alphabet half of whatlang's combined method, and every other script are whatlang's own code.

use std::collections::HashMap;

use whatlang::dev::{FilterList, LowercaseText, alphabet_latin_calculate_scores};
use whatlang::{Detector, Lang, Script};

use super::latin_profiles::LATIN_PROFILES;
use super::tokenize::PreHashed;

/// whatlang's `MAX_TRIGRAM_DISTANCE`: the distance of a profile trigram the text lacks.
const MAX_TRIGRAM_DISTANCE: i64 = 300;
/// whatlang's `MAX_TOTAL_DISTANCE`.
const MAX_TOTAL_DISTANCE: i64 = MAX_TRIGRAM_DISTANCE * MAX_TRIGRAM_DISTANCE;
/// whatlang's `TEXT_TRIGRAMS_SIZE`: text trigrams ranked at most.
const TEXT_TRIGRAMS_SIZE: usize = 600;

/// What a detection found (the parts of `whatlang::Info` the features use).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detected {
    pub lang: Lang,
    pub script: Script,
    pub confidence: f64,
}

impl From<whatlang::Info> for Detected {
    fn from(info: whatlang::Info) -> Self {
        Detected {
            lang: info.lang(),
            script: info.script(),
            confidence: info.confidence(),
        }
    }
}

/// A language detector restricted to an allow list; `Send + Sync`, built once.
#[derive(Debug, Clone)]
pub struct LangDetector {
    /// whatlang itself, for every script but Latin.
    detector: Detector,
    /// The allow list, for whatlang's alphabet scores.
    filter: FilterList,
    /// The allowed Latin-script languages, in whatlang's profile order.
    latin: Vec<Lang>,
    /// Mixed trigram key (see [`mix`]) to a span of `ranks`.
    index: HashMap<u64, (u32, u32), PreHashed>,
    /// (slot in `latin`, rank in that language's profile).
    ranks: Vec<(u16, u16)>,
    /// Profile lengths, by slot.
    lens: Vec<i64>,
}

impl LangDetector {
    /// A detector choosing among `allow`.
    pub fn new(allow: &[Lang]) -> LangDetector {
        let mut latin = Vec::new();
        let mut lens = Vec::new();
        let mut by_key: HashMap<u64, Vec<(u16, u16)>, PreHashed> = HashMap::default();
        for &(lang, profile) in LATIN_PROFILES {
            if !allow.contains(&lang) {
                continue;
            }
            let slot = latin.len() as u16;
            let chars: Vec<char> = profile.chars().collect();
            for (rank, t) in chars.chunks_exact(3).enumerate() {
                by_key
                    .entry(mix(key(t[0], t[1], t[2])))
                    .or_default()
                    .push((slot, rank as u16));
            }
            latin.push(lang);
            lens.push((chars.len() / 3) as i64);
        }
        // One flat array of ranks, each key's a span of it (the order of the spans is free).
        let mut index = HashMap::with_capacity_and_hasher(by_key.len(), PreHashed::default());
        let mut ranks = Vec::new();
        for (k, r) in by_key {
            index.insert(k, (ranks.len() as u32, r.len() as u32));
            ranks.extend_from_slice(&r);
        }
        LangDetector {
            detector: Detector::with_allowlist(allow.to_vec()),
            filter: FilterList::allow(allow.to_vec()),
            latin,
            index,
            ranks,
            lens,
        }
    }

    /// What `whatlang::Detector::with_allowlist(allow).detect(text)` answers.
    pub fn detect(&self, text: &str) -> Option<Detected> {
        if !self.latin.is_empty() && whatlang::detect_script(text) == Some(Script::Latin) {
            return Some(self.detect_latin(text));
        }
        self.detector.detect(text).map(Detected::from)
    }

    /// whatlang's combined method (alphabet and trigram scores) on Latin-script text.
    fn detect_latin(&self, text: &str) -> Detected {
        let lower = LowercaseText::new(text);
        let (trigram_scores, trigrams_count) = self.trigram_scores(&lower);
        let alphabet = alphabet_latin_calculate_scores(&lower, &self.filter);

        // whatlang `combined::raw_detect`.
        let mut all_langs: Vec<Lang> = alphabet.scores.iter().map(|x| x.0).collect();
        for (lang, _) in &trigram_scores {
            if !all_langs.contains(lang) {
                all_langs.push(*lang);
            }
        }
        let alphabet_weight =
            (-(alphabet.count as f64 / 300.0) + 2.0 / 3.0).clamp(1.0 / 3.0, 2.0 / 3.0);
        let trigram_weight = 1.0 - alphabet_weight;
        let find = |scores: &[(Lang, f64)], lang: Lang| {
            scores.iter().find(|(l, _)| *l == lang).map_or(0.0, |x| x.1)
        };
        let mut scores: Vec<(Lang, f64)> = all_langs
            .into_iter()
            .map(|lang| {
                let a = find(&alphabet.scores, lang);
                let t = find(&trigram_scores, lang);
                (lang, a * alphabet_weight + t * trigram_weight)
            })
            .collect();
        scores.sort_unstable_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Less));

        // whatlang `combined::detect`.
        let (lang, score1) = scores[0];
        let confidence = match scores.get(1) {
            Some(&(_, score2)) => calculate_confidence(score1, score2, trigrams_count),
            None => 1.0,
        };
        Detected {
            lang,
            script: Script::Latin,
            confidence,
        }
    }

    /// whatlang's trigram scores of the allowed Latin languages, best first, and the number of
    /// distinct text trigrams ranked (whatlang `calculate_scores_in_profiles`).
    fn trigram_scores(&self, lower: &str) -> (Vec<(Lang, f64)>, usize) {
        let (mut distances, count) = self.trigram_distances(lower);
        distances.sort_unstable_by_key(|&(_, d)| d);
        let max_dist = count as u32 * MAX_TRIGRAM_DISTANCE as u32;
        let scores = distances
            .into_iter()
            .map(|(lang, d)| (lang, (max_dist - d) as f64 / max_dist as f64))
            .collect();
        (scores, count)
    }

    /// The distance of the lower-cased text to each allowed Latin language's profile, in
    /// profile order, and the number of distinct text trigrams ranked.
    fn trigram_distances(&self, lower: &str) -> (Vec<(Lang, u32)>, usize) {
        // Count the trigrams (whatlang `trigrams::utils::count`): punctuation and digits are
        // spaces, the text is padded with one space each side, and a space between spaces or
        // at an edge makes no trigram.
        let mut grams: Vec<u64> = Vec::with_capacity(lower.len() + 1);
        let mut chars = lower
            .chars()
            .map(|c| if is_stop_char(c) { ' ' } else { c })
            .chain(Some(' '));
        let mut c1 = ' ';
        let mut c2 = chars.next().expect("a space is chained on");
        for c3 in chars {
            if !(c2 == ' ' && (c1 == ' ' || c3 == ' ')) {
                grams.push(key(c1, c2, c3));
            }
            c1 = c2;
            c2 = c3;
        }
        // Rank them: most frequent first, ties by the trigram, descending (whatlang sorts
        // (count, trigram) pairs in reverse; a packed key orders like the trigram).
        grams.sort_unstable();
        let mut counted: Vec<(u32, u64)> = Vec::with_capacity(grams.len());
        for &g in &grams {
            match counted.last_mut() {
                Some((n, last)) if *last == g => *n += 1,
                _ => counted.push((1, g)),
            }
        }
        counted.sort_unstable_by(|a, b| b.cmp(a));
        counted.truncate(TEXT_TRIGRAMS_SIZE);
        let count = counted.len();

        // Distance to a profile: for each profile trigram, the difference of its ranks in the
        // text and in the profile, or MAX_TRIGRAM_DISTANCE when the text lacks it (whatlang
        // `calculate_distance`). Summed here as the all-missing total plus a correction for
        // each trigram both have.
        let mut found = vec![0i64; self.latin.len()];
        for (n, &(_, g)) in counted.iter().enumerate() {
            if let Some(&(start, len)) = self.index.get(&mix(g)) {
                for &(slot, rank) in &self.ranks[start as usize..(start + len) as usize] {
                    found[slot as usize] += (n as i64 - rank as i64).abs() - MAX_TRIGRAM_DISTANCE;
                }
            }
        }
        let distances = self
            .latin
            .iter()
            .zip(&self.lens)
            .zip(&found)
            .map(|((&lang, &len), &found)| {
                let mut total = len * MAX_TRIGRAM_DISTANCE + found;
                if MAX_TRIGRAM_DISTANCE > count as i64 {
                    total -= (MAX_TRIGRAM_DISTANCE - count as i64) * MAX_TRIGRAM_DISTANCE;
                }
                (lang, total.clamp(0, MAX_TOTAL_DISTANCE) as u32)
            })
            .collect();
        (distances, count)
    }
}

/// A trigram as one integer whose order is the trigram's (by first, second, third
/// character).
fn key(c1: char, c2: char, c3: char) -> u64 {
    ((c1 as u64) << 42) | ((c2 as u64) << 21) | c3 as u64
}

/// A [`key`] mixed so its low bits spread, for the pass-through hasher of the index; a
/// bijection, so mixed keys stay distinct.
fn mix(key: u64) -> u64 {
    let x = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 32)
}

/// whatlang's `utils::is_stop_char`: ASCII punctuation, digits and controls.
fn is_stop_char(c: char) -> bool {
    matches!(c, '\u{0000}'..='\u{0040}' | '\u{005B}'..='\u{0060}' | '\u{007B}'..='\u{007E}')
}

/// whatlang's `calculate_confidence`.
fn calculate_confidence(highest_score: f64, second_score: f64, count: usize) -> f64 {
    if highest_score == 0.0 {
        return 0.0;
    }
    if second_score == 0.0 {
        return highest_score;
    }
    let confident_rate = (3.0 / count as f64) + 0.015;
    let rate = (highest_score - second_score) / second_score;
    if rate > confident_rate {
        1.0
    } else {
        rate / confident_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::script::LANGUAGES;
    use crate::features::tokenize::mix64;

    /// Texts for the comparisons: windows of the project's samples (English and Chinese
    /// pages, the lengths whatlang gets here and longer), sentences in the allowed Latin
    /// languages, and random word salads over their letters, punctuation and digits.
    fn texts() -> Vec<String> {
        let mut out = Vec::new();
        let root = env!("CARGO_MANIFEST_DIR");
        for file in ["data/sample.jsonl", "data/genre/genre.csv"] {
            let body = std::fs::read_to_string(format!("{root}/{file}")).expect("project sample");
            let chars: Vec<char> = body.chars().collect();
            for (k, start) in (0..chars.len()).step_by(997).enumerate() {
                let len = [40, 128, 400, 2000][k % 4];
                out.push(
                    chars[start..(start + len).min(chars.len())]
                        .iter()
                        .collect(),
                );
            }
        }
        let sentences = [
            "The patient was given a lower dose and the symptoms improved within two weeks.",
            "Además de todo lo anteriormente dicho, también encontramos la clínica más cercana.",
            "Le traitement a été arrêté après trois semaines, sans effet secondaire notable.",
            "Die Ordnung muss für immer in diesem Krankenhaus bleiben, sagte der Arzt.",
            "O tratamento foi interrompido após três semanas, sem efeitos colaterais.",
            "Il paziente è stato dimesso dopo una settimana di terapia antibiotica.",
            "De patiënt kreeg een lagere dosis en de klachten namen binnen twee weken af.",
            "Pacjent otrzymał mniejszą dawkę i objawy ustąpiły w ciągu dwóch tygodni.",
            "Hasta daha düşük bir doz aldı ve belirtiler iki hafta içinde geriledi.",
            "Bệnh nhân được dùng liều thấp hơn và các triệu chứng đã cải thiện.",
            "Pasien diberi dosis yang lebih rendah dan gejalanya membaik dalam dua minggu.",
            "Patienten fick en lägre dos och symtomen förbättrades inom två veckor.",
            "Pacient dostal nižší dávku a příznaky se během dvou týdnů zlepšily.",
            "Pacientul a primit o doză mai mică, iar simptomele s-au ameliorat.",
            "A beteg kisebb adagot kapott, és a tünetek két héten belül javultak.",
            "Patienten fik en lavere dosis, og symptomerne blev bedre inden for to uger.",
            "Potilas sai pienemmän annoksen ja oireet helpottivat kahdessa viikossa.",
            "Binigyan ang pasyente ng mas mababang dosis at gumaling ang mga sintomas.",
        ];
        out.extend(sentences.iter().map(|s| s.to_string()));
        let words: Vec<&str> = sentences.iter().flat_map(|s| s.split(' ')).collect();
        let extra = [
            "!", "?", "2024", "mg", "ÁÉ", "ß", "—", "www", "e-mail", "…", "x",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for n in 0..1500 {
            let mut t = String::new();
            for _ in 0..(n % 60 + 1) {
                seed = mix64(seed);
                let w = if seed.is_multiple_of(9) {
                    extra[(seed >> 8) as usize % extra.len()]
                } else {
                    words[(seed >> 8) as usize % words.len()]
                };
                t.push_str(w);
                t.push(if seed.is_multiple_of(7) { '\n' } else { ' ' });
            }
            out.push(t);
        }
        out
    }

    #[test]
    fn latin_path_matches_whatlang() {
        let fast = LangDetector::new(LANGUAGES);
        let slow = Detector::with_allowlist(LANGUAGES.to_vec());
        let texts = texts();
        let mut latin = 0;
        for t in &texts {
            let want = slow.detect(t).map(Detected::from);
            let got = fast.detect(t);
            assert_eq!(got, want, "on {t:?}");
            if let Some(d) = got {
                // Bitwise: the confidence is a feature.
                assert_eq!(d.confidence.to_bits(), want.unwrap().confidence.to_bits());
                latin += (d.script == Script::Latin) as usize;
            }
        }
        assert!(
            latin > 2000,
            "{latin} Latin-script texts of {}",
            texts.len()
        );
    }

    #[test]
    fn profile_copy_gives_whatlangs_distances() {
        // Every Latin language allowed, so every profile of the copy is checked.
        let all: Vec<Lang> = LATIN_PROFILES.iter().map(|p| p.0).collect();
        let fast = LangDetector::new(&all);
        assert_eq!(fast.latin.len(), Script::Latin.langs().len());
        assert!(fast.lens.iter().all(|&n| n == MAX_TRIGRAM_DISTANCE));
        let mut compared = 0;
        for t in texts().iter().take(400) {
            let Some(whatlang::dev::RawLangInfo::MultiScript(raw)) =
                whatlang::dev::raw_detect(t).lang_info
            else {
                continue;
            };
            let mut want = raw.trigram_raw_outcome.raw_distances.clone();
            want.sort_unstable_by_key(|&(l, _)| l as usize);
            let mut got = fast.trigram_distances(&LowercaseText::new(t)).0;
            got.sort_unstable_by_key(|&(l, _)| l as usize);
            assert_eq!(got, want, "on {t:?}");
            compared += 1;
        }
        assert!(compared > 300, "{compared} texts compared");
    }

    #[test]
    fn keys_order_like_trigrams() {
        let a = key('a', 'b', 'c');
        assert!(key('a', 'b', 'd') > a && key('a', 'c', ' ') > a && key('b', ' ', ' ') > a);
        assert!(key('\u{10FFFF}', '\u{10FFFF}', '\u{10FFFF}') > key('z', 'z', 'z'));
    }
}
