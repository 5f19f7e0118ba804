//! Stage 2: script shares and language.
//!
//! Script shares are counted directly, one pass over the characters: whatlang picks a script
//! by character count, so a Chinese page carrying English fragments (drug names, URLs) can come
//! back as English or even French. The shares are what the model sees; the whatlang language
//! is reported for people and used to choose per-language word lists.
//!
//! Language detection chooses among the [`LANGUAGES`] most common on the web and runs on a
//! bounded sample (the first [`LANG_SAMPLE_BYTES`] bytes of the
//! dominant script's text) because whatlang's cost grows with the input. Text that is mostly
//! Han is labelled Chinese (`cmn`) without running the trigram model, since whatlang maps all
//! Han-only text to Mandarin anyway; kana turns it into Japanese.

use whatlang::{Lang, Script};

use super::langid::LangDetector;

/// Texts whose sample has fewer letters than this are not handed to whatlang: `und`.
pub const MIN_LETTERS: usize = 24;

/// Bytes of text handed to whatlang at most.
pub const LANG_SAMPLE_BYTES: usize = 128;

/// The languages detection chooses among: the most common languages of the web. Detection's
/// cost grows with the number of candidate languages of a script (each is an alphabet and a
/// trigram profile to compare, though [`super::langid`] compares the profiles in one pass),
/// so a bounded list keeps it off the top of the profile.
pub const LANGUAGES: &[Lang] = &[
    Lang::Eng,
    Lang::Spa,
    Lang::Fra,
    Lang::Deu,
    Lang::Por,
    Lang::Ita,
    Lang::Nld,
    Lang::Pol,
    Lang::Tur,
    Lang::Vie,
    Lang::Ind,
    Lang::Swe,
    Lang::Ces,
    Lang::Ron,
    Lang::Hun,
    Lang::Dan,
    Lang::Fin,
    Lang::Tgl,
    Lang::Rus,
    Lang::Ukr,
    Lang::Bul,
    Lang::Ara,
    Lang::Pes,
    Lang::Urd,
    Lang::Hin,
    Lang::Ben,
    Lang::Tha,
    Lang::Heb,
    Lang::Ell,
    Lang::Kor,
    Lang::Jpn,
    Lang::Cmn,
];

/// A language detector restricted to [`LANGUAGES`].
pub fn detector() -> LangDetector {
    LangDetector::new(LANGUAGES)
}

/// Character class counts over the non-whitespace characters of a text.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ScriptCounts {
    /// Non-whitespace characters.
    pub total: u32,
    pub han: u32,
    pub latin: u32,
    pub cyrillic: u32,
    pub arabic: u32,
    pub kana: u32,
    pub hangul: u32,
    pub digit: u32,
    pub punct: u32,
    /// Letters of any script in upper case.
    pub upper: u32,
    /// Letters with case (upper + lower).
    pub cased: u32,
}

/// Is `c` a CJK unified ideograph (the characters Chinese is written in)?
#[inline]
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF
        | 0x30000..=0x3134F | 0xF900..=0xFAFF)
}

/// Is the character whose UTF-8 starts at `bytes[i]` in U+4E00..=U+9FFF, the main block of CJK
/// unified ideographs and most of any Chinese text? Decided from the first two bytes, without
/// decoding: the block is `E4 B8 80` to `E9 BF BF`. `bytes` must be valid UTF-8 and `i` on a
/// character boundary (a lead byte `E4`..`E9` then has two bytes after it).
#[inline(always)]
pub fn is_han3_at(bytes: &[u8], i: usize) -> bool {
    let b = bytes[i];
    b.wrapping_sub(0xE5) < 5 || (b == 0xE4 && bytes[i + 1] >= 0xB8)
}

/// The character that starts at byte `i` of `text` (`i` on a character boundary). A
/// three-byte sequence (lead byte `E0`..`EF`: Han, kana, Hangul, CJK punctuation, most of
/// Chinese text) is decoded straight from its bits; other lengths by the standard library.
#[inline(always)]
pub fn char_at(text: &str, i: usize) -> char {
    let bytes = text.as_bytes();
    if bytes[i] & 0xF0 == 0xE0 {
        // Valid UTF-8: a three-byte lead is followed by two continuation bytes.
        let c = ((bytes[i] as u32 & 0x0F) << 12)
            | ((bytes[i + 1] as u32 & 0x3F) << 6)
            | (bytes[i + 2] as u32 & 0x3F);
        return char::from_u32(c).expect("a three-byte UTF-8 sequence is a scalar value");
    }
    text[i..]
        .chars()
        .next()
        .expect("i is on a character boundary")
}

#[inline]
fn is_kana(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x31F0..=0x31FF)
}

#[inline]
fn is_hangul(c: char) -> bool {
    matches!(c as u32, 0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F)
}

/// Classes of bytes for [`ScriptCounts::count`]'s ASCII pass.
const C_LOWER: u8 = 0;
const C_UPPER: u8 = 1;
const C_DIGIT: u8 = 2;
const C_PUNCT: u8 = 3;
/// Other non-space ASCII (control characters).
const C_OTHER: u8 = 4;
/// ASCII whitespace.
const C_SPACE: u8 = 5;
/// A byte of a non-ASCII character (counted by the second pass).
const C_HIGH: u8 = 6;
const ASCII_CLASSES: usize = 7;

const ASCII_CLASS: [u8; 256] = {
    let mut t = [C_HIGH; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = match c {
            b'a'..=b'z' => C_LOWER,
            b'A'..=b'Z' => C_UPPER,
            b'0'..=b'9' => C_DIGIT,
            b' ' | b'\n' | b'\t' | b'\r' | 0x0b | 0x0c => C_SPACE,
            _ if c.is_ascii_punctuation() => C_PUNCT,
            _ => C_OTHER,
        };
        b += 1;
    }
    t
};

impl ScriptCounts {
    /// Count the characters of `text`.
    pub fn count(text: &str) -> ScriptCounts {
        let mut s = ScriptCounts::default();
        // ASCII without decoding or branches: one class per byte, counted in four lanes so
        // that runs of one class do not wait on each other's increments.
        let bytes = text.as_bytes();
        let mut lanes = [[0u32; ASCII_CLASSES]; 4];
        let mut quads = bytes.chunks_exact(4);
        for q in &mut quads {
            lanes[0][ASCII_CLASS[q[0] as usize] as usize] += 1;
            lanes[1][ASCII_CLASS[q[1] as usize] as usize] += 1;
            lanes[2][ASCII_CLASS[q[2] as usize] as usize] += 1;
            lanes[3][ASCII_CLASS[q[3] as usize] as usize] += 1;
        }
        for &b in quads.remainder() {
            lanes[0][ASCII_CLASS[b as usize] as usize] += 1;
        }
        let n = |class: u8| lanes.iter().map(|l| l[class as usize]).sum::<u32>();
        let (lower, upper) = (n(C_LOWER), n(C_UPPER));
        s.latin = lower + upper;
        s.cased = lower + upper;
        s.upper = upper;
        s.digit = n(C_DIGIT);
        s.punct = n(C_PUNCT);
        s.total = s.latin + s.digit + s.punct + n(C_OTHER);
        if n(C_HIGH) == 0 {
            return s;
        }
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] < 0x80 {
                i += 1;
                continue;
            }
            if is_han3_at(bytes, i) {
                s.total += 1;
                s.han += 1;
                i += 3;
                continue;
            }
            let c = char_at(text, i);
            i += c.len_utf8();
            if is_han(c) {
                s.total += 1;
                s.han += 1;
                continue;
            }
            if is_plain_punct(c) {
                s.total += 1;
                s.punct += 1;
                continue;
            }
            if c.is_whitespace() {
                continue;
            }
            s.total += 1;
            if is_han(c) {
                s.han += 1;
            } else if is_kana(c) {
                s.kana += 1;
            } else if is_hangul(c) {
                s.hangul += 1;
            } else if c.is_alphabetic() {
                match c as u32 {
                    0x00C0..=0x024F | 0x1E00..=0x1EFF => s.latin += 1,
                    0x0400..=0x052F => s.cyrillic += 1,
                    0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF => s.arabic += 1,
                    _ => {}
                }
                if c.is_uppercase() {
                    s.upper += 1;
                    s.cased += 1;
                } else if c.is_lowercase() {
                    s.cased += 1;
                }
            } else if c.is_numeric() {
                s.digit += 1;
            } else if is_punct(c) {
                s.punct += 1;
            }
        }
        s
    }

    /// Share of `n` among the non-whitespace characters, 0 for empty text.
    pub fn share(&self, n: u32) -> f64 {
        ratio(n as f64, self.total as f64)
    }

    /// Does Han dominate the letters (Chinese page, even with English fragments)?
    pub fn is_mostly_han(&self) -> bool {
        // One Han character carries about as much as a 2-3 letter word: weigh it so.
        self.han > 0 && (self.han as f64) * 2.5 >= self.latin as f64
    }
}

/// Common non-ASCII punctuation that holds no letter, digit or space: the general
/// punctuation block, CJK punctuation and brackets, full-width punctuation. Chinese text has
/// about one such mark in ten characters, and this test spares them the Unicode tables
/// (every character it accepts is [`is_punct`] and not alphanumeric: a test checks each).
#[inline]
pub fn is_plain_punct(c: char) -> bool {
    matches!(c as u32,
        0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3004 | 0x3008..=0x3020
        | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
}

/// Non-ASCII punctuation: general punctuation, CJK punctuation, full-width forms.
#[inline]
pub fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32, 0x2010..=0x205E | 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20
            | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65 | 0x00A1..=0x00BF | 0xFE30..=0xFE4F)
}

/// `num / den`, or 0 when `den` is 0; never NaN.
#[inline]
pub fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 { num / den } else { 0.0 }
}

/// The language of a text as contentq reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LangInfo {
    /// ISO 639-3 code from whatlang (`eng`, `cmn`, ...), or `und` when undetermined.
    pub code: &'static str,
    /// whatlang's confidence in [0, 1]; 0 when undetermined.
    pub confidence: f64,
    /// Our two-way call for choosing word lists: Chinese when Han dominates the letters.
    pub is_chinese: bool,
}

/// Detect the language of `text` given its script counts.
pub fn detect_language(detector: &LangDetector, text: &str, counts: &ScriptCounts) -> LangInfo {
    if counts.is_mostly_han() {
        // whatlang maps Han-only text to Mandarin; kana makes it Japanese.
        let (code, conf) = if counts.kana * 4 > counts.han {
            ("jpn", 1.0)
        } else {
            ("cmn", counts.share(counts.han).clamp(0.5, 1.0))
        };
        return LangInfo {
            code,
            confidence: conf,
            is_chinese: code == "cmn",
        };
    }
    let sample = sample_prefix(text, LANG_SAMPLE_BYTES);
    // whatlang cannot tell a language from a few letters (17.5% right on single English
    // words) and costs the same tens of microseconds on them as on a paragraph.
    if sample
        .chars()
        .filter(|c| c.is_alphabetic())
        .take(MIN_LETTERS)
        .count()
        < MIN_LETTERS
    {
        return LangInfo {
            code: "und",
            confidence: 0.0,
            is_chinese: false,
        };
    }
    match detector.detect(sample) {
        Some(info) => LangInfo {
            code: info.lang.code(),
            confidence: finite01(info.confidence),
            is_chinese: info.lang == Lang::Cmn && info.script == Script::Mandarin,
        },
        None => LangInfo {
            code: "und",
            confidence: 0.0,
            is_chinese: false,
        },
    }
}

/// At most `max` bytes of `text`, ending on a char boundary, taken from the first line that
/// looks like prose (80 bytes or more), so that a menu line ("Home | Treatments | Book
/// Now") or a title does not decide the language; texts without such a line are sampled
/// from their first line with a letter.
pub fn sample_prefix(text: &str, max: usize) -> &str {
    let mut offset = 0;
    let mut start = None;
    for line in text.split('\n') {
        if line.trim().len() >= 80 {
            start = Some(offset + (line.len() - line.trim_start().len()));
            break;
        }
        offset += line.len() + 1;
    }
    let start = start.unwrap_or_else(|| {
        text.find(|c: char| c.is_alphabetic())
            .map(|i| text[..i].rfind('\n').map_or(0, |n| n + 1))
            .unwrap_or(0)
    });
    let t = &text[start..];
    if t.len() <= max {
        return t;
    }
    let mut end = max;
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    &t[..end]
}

#[inline]
fn finite01(x: f64) -> f64 {
    if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII counts as a plain loop over the characters would make them.
    fn ascii_reference(text: &str) -> (u32, u32, u32, u32, u32) {
        let (mut total, mut latin, mut upper, mut digit, mut punct) = (0, 0, 0, 0, 0);
        for b in text.bytes().filter(u8::is_ascii) {
            if matches!(b, b' ' | b'\n' | b'\t' | b'\r' | 0x0b | 0x0c) {
                continue;
            }
            total += 1;
            latin += b.is_ascii_alphabetic() as u32;
            upper += b.is_ascii_uppercase() as u32;
            digit += b.is_ascii_digit() as u32;
            punct += b.is_ascii_punctuation() as u32;
        }
        (total, latin, upper, digit, punct)
    }

    #[test]
    fn han3_is_the_main_ideograph_block() {
        // Every character of three UTF-8 bytes, and texts with it after other characters.
        for c in ('\u{800}'..='\u{FFFF}').filter(|c| c.len_utf8() == 3) {
            let mut buf = [0u8; 4];
            let b = c.encode_utf8(&mut buf).as_bytes();
            assert_eq!(
                is_han3_at(b, 0),
                ('\u{4E00}'..='\u{9FFF}').contains(&c),
                "{c:?}"
            );
            assert!(!is_han3_at(b, 0) || is_han(c), "{c:?}");
        }
        for text in ["a中", "é一", "😀鿿", "\u{4DFF}\u{4E00}"] {
            let last = text.char_indices().last().unwrap();
            assert!(is_han3_at(text.as_bytes(), last.0), "{text}");
            assert_eq!(char_at(text, last.0), last.1);
            assert!(!is_han3_at(text.as_bytes(), 0), "{text}");
        }
    }

    #[test]
    fn char_at_decodes_every_character() {
        // Every scalar value, alone and after characters of each UTF-8 length.
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            assert_eq!(char_at(c.encode_utf8(&mut buf), 0), c, "{c:?}");
        }
        for text in ["a中", "é一", "😀鿿", "中é", "一😀x"] {
            for (i, c) in text.char_indices() {
                assert_eq!(char_at(text, i), c, "{text}");
            }
        }
    }

    #[test]
    fn ascii_lanes_count_every_byte_once() {
        let all: String = (0u8..128).map(char::from).collect();
        let texts = [
            String::new(),
            "a".to_string(),
            "abc".to_string(),
            "Hello, World! 123\r\n\x0b\x0c\x7f".to_string(),
            all.clone(),
            all.repeat(3) + "xy",
            "中文 Ab,1".repeat(5),
        ];
        for t in &texts {
            let c = ScriptCounts::count(t);
            let (total, latin, upper, digit, punct) = ascii_reference(t);
            let non_ascii = t
                .chars()
                .filter(|c| !c.is_ascii() && !c.is_whitespace())
                .count();
            assert_eq!(c.total as usize, total as usize + non_ascii, "{t:?}");
            assert_eq!((c.latin, c.upper, c.cased), (latin, upper, latin), "{t:?}");
            assert_eq!((c.digit, c.punct), (digit, punct), "{t:?}");
        }
    }

    #[test]
    fn plain_punct_holds_no_letter_digit_or_space() {
        let mut n = 0;
        for c in (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_plain_punct(c))
        {
            n += 1;
            assert!(is_punct(c), "{c:?} {:x}", c as u32);
            assert!(
                !c.is_alphanumeric() && !c.is_whitespace(),
                "{c:?} {:x}",
                c as u32
            );
            assert!(!is_han(c) && !is_kana(c) && !is_hangul(c), "{c:?}");
        }
        assert!(n > 100);
        for c in [
            '，', '。', '、', '“', '”', '（', '）', '：', '；', '！', '？', '《', '》', '【', '】',
        ] {
            assert!(is_plain_punct(c), "{c}");
        }
    }

    /// The counts as one loop over every character makes them, without the fast paths.
    fn counted_reference(text: &str) -> ScriptCounts {
        let mut s = ScriptCounts::default();
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            s.total += 1;
            if is_han(c) {
                s.han += 1;
            } else if is_kana(c) {
                s.kana += 1;
            } else if is_hangul(c) {
                s.hangul += 1;
            } else if c.is_alphabetic() {
                match c as u32 {
                    0x41..=0x5A | 0x61..=0x7A | 0x00C0..=0x024F | 0x1E00..=0x1EFF => s.latin += 1,
                    0x0400..=0x052F => s.cyrillic += 1,
                    0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF => s.arabic += 1,
                    _ => {}
                }
                if c.is_uppercase() {
                    s.upper += 1;
                    s.cased += 1;
                } else if c.is_lowercase() {
                    s.cased += 1;
                }
            } else if c.is_numeric() {
                s.digit += 1;
            } else if is_punct(c) {
                s.punct += 1;
            }
        }
        s
    }

    #[test]
    fn fast_paths_count_what_the_plain_loop_counts() {
        let alphabet = "aZ9 ,.\n\t中文丁一鿿㐀丶\u{4DFF}가あЖжé\u{3000}，。😀\u{200B}ﬁ٣";
        let texts = crate::features::random_texts(alphabet, 400, 0x9e37_79b9_7f4a_7c15);
        for t in &texts {
            assert_eq!(ScriptCounts::count(t), counted_reference(t), "{t:?}");
        }
        assert!(texts.iter().any(|t| ScriptCounts::count(t).han > 20));
    }

    #[test]
    fn counts_scripts() {
        let c = ScriptCounts::count("Ab 中文, 1 Ж!");
        assert_eq!(c.total, 8);
        assert_eq!(c.latin, 2);
        assert_eq!(c.han, 2);
        assert_eq!(c.cyrillic, 1);
        assert_eq!(c.digit, 1);
        assert_eq!(c.punct, 2);
        assert_eq!(c.upper, 2);
        assert_eq!(c.cased, 3);
    }

    #[test]
    fn empty_text_has_zero_shares() {
        let c = ScriptCounts::count("");
        assert_eq!(c.share(c.han), 0.0);
        assert!(!c.is_mostly_han());
    }

    #[test]
    fn chinese_with_english_fragments_is_chinese() {
        let d = detector();
        let text = "干细胞治疗 stem cell therapy NK cell 哪个医院可以打干细胞";
        let c = ScriptCounts::count(text);
        let l = detect_language(&d, text, &c);
        assert_eq!(l.code, "cmn");
        assert!(l.is_chinese);
    }

    #[test]
    fn english_is_detected() {
        let d = detector();
        let text = "Recombinant interleukin-2 is a medicine that helps the immune system fight some cancers.";
        let c = ScriptCounts::count(text);
        let l = detect_language(&d, text, &c);
        assert_eq!(l.code, "eng");
        assert!(l.confidence > 0.0 && l.confidence <= 1.0);
    }

    #[test]
    fn no_letters_is_undetermined() {
        let d = detector();
        let c = ScriptCounts::count("12345 !!!");
        let l = detect_language(&d, "12345 !!!", &c);
        assert_eq!(l.code, "und");
        assert_eq!(l.confidence, 0.0);
    }

    #[test]
    fn sample_skips_menus_and_titles() {
        let text = "Home | Treatments | Book Now\nThe Clinic\nMigraine is a common headache disorder that affects about one in seven adults worldwide.";
        assert!(sample_prefix(text, 128).starts_with("Migraine is"));
        assert_eq!(
            sample_prefix("Short title\nshort body", 128),
            "Short title\nshort body"
        );
    }

    #[test]
    fn sample_respects_char_boundaries() {
        let s = "中".repeat(200);
        let p = sample_prefix(&s, 10);
        assert_eq!(p.len(), 9);
    }
}
