//! Lexical evidence as one learned feature: naive-Bayes log-count ratios over hashed word
//! n-grams (Wang and Manning 2012), averaged over a document's n-grams.
//!
//! A bag-of-words model with thousands of columns would memorise publishers (that is how
//! TF-IDF reaches 0.99 on dev and near chance on unseen sites). Here the whole vocabulary is
//! folded into one column, `lexical_words`, whose weight the logistic model learns like any
//! other, and the table keeps only n-grams that carry across sources:
//!
//! - each n-gram (word unigram or bigram, lower-cased; jieba words for Chinese) counts once
//!   per document;
//! - it must occur in at least `min_docs` documents and, when the training data has groups
//!   (sources), in at least `min_groups` different groups, so a site's own boilerplate cannot
//!   enter the table;
//! - of those, the `max_entries` with the largest |ratio| are kept.
//!
//! The feature value of a document is the mean ratio over all its n-grams (those missing from
//! the table count 0), so it does not grow with length. During training it is computed out of
//! fold (see `train.rs`) so the logistic fit never sees a table built from the same rows.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::features::tokenize::HashMap64;

/// Name of the lexical feature in model files.
pub const LEXICAL_WORDS: &str = "lexical_words";

/// How to build a table.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct LexicalParams {
    pub min_docs: u32,
    pub min_groups: u32,
    pub max_entries: usize,
    /// Additive smoothing.
    pub alpha: f64,
}

impl Default for LexicalParams {
    fn default() -> Self {
        LexicalParams {
            min_docs: 3,
            min_groups: 2,
            max_entries: 20_000,
            alpha: 1.0,
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
#[derive(Debug, Clone, Default)]
pub struct LexicalIndex {
    map: HashMap64<f32>,
    text: HashMap64<usize>,
    table: Option<LexicalTable>,
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
        let mut kept: Vec<(u64, f64, u32)> = stats
            .into_iter()
            .filter(|(_, s)| s.pos + s.neg >= params.min_docs && s.groups >= params.min_groups)
            .map(|(g, s)| {
                // Document-frequency ratio with additive smoothing.
                let p = (s.pos as f64 + a) / (n_pos + 2.0 * a);
                let q = (s.neg as f64 + a) / (n_neg + 2.0 * a);
                (g, (p / q).ln(), s.pos + s.neg)
            })
            .collect();
        // Largest |ratio| first; ties by support then hash, so the table is deterministic.
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
        let mut text = HashMap64::default();
        for (i, e) in self.entries.iter().enumerate() {
            let h = u64::from_str_radix(&e.hash, 16)
                .map_err(|_| format!("lexical entry {i} has a bad hash `{}`", e.hash))?;
            if !e.ratio.is_finite() {
                return Err(format!("lexical entry {i} has a non-finite ratio"));
            }
            map.insert(h, e.ratio);
            text.insert(h, i);
        }
        Ok(LexicalIndex {
            map,
            text,
            table: Some(self),
        })
    }
}

impl LexicalIndex {
    /// Mean ratio over the document's n-grams (0 for a document without any).
    pub fn score(&self, grams: &[u64]) -> f64 {
        if grams.is_empty() {
            return 0.0;
        }
        let sum: f64 = grams
            .iter()
            .filter_map(|g| self.map.get(g))
            .map(|&r| r as f64)
            .sum();
        sum / grams.len() as f64
    }

    /// The n-grams of a document that moved its score most, with their ratios, strongest first.
    pub fn top_grams(&self, grams: &[u64], k: usize) -> Vec<(String, f32)> {
        let Some(table) = &self.table else {
            return Vec::new();
        };
        let mut seen = crate::features::tokenize::HashSet64::default();
        let mut hits: Vec<(String, f32)> = grams
            .iter()
            .filter(|g| seen.insert(**g))
            .filter_map(|g| {
                let i = *self.text.get(g)?;
                let e = &table.entries[i];
                Some((e.text.clone(), e.ratio))
            })
            .collect();
        hits.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        hits.truncate(k);
        hits
    }

    /// The table this index was built from.
    pub fn table(&self) -> Option<&LexicalTable> {
        self.table.as_ref()
    }
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
        assert!(idx.map[&1] > 0.5);
        assert!(
            !idx.map.contains_key(&2),
            "single-group n-gram must be dropped"
        );
        assert!(idx.map[&4] < 0.0);
        assert!(idx.score(&[1, 1]) > idx.score(&[4, 4]));
        assert_eq!(idx.score(&[]), 0.0);
    }
}
