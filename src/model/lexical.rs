//! Lexical evidence as one learned feature over hashed word n-grams: by default the margin of
//! a sparse logistic regression over n-gram presence (`lr`), or naive-Bayes log-count ratios
//! averaged over the document (`nb`, Wang and Manning 2012).
//!
//! A bag-of-words model with thousands of columns in the main model would make every score
//! hard to explain. Here the whole vocabulary is folded into one column, `lexical_words`,
//! whose weight the logistic model learns like any other, and the table keeps only n-grams
//! that carry across sources:
//!
//! - each n-gram (word unigram or bigram, lower-cased; for Chinese, character unigrams and
//!   bigrams) counts once per document;
//! - it must occur in at least `min_docs` documents and in at least `min_groups` different
//!   groups (sources; without groups every document is its own group), so that a site's own
//!   boilerplate cannot enter the table;
//! - `lr`: a logistic regression (AdaGrad, L2, fixed shuffling seed) over those n-grams, each
//!   document a presence vector normalised to unit length; the `max_entries` largest weights
//!   are kept. `nb`: the `max_entries` largest |log-count ratios|.
//!
//! The feature value does not grow with length: `lr` divides the summed weights by the
//! square root of the document's distinct n-grams, `nb` takes the mean ratio over all its
//! n-grams (those missing from the table count 0). During training it is computed out of fold
//! (see `train.rs`), so the main fit never sees a table built from the same rows.
//!
//! In the comparison of `make compare`, `lr` is the better of the two on held-out
//! publishers and in-distribution data; `nb` transfers a little better from the real data to
//! the written genre corpus. `train --lexical-method` chooses.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::features::tokenize::HashMap64;

/// Name of the lexical feature in model files.
pub const LEXICAL_WORDS: &str = "lexical_words";

/// How to build a table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LexicalParams {
    pub min_docs: u32,
    pub min_groups: u32,
    pub max_entries: usize,
    /// Additive smoothing (naive Bayes).
    pub alpha: f64,
    /// `nb`: naive-Bayes log-count ratios, averaged; `lr`: a sparse logistic regression over
    /// the kept n-grams (presence, L2-normalised), its margin as the feature.
    #[serde(default = "default_method")]
    pub method: String,
    /// L2 strength of the sparse logistic regression (per document).
    #[serde(default = "default_l2")]
    pub l2: f64,
    /// Passes of the sparse logistic regression over the documents.
    #[serde(default = "default_epochs")]
    pub epochs: u32,
}

fn default_method() -> String {
    "lr".into()
}
fn default_l2() -> f64 {
    1e-5
}
fn default_epochs() -> u32 {
    5
}

impl Default for LexicalParams {
    fn default() -> Self {
        LexicalParams {
            min_docs: 3,
            min_groups: 2,
            max_entries: 20_000,
            alpha: 1.0,
            method: default_method(),
            l2: default_l2(),
            epochs: default_epochs(),
        }
    }
}

/// One kept n-gram.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LexicalEntry {
    /// Hash of the n-gram (as produced by the tokenizer), in hex.
    pub hash: String,
    /// Log-count ratio: positive leans to the positive class.
    pub ratio: f32,
    /// The n-gram as first seen in training, for explanations.
    pub text: String,
}

/// A fitted table, as stored in the model file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LexicalTable {
    pub params: LexicalParams,
    pub entries: Vec<LexicalEntry>,
}

/// A table ready for lookups.
#[derive(Debug, Clone)]
pub struct LexicalIndex {
    /// Logistic-regression weights (score by normalised sum) rather than ratios (mean).
    lr: bool,
    /// N-gram hash to (weight or ratio, entry index in the table).
    map: HashMap64<(f32, u32)>,
    /// One bit per [`FILTER_BITS`]-bit slice of a hash, set for the table's n-grams: most
    /// n-grams of a document are in no table, and this 32 KB filter answers them without
    /// touching the map.
    filter: Vec<u64>,
    table: Option<LexicalTable>,
}

/// log2 of the filter's bits (2^18 bits: 32 KB; about 7% false positives for 20,000 entries).
const FILTER_BITS: u32 = 18;

#[inline]
fn filter_bit(h: u64) -> usize {
    (h >> (64 - FILTER_BITS)) as usize
}

/// 1 when `filter` has the bit of hash `h` set, else 0 (a number, so that callers can count
/// with it without a branch).
#[inline]
fn in_filter(filter: &[u64], h: u64) -> u64 {
    let b = filter_bit(h);
    filter[b / 64] >> (b % 64) & 1
}

/// Training documents for a table: their n-gram hashes, labels, groups and n-gram texts.
pub struct LexicalDoc<'a> {
    pub grams: &'a [u64],
    pub positive: bool,
    pub group: u32,
    /// Times the document counts.
    pub weight: u32,
}

impl LexicalTable {
    /// Build a table from documents. Entries get their readable text from
    /// [`LexicalTable::set_names`].
    pub fn fit(docs: &[LexicalDoc<'_>], params: LexicalParams) -> LexicalTable {
        #[derive(Default, Clone)]
        struct Stat {
            pos: u32,
            neg: u32,
            groups: u32,
            last_group: u32,
            group_seen: bool,
        }
        let mut stats: HashMap64<Stat> = HashMap64::default();
        let (mut n_pos, mut n_neg) = (0f64, 0f64);
        let mut seen = crate::features::tokenize::HashSet64::default();
        // Docs are visited grouped by group id so that group counting is cheap.
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| docs[i].group);
        for &i in &order {
            let d = &docs[i];
            let w = d.weight.max(1);
            if d.positive {
                n_pos += w as f64;
            } else {
                n_neg += w as f64;
            }
            seen.clear();
            for &g in d.grams {
                if !seen.insert(g) {
                    continue;
                }
                let s = stats.entry(g).or_default();
                if d.positive {
                    s.pos += w;
                } else {
                    s.neg += w;
                }
                if !s.group_seen || s.last_group != d.group {
                    s.groups += 1;
                    s.last_group = d.group;
                    s.group_seen = true;
                }
            }
        }
        let a = params.alpha;
        if params.method == "lr" {
            let vocab: Vec<(u64, u32)> = stats
                .iter()
                .filter(|(_, s)| s.pos + s.neg >= params.min_docs && s.groups >= params.min_groups)
                .map(|(g, s)| (*g, s.pos + s.neg))
                .collect();
            return fit_lr(docs, vocab, params);
        }
        let kept: Vec<(u64, f64, u32)> = stats
            .into_iter()
            .filter(|(_, s)| s.pos + s.neg >= params.min_docs && s.groups >= params.min_groups)
            .map(|(g, s)| {
                // Document-frequency ratio with additive smoothing.
                let p = (s.pos as f64 + a) / (n_pos + 2.0 * a);
                let q = (s.neg as f64 + a) / (n_neg + 2.0 * a);
                (g, (p / q).ln(), s.pos + s.neg)
            })
            .collect();
        strongest(kept, params)
    }

    /// Hashes of the entries.
    pub fn hashes(&self) -> Vec<u64> {
        self.entries
            .iter()
            .filter_map(|e| u64::from_str_radix(&e.hash, 16).ok())
            .collect()
    }

    /// Give entries their readable n-gram text.
    pub fn set_names(&mut self, names: &HashMap<u64, String>) {
        for e in &mut self.entries {
            if let Ok(h) = u64::from_str_radix(&e.hash, 16)
                && let Some(n) = names.get(&h)
            {
                e.text = n.clone();
            }
        }
    }

    /// Build the lookup index. Fails on a malformed hash.
    pub fn index(self) -> Result<LexicalIndex, String> {
        let mut map = HashMap64::default();
        for (i, e) in self.entries.iter().enumerate() {
            let h = u64::from_str_radix(&e.hash, 16)
                .map_err(|_| format!("lexical entry {i} has a bad hash `{}`", e.hash))?;
            if !e.ratio.is_finite() || (e.ratio as f64).abs() > super::MAX_WEIGHT {
                return Err(format!("lexical entry {i} has a non-finite or huge weight"));
            }
            map.insert(h, (e.ratio, i as u32));
        }
        let mut filter = vec![0u64; (1 << FILTER_BITS) / 64];
        for &h in map.keys() {
            let b = filter_bit(h);
            filter[b / 64] |= 1 << (b % 64);
        }
        Ok(LexicalIndex {
            lr: self.params.method == "lr",
            map,
            filter,
            table: Some(self),
        })
    }
}

/// Sparse logistic regression (AdaGrad, fixed seed) over n-gram presence, each document's
/// vector L2-normalised over its distinct n-grams.
fn fit_lr(
    docs: &[LexicalDoc<'_>],
    mut vocab: Vec<(u64, u32)>,
    params: LexicalParams,
) -> LexicalTable {
    vocab.sort_by_key(|v| v.0);
    let index: HashMap64<u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, v)| (v.0, i as u32))
        .collect();
    let mut seen = crate::features::tokenize::HashSet64::default();
    let rows: Vec<(Vec<u32>, f64, f64, f64)> = docs
        .iter()
        .map(|d| {
            seen.clear();
            let mut idx = Vec::new();
            for &g in d.grams {
                if seen.insert(g)
                    && let Some(&i) = index.get(&g)
                {
                    idx.push(i);
                }
            }
            let norm = 1.0 / (seen.len().max(1) as f64).sqrt();
            let y = if d.positive { 1.0 } else { 0.0 };
            (idx, norm, y, d.weight.max(1) as f64)
        })
        .collect();
    let n = vocab.len();
    let mut w = vec![0.0f64; n];
    let mut g2 = vec![1e-8f64; n];
    let (mut b, mut b2) = (0.0f64, 1e-8f64);
    let eta = 0.5;
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..params.epochs {
        for i in (1..order.len()).rev() {
            rng = crate::features::tokenize::mix64(rng.wrapping_add(i as u64));
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        for &r in &order {
            let (idx, norm, y, weight) = &rows[r];
            let z = b + idx.iter().map(|&i| w[i as usize]).sum::<f64>() * norm;
            let err = (super::sigmoid(z) - y) * weight;
            for &i in idx {
                let i = i as usize;
                let grad = err * norm + params.l2 * w[i];
                g2[i] += grad * grad;
                w[i] -= eta * grad / g2[i].sqrt();
            }
            b2 += err * err;
            b -= eta * err / b2.sqrt();
        }
    }
    let kept: Vec<(u64, f64, u32)> = vocab
        .iter()
        .zip(&w)
        .filter(|(_, w)| w.abs() > 1e-6)
        .map(|((g, support), w)| (*g, *w, *support))
        .collect();
    strongest(kept, params)
}

/// The table of the `max_entries` strongest (hash, weight, support) triples: largest |weight|
/// first, ties by support then hash so the table is deterministic, stored by hash.
fn strongest(mut kept: Vec<(u64, f64, u32)>, params: LexicalParams) -> LexicalTable {
    kept.sort_by(|x, y| {
        y.1.abs()
            .total_cmp(&x.1.abs())
            .then(y.2.cmp(&x.2))
            .then(x.0.cmp(&y.0))
    });
    kept.truncate(params.max_entries);
    kept.sort_by_key(|k| k.0);
    LexicalTable {
        params,
        entries: kept
            .into_iter()
            .map(|(g, r, _)| LexicalEntry {
                hash: format!("{g:016x}"),
                ratio: r as f32,
                text: String::new(),
            })
            .collect(),
    }
}

impl LexicalIndex {
    /// The weight (or ratio) and entry index of an n-gram, if the table has it.
    #[inline]
    fn get(&self, g: u64) -> Option<(f32, u32)> {
        if in_filter(&self.filter, g) == 0 {
            return None;
        }
        self.map.get(&g).copied()
    }

    /// The document's lexical score: for `nb` the mean ratio over its n-grams, for `lr` the
    /// sum of the weights of its distinct n-grams over the square root of their number (0 for
    /// a document without any).
    pub fn score(&self, grams: &[u64]) -> f64 {
        self.score_explained(grams, 0).0
    }

    /// The score and, when `k` > 0, the `k` n-grams of the document that moved it most with
    /// their weights, strongest first; one lookup per distinct n-gram serves both.
    pub fn score_explained(&self, grams: &[u64], k: usize) -> (f64, Vec<(String, f32)>) {
        self.score_counted(grams, None, k)
    }

    /// [`LexicalIndex::score_explained`] for n-grams whose number of distinct hashes is
    /// known (`Analysis::distinct_grams`): only the n-grams in the table are then deduplicated,
    /// not every n-gram of the document. The values are the same.
    pub fn score_counted(
        &self,
        grams: &[u64],
        distinct: Option<usize>,
        k: usize,
    ) -> (f64, Vec<(String, f32)>) {
        if grams.is_empty() {
            return (0.0, Vec::new());
        }
        let mut distinct_sum = 0.0;
        // The strongest `k` n-grams so far, kept as they come: (first-seen rank, entry,
        // weight), strongest first, ties by text, then by first occurrence (the order a stable
        // sort of every hit gives).
        let table = self.table.as_ref().filter(|_| k > 0);
        let mut top: Vec<(u32, u32, f32)> = Vec::new();
        let mut seen = 0u32;
        let mut hit = |r: f32, i: u32| {
            distinct_sum += r as f64;
            if let Some(table) = table {
                let text = |i: u32| table.entries[i as usize].text.as_str();
                super::offer_first_k(&mut top, k, (seen, i, r), |a, b| {
                    (b.2.abs().total_cmp(&a.2.abs()))
                        .then_with(|| text(a.1).cmp(text(b.1)))
                        .then(a.0.cmp(&b.0))
                });
                seen += 1;
            }
        };
        // `lr` scores distinct n-grams and the reasons list each once; `nb` without reasons
        // needs neither.
        let distinct = if !(self.lr || k > 0) {
            0
        } else if let Some(distinct) = distinct {
            // Only the n-grams in the table need deduplicating, and only those the filter
            // passes can be: they are picked out first, without a branch per n-gram (whether
            // one passes follows no pattern a predictor could learn).
            let bound = grams.len().min(self.map.len());
            with_filtered(grams, &self.filter, |passed| {
                for_each_distinct(
                    passed,
                    bound,
                    |g| self.map.get(&g).copied(),
                    |(r, i)| hit(r, i),
                )
            });
            distinct
        } else {
            for_each_distinct(grams, grams.len(), Some, |g| {
                if let Some((r, i)) = self.get(g) {
                    hit(r, i);
                }
            })
        };
        let score = if self.lr {
            distinct_sum / (distinct as f64).sqrt()
        } else {
            let sum: f64 = grams
                .iter()
                .filter_map(|&g| self.get(g))
                .map(|(r, _)| r as f64)
                .sum();
            sum / grams.len() as f64
        };
        let top = match table {
            // Strings only for the k shown.
            Some(table) => top
                .into_iter()
                .map(|(_, i, r)| (table.entries[i as usize].text.clone(), r))
                .collect(),
            None => Vec::new(),
        };
        (score, top)
    }

    /// The table this index was built from.
    pub fn table(&self) -> Option<&LexicalTable> {
        self.table.as_ref()
    }
}

thread_local! {
    /// Per-thread scratch for [`for_each_distinct`] (the scoring pass runs on a rayon pool).
    static DISTINCT: std::cell::RefCell<crate::features::table::CountTable> =
        std::cell::RefCell::new(crate::features::table::CountTable::default());
    /// Per-thread scratch for [`with_filtered`].
    static FILTERED: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Call `f` with the n-grams of `grams` whose bit `filter` has set, in their order. Every
/// n-gram is written and the count moves on for those that pass, so the pass has no branch
/// per n-gram.
fn with_filtered<R>(grams: &[u64], filter: &[u64], f: impl FnOnce(&[u64]) -> R) -> R {
    FILTERED.with(|buf| {
        let mut buf = buf.borrow_mut();
        if buf.len() < grams.len() {
            buf.resize(grams.len(), 0);
        }
        let mut n = 0;
        for &g in grams {
            buf[n] = g;
            n += in_filter(filter, g) as usize;
        }
        f(&buf[..n])
    })
}

/// Call `f` once per distinct hash of `grams` that `pick` accepts, with what `pick` gave, in
/// first-seen order; returns how many distinct hashes were accepted (at most `bound`).
/// Reuses a per-thread table: a fresh hash set per document cost a tenth of the labeling pass
/// in allocation and rehashing.
fn for_each_distinct<T>(
    grams: &[u64],
    bound: usize,
    mut pick: impl FnMut(u64) -> Option<T>,
    mut f: impl FnMut(T),
) -> usize {
    DISTINCT.with(|t| {
        let mut t = t.borrow_mut();
        t.reset(bound);
        for &g in grams {
            if let Some(x) = pick(g)
                && t.add(g) == 1
            {
                f(x);
            }
        }
        t.len()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_follow_classes_and_groups() {
        // n-gram 1 is promotional in two groups; n-gram 2 only in one group; 3 is neutral.
        let d = |grams: &'static [u64], positive, group| LexicalDoc {
            grams,
            positive,
            group,
            weight: 1,
        };
        let docs = vec![
            d(&[1, 3], true, 0),
            d(&[1, 2, 3], true, 1),
            d(&[1, 2], true, 1),
            d(&[3], false, 0),
            d(&[3, 4], false, 1),
            d(&[4], false, 2),
        ];
        let params = LexicalParams {
            min_docs: 2,
            min_groups: 2,
            ..Default::default()
        };
        let t = LexicalTable::fit(&docs, params);
        let idx = t.index().unwrap();
        assert!(idx.map[&1].0 > 0.5);
        assert!(
            !idx.map.contains_key(&2),
            "single-group n-gram must be dropped"
        );
        assert!(idx.map[&4].0 < 0.0);
        assert!(idx.score(&[1, 1]) > idx.score(&[4, 4]));
        assert_eq!(idx.score(&[]), 0.0);
    }

    #[test]
    fn filter_never_hides_an_entry() {
        let mix = crate::features::tokenize::mix64;
        let entries = (1..=5000u64)
            .map(|k| LexicalEntry {
                hash: format!("{:016x}", mix(k)),
                ratio: (k % 7) as f32 - 3.0,
                text: String::new(),
            })
            .collect();
        let idx = LexicalTable {
            params: LexicalParams::default(),
            entries,
        }
        .index()
        .unwrap();
        for k in 1..=5000u64 {
            assert_eq!(idx.get(mix(k)), Some(((k % 7) as f32 - 3.0, k as u32 - 1)));
        }
        // Keys outside the table: never found, most turned away by the filter alone.
        let mut passed = 0;
        for k in 5001..25_001u64 {
            let h = mix(k);
            assert_eq!(idx.get(h), None);
            passed += in_filter(&idx.filter, h) as u32;
        }
        assert!(
            passed < 1000,
            "{passed} of 20000 absent keys passed the filter"
        );
    }

    #[test]
    fn top_ngrams_are_the_head_of_the_full_ranking() {
        // 60 entries whose weights and texts repeat, so that ranks tie on weight, on text,
        // and on both (then the first occurrence in the document decides).
        let weights = [2.0f32, -2.0, 1.0, -0.5, 0.5];
        let entries: Vec<LexicalEntry> = (0..60u64)
            .map(|h| LexicalEntry {
                hash: format!("{:016x}", h + 1),
                ratio: weights[(h % 5) as usize],
                text: format!("w{}", h % 7),
            })
            .collect();
        let t = LexicalTable {
            params: LexicalParams::default(),
            entries,
        };
        let idx = t.index().unwrap();
        let grams: Vec<u64> = (0..200u64).map(|i| (i * 37) % 70 + 1).collect();
        let (_, all) = idx.score_explained(&grams, usize::MAX);
        assert_eq!(all.len(), 60);
        for w in all.windows(2) {
            assert!(
                w[0].1.abs() > w[1].1.abs() || w[0].1.abs() == w[1].1.abs() && w[0].0 <= w[1].0
            );
        }
        for k in 0..62 {
            let (_, top) = idx.score_explained(&grams, k);
            assert_eq!(top[..], all[..k.min(all.len())], "k={k}");
        }
    }

    #[test]
    fn lr_score_counts_each_ngram_once_and_reasons_agree() {
        let entry = |h: u64, r: f32, t: &str| LexicalEntry {
            hash: format!("{h:016x}"),
            ratio: r,
            text: t.into(),
        };
        let t = LexicalTable {
            params: LexicalParams::default(),
            entries: vec![
                entry(10, 2.0, "free"),
                entry(20, -1.0, "study"),
                entry(30, 0.5, "now"),
            ],
        };
        assert_eq!(t.params.method, "lr");
        let idx = t.index().unwrap();
        // Distinct n-grams 10, 20, 40: weights 2 - 1 + 0 over sqrt(3); repeats do not count.
        let grams = [10, 10, 20, 40, 10];
        let want = 1.0 / 3f64.sqrt();
        assert!((idx.score(&grams) - want).abs() < 1e-12);
        let (score, top) = idx.score_explained(&grams, 2);
        assert_eq!(score, idx.score(&grams));
        assert_eq!(
            top,
            vec![("free".to_string(), 2.0), ("study".to_string(), -1.0)]
        );
        assert_eq!(
            idx.score_explained(&grams, 1).1,
            vec![("free".to_string(), 2.0)]
        );
        assert!(idx.score_explained(&grams, 0).1.is_empty());
        // Given the number of distinct n-grams (10, 20, 40), the same score and reasons.
        for k in 0..3 {
            assert_eq!(
                idx.score_counted(&grams, Some(3), k),
                idx.score_explained(&grams, k)
            );
        }
    }
}
