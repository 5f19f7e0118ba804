//! The classifier: a logistic model over standardised features, stored as versioned JSON.
//!
//! Scoring a document: extract its [`Features`](crate::features::Features), apply each model
//! feature's transform (`ln(1+x)` for long-tailed counts), standardise with the training means
//! and deviations of the document's language group ([`SCALER_GROUPS`]; clipped to
//! ±[`Z_CLIP`]), and take `p = sigmoid(intercept + sum(w_i * z_i))`, the probability of the
//! positive class (`promotional` by default). The label is positive when `p >= threshold`.
//!
//! Every score explains itself: the contribution of a feature is `w_i * z_i`, and the
//! reasons are the largest contributions toward the label given, in plain words
//! ("claim density: calls to action 3.2 per 100 words (+1.41)").
//!
//! The model file (format version [`MODEL_VERSION`]) holds the feature names in order, the
//! scaler, the weights, the threshold, the label names, an optional lexical table
//! ([`lexical`]) and training metadata. Loading checks the version and every feature name.

pub mod data;
pub mod lexical;
pub mod metrics;
pub mod report;
pub mod train;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::{self, Analysis, Extractor, FEATURES, Transform};
use lexical::{LEXICAL_WORDS, LexicalIndex, LexicalTable};

/// Weights and the intercept are refused beyond this magnitude: a real model's are a few
/// units, and huge ones (a damaged or hand-edited file) could overflow the score to NaN.
pub const MAX_WEIGHT: f64 = 1e6;

/// The model file format this build reads and writes.
pub const MODEL_VERSION: u32 = 1;

/// Marker at the top of every model file.
pub const MODEL_FORMAT: &str = "contentq-model";

/// The default model, compiled in from `models/default.json`.
pub const DEFAULT_MODEL_JSON: &str = include_str!("../../models/default.json");

/// The two labels.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Labels {
    /// The class `p` is the probability of (default `promotional`).
    pub positive: String,
    /// The other class (default `informative`).
    pub negative: String,
}

impl Default for Labels {
    fn default() -> Self {
        Labels {
            positive: "promotional".into(),
            negative: "informative".into(),
        }
    }
}

/// One input of the model.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelFeature {
    pub name: String,
    /// `identity` or `log1p`.
    pub transform: String,
    /// Training means, one per scaler group ([`SCALER_GROUPS`]: other text, Chinese text).
    pub mean: [f64; 2],
    /// Training deviations, one per scaler group.
    pub std: [f64; 2],
    pub weight: f64,
}

/// Features are standardised within two groups of text, each with its own mean and
/// deviation: text that is not Chinese, and Chinese text (Han dominating the letters). Word
/// lengths, punctuation, stop words and cue densities sit at different levels in the two
/// languages; standardising within each removes the language from the features, so the model
/// learns what separates adverts from information inside a language, not which language
/// carries more adverts in its training data.
pub const SCALER_GROUPS: [&str; 2] = ["other", "chinese"];

/// The model file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelFile {
    pub format: String,
    pub version: u32,
    pub contentq_version: String,
    pub labels: Labels,
    pub threshold: f64,
    pub intercept: f64,
    pub features: Vec<ModelFeature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lexical: Option<LexicalTable>,
    /// Training metadata (see `train.rs`): rows, data hash, parameters, CV metrics.
    #[serde(default)]
    pub training: serde_json::Value,
}

/// Where a model input comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    /// An extracted feature, by index.
    Feature(usize),
    /// The lexical table's score.
    Lexical,
}

/// A loaded, checked model ready to score.
#[derive(Debug, Clone)]
pub struct Model {
    file: ModelFile,
    sources: Vec<Source>,
    /// Feature names, resolved to the static names of this build.
    names: Vec<&'static str>,
    transforms: Vec<Transform>,
    lexical: Option<LexicalIndex>,
}

/// One feature's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// Feature name (one of [`FEATURES`] or [`LEXICAL_WORDS`]).
    pub name: &'static str,
    /// Raw value (before transform and scaling).
    pub value: f64,
    /// `weight * standardised value`: positive pushes toward the positive class.
    pub contribution: f64,
}

/// The verdict on one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Probability of the positive class.
    pub p: f64,
    /// Is `p >= threshold`?
    pub positive: bool,
    /// Every model input's contribution, in model order.
    pub contributions: Vec<Contribution>,
    /// For lexical models: the n-grams that moved `lexical_words` most.
    pub top_grams: Vec<(String, f32)>,
}

impl Model {
    /// The default model compiled into the binary.
    pub fn default_model() -> Result<Model> {
        Model::from_json(DEFAULT_MODEL_JSON, "<embedded default model>")
    }

    /// Load a model file.
    pub fn load(path: &std::path::Path) -> Result<Model> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::ModelParse {
            path: name.clone(),
            reason: e.to_string(),
        })?;
        Model::from_json(&text, &name)
    }

    /// Parse and check a model from JSON. `name` is used in error messages.
    pub fn from_json(json: &str, name: &str) -> Result<Model> {
        // Read the version first, so an old or new file gets a version error rather than a
        // confusing field error.
        let head: serde_json::Value =
            serde_json::from_str(json).map_err(|e| Error::ModelParse {
                path: name.into(),
                reason: e.to_string(),
            })?;
        if head.get("format").and_then(|f| f.as_str()) != Some(MODEL_FORMAT) {
            return Err(Error::ModelParse {
                path: name.into(),
                reason: format!("no \"format\": \"{MODEL_FORMAT}\" field"),
            });
        }
        let version = head.get("version").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
        if version != MODEL_VERSION {
            return Err(Error::ModelVersion {
                path: name.into(),
                found: version,
                expected: MODEL_VERSION,
            });
        }
        let file: ModelFile = serde_json::from_value(head).map_err(|e| Error::ModelParse {
            path: name.into(),
            reason: e.to_string(),
        })?;
        Model::from_file(file, name)
    }

    /// Check a parsed model file.
    pub fn from_file(file: ModelFile, name: &str) -> Result<Model> {
        let invalid = |reason: String| Error::ModelInvalid {
            path: name.into(),
            reason,
        };
        if !(0.0..=1.0).contains(&file.threshold) {
            return Err(invalid(format!(
                "threshold {} is outside [0, 1]",
                file.threshold
            )));
        }
        if !file.intercept.is_finite() || file.intercept.abs() > MAX_WEIGHT {
            return Err(invalid(format!(
                "the intercept {} is not a finite number within ±{MAX_WEIGHT:e}",
                file.intercept
            )));
        }
        if file.labels.positive.is_empty()
            || file.labels.negative.is_empty()
            || file.labels.positive == file.labels.negative
        {
            return Err(invalid(
                "the two label names must be non-empty and different".into(),
            ));
        }
        if file.features.is_empty() {
            return Err(invalid("it has no features".into()));
        }
        let mut sources = Vec::with_capacity(file.features.len());
        let mut names = Vec::with_capacity(file.features.len());
        let mut transforms = Vec::with_capacity(file.features.len());
        for f in &file.features {
            let source = if f.name == LEXICAL_WORDS {
                if file.lexical.is_none() {
                    return Err(invalid(format!(
                        "feature `{LEXICAL_WORDS}` needs a lexical table"
                    )));
                }
                Source::Lexical
            } else {
                Source::Feature(features::feature_index(&f.name).ok_or_else(|| {
                    Error::ModelFeature {
                        path: name.into(),
                        name: f.name.clone(),
                        known: FEATURES.len(),
                    }
                })?)
            };
            let transform = match f.transform.as_str() {
                "identity" => Transform::Identity,
                "log1p" => Transform::Log1p,
                other => {
                    return Err(invalid(format!(
                        "feature `{}` has unknown transform `{other}`",
                        f.name
                    )));
                }
            };
            let scaler_ok = f.mean.iter().all(|m| m.is_finite() && m.abs() <= 1e12)
                && f.std
                    .iter()
                    .all(|s| s.is_finite() && *s > 1e-12 && *s <= 1e12);
            if !(scaler_ok && f.weight.is_finite() && f.weight.abs() <= MAX_WEIGHT) {
                return Err(invalid(format!(
                    "feature `{}` has a non-finite or out-of-range scaler or weight",
                    f.name
                )));
            }
            names.push(match source {
                Source::Feature(i) => FEATURES[i].name,
                Source::Lexical => LEXICAL_WORDS,
            });
            sources.push(source);
            transforms.push(transform);
        }
        let lexical = match &file.lexical {
            Some(t) => Some(t.clone().index().map_err(invalid)?),
            None => None,
        };
        Ok(Model {
            file,
            sources,
            names,
            transforms,
            lexical,
        })
    }

    /// The model file.
    pub fn file(&self) -> &ModelFile {
        &self.file
    }

    /// The decision threshold on `p`.
    pub fn threshold(&self) -> f64 {
        self.file.threshold
    }

    /// Label names.
    pub fn labels(&self) -> &Labels {
        &self.file.labels
    }

    /// Does scoring need the word n-grams (is there a lexical feature)?
    pub fn needs_word_grams(&self) -> bool {
        self.lexical.is_some()
    }

    /// Analyse `text` with what this model needs.
    pub fn analyze(&self, extractor: &Extractor, text: &str) -> Analysis {
        extractor.analyze(text, self.needs_word_grams())
    }

    /// Score an analysed document. `explain_grams` > 0 also lists the top lexical n-grams.
    pub fn score(&self, a: &Analysis, explain_grams: usize) -> Score {
        let (lexical, top_grams) = match &self.lexical {
            Some(l) => l.score_counted(&a.word_grams, a.distinct_grams, explain_grams),
            None => (0.0, Vec::new()),
        };
        let mut z = self.file.intercept;
        let mut contributions = Vec::with_capacity(self.sources.len());
        for (((f, source), transform), name) in self
            .file
            .features
            .iter()
            .zip(&self.sources)
            .zip(&self.transforms)
            .zip(&self.names)
        {
            let value = match source {
                Source::Feature(i) => a.features.values[*i],
                Source::Lexical => lexical,
            };
            let t = apply(*transform, value);
            let g = a.features.is_chinese as usize;
            let c = f.weight * standardize(t, f.mean[g], f.std[g]);
            z += c;
            contributions.push(Contribution {
                name,
                value,
                contribution: c,
            });
        }
        let p = sigmoid(z);
        Score {
            p,
            positive: p >= self.file.threshold,
            contributions,
            top_grams,
        }
    }

    /// The label name for a score.
    pub fn label_of(&self, s: &Score) -> &str {
        if s.positive {
            &self.file.labels.positive
        } else {
            &self.file.labels.negative
        }
    }

    /// The `k` largest contributions toward the score's label, strongest first.
    pub fn top_reasons<'a>(&self, s: &'a Score, k: usize) -> Vec<&'a Contribution> {
        let sign = if s.positive { 1.0 } else { -1.0 };
        let mut v: Vec<&Contribution> = s
            .contributions
            .iter()
            .filter(|c| c.contribution * sign > 0.0)
            .collect();
        // Names are unique, so this is a total order.
        keep_first_k(&mut v, k, |a, b| {
            (b.contribution * sign)
                .total_cmp(&(a.contribution * sign))
                .then(a.name.cmp(b.name))
        });
        v
    }

    /// Reasons as one line of plain words: "claim density: calls to action 3.2 per 100 words
    /// (+1.41); ...".
    pub fn reasons_text(&self, s: &Score, k: usize) -> String {
        use std::fmt::Write;
        let top = self.top_reasons(s, k);
        let mut out = String::with_capacity(64 * (top.len() + 1));
        for (i, c) in top.iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            write_contribution(&mut out, c);
        }
        if !s.top_grams.is_empty() && top.iter().any(|c| c.name == LEXICAL_WORDS) {
            // After the lexical reason itself, so never first.
            out.push_str("; n-grams: ");
            for (i, (g, r)) in s.top_grams.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write!(out, "\"{g}\" {r:+.2}").expect("writing to a String");
            }
        }
        out
    }
}

/// Keep the first `k` items of `v` under `order`, sorted: the head of a full sort, found by
/// selecting the `k` first and sorting only those. `order` must be a total order (break ties
/// down to a unique key) for the result to equal that of a stable sort.
pub fn keep_first_k<T>(
    v: &mut Vec<T>,
    k: usize,
    mut order: impl FnMut(&T, &T) -> std::cmp::Ordering,
) {
    if k == 0 {
        v.clear();
        return;
    }
    if v.len() > k {
        v.select_nth_unstable_by(k - 1, &mut order);
        v.truncate(k);
    }
    v.sort_unstable_by(order);
}

/// Offer `item` to `top`, the first `k` items under `order` among those offered so far,
/// sorted. Once every item of a sequence has been offered, `top` holds what [`keep_first_k`]
/// leaves of the whole sequence, which is never collected (`order` must be a total order).
pub fn offer_first_k<T>(
    top: &mut Vec<T>,
    k: usize,
    item: T,
    mut order: impl FnMut(&T, &T) -> std::cmp::Ordering,
) {
    if top.len() >= k {
        match top.last() {
            Some(last) if order(&item, last).is_lt() => {
                top.pop();
            }
            _ => return,
        }
    }
    let at = top.partition_point(|x| order(x, &item).is_lt());
    top.insert(at, item);
}

/// "claim density: calls to action 3.2 per 100 words (+1.41)".
pub fn describe_contribution(c: &Contribution) -> String {
    let mut out = String::new();
    write_contribution(&mut out, c);
    out
}

/// [`describe_contribution`], appended to `out`.
fn write_contribution(out: &mut String, c: &Contribution) {
    use std::fmt::Write;
    let (label, unit) = match features::feature_index(c.name) {
        Some(i) => (FEATURES[i].label, FEATURES[i].unit),
        None if c.name == LEXICAL_WORDS => ("word n-gram evidence", "score"),
        None => (c.name, ""),
    };
    out.push_str(label);
    out.push(' ');
    write_value(out, c.value);
    if !unit.is_empty() {
        out.push(' ');
        out.push_str(unit);
    }
    write!(out, " ({:+.2})", c.contribution).expect("writing to a String");
}

fn write_value(out: &mut String, v: f64) {
    use std::fmt::Write;
    let v = if v == 0.0 { 0.0 } else { v };
    if v.abs() < 0.005 && v != 0.0 {
        write!(out, "{v:.4}")
    } else if v == v.trunc() && v.abs() < 1e9 {
        write!(out, "{v:.0}")
    } else if v.abs() >= 10.0 {
        write!(out, "{v:.1}")
    } else {
        write!(out, "{v:.2}")
    }
    .expect("writing to a String");
}

/// Standardised values are clipped to this many deviations, so that a feature that barely
/// varied in training (a script share, say) cannot dominate a score on text unlike the
/// training data.
pub const Z_CLIP: f64 = 5.0;

/// `(x - mean) / std`, clipped to [`Z_CLIP`].
#[inline]
pub fn standardize(x: f64, mean: f64, std: f64) -> f64 {
    ((x - mean) / std).clamp(-Z_CLIP, Z_CLIP)
}

/// Apply a feature transform.
#[inline]
pub fn apply(t: Transform, x: f64) -> f64 {
    match t {
        Transform::Identity => x,
        Transform::Log1p => x.max(0.0).ln_1p(),
    }
}

/// Name of a transform in model files.
pub fn transform_name(t: Transform) -> &'static str {
    match t {
        Transform::Identity => "identity",
        Transform::Log1p => "log1p",
    }
}

/// The logistic function, stable for large |z|.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offered_first_k_is_the_head_of_the_sorted_sequence() {
        // Items (key, rank) with many equal keys; the order breaks ties by rank, so it is total.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for n in [0usize, 1, 2, 5, 40, 300] {
            let items: Vec<(u32, u32)> = (0..n as u32)
                .map(|rank| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    ((x % 9) as u32, rank)
                })
                .collect();
            let order = |a: &(u32, u32), b: &(u32, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
            for k in [0usize, 1, 2, 3, 8, 64, 1000] {
                let mut want = items.clone();
                keep_first_k(&mut want, k, order);
                let mut top = Vec::new();
                for &it in &items {
                    offer_first_k(&mut top, k, it, order);
                }
                assert_eq!(top, want, "n={n} k={k}");
            }
        }
    }

    fn tiny() -> ModelFile {
        ModelFile {
            format: MODEL_FORMAT.into(),
            version: MODEL_VERSION,
            contentq_version: env!("CARGO_PKG_VERSION").into(),
            labels: Labels::default(),
            threshold: 0.5,
            intercept: 0.0,
            features: vec![ModelFeature {
                name: "claim_cta".into(),
                transform: "log1p".into(),
                mean: [0.0; 2],
                std: [1.0; 2],
                weight: 2.0,
            }],
            lexical: None,
            training: serde_json::Value::Null,
        }
    }

    #[test]
    fn scores_and_explains() {
        let m = Model::from_file(tiny(), "t").unwrap();
        let e = Extractor::new();
        let a = m.analyze(&e, "Call now for a free consultation! Book now.");
        let s = m.score(&a, 0);
        assert!(s.p > 0.5 && s.positive);
        assert_eq!(m.label_of(&s), "promotional");
        let r = m.reasons_text(&s, 3);
        assert!(r.starts_with("claim density: calls to action"), "{r}");
        let a = m.analyze(&e, "");
        let s = m.score(&a, 0);
        assert_eq!(s.p, 0.5);
    }

    #[test]
    fn top_reasons_are_the_head_of_the_full_ranking() {
        let m = Model::default_model().unwrap();
        let e = Extractor::new();
        for text in [
            "Call now for a free consultation! Book now. 100% cure, guaranteed.",
            "A randomised trial of 120 patients found a 5 mg dose may lower blood pressure.",
            "根治白癜风，免费咨询，哪个医院好？",
            "",
        ] {
            let s = m.score(&m.analyze(&e, text), 0);
            let all = m.top_reasons(&s, usize::MAX);
            let sign = if s.positive { 1.0 } else { -1.0 };
            for w in all.windows(2) {
                assert!(
                    w[0].contribution * sign >= w[1].contribution * sign,
                    "{text}"
                );
            }
            for k in 0..all.len() + 2 {
                let top = m.top_reasons(&s, k);
                assert_eq!(top.len(), k.min(all.len()));
                assert!(
                    top.iter().zip(&all).all(|(a, b)| a.name == b.name),
                    "{text} k={k}"
                );
            }
        }
    }

    #[test]
    fn rejects_unknown_version_and_feature() {
        let mut f = tiny();
        f.version = 99;
        let json = serde_json::to_string(&f).unwrap();
        assert!(matches!(
            Model::from_json(&json, "m").unwrap_err(),
            Error::ModelVersion { found: 99, .. }
        ));
        let mut f = tiny();
        f.features[0].name = "no_such_feature".into();
        let json = serde_json::to_string(&f).unwrap();
        let e = Model::from_json(&json, "m").unwrap_err();
        assert!(matches!(e, Error::ModelFeature { .. }));
        assert!(e.to_string().contains("retrain"));
    }

    #[test]
    fn rejects_truncated_and_invalid() {
        let json = serde_json::to_string(&tiny()).unwrap();
        let cut = &json[..json.len() / 2];
        assert!(matches!(
            Model::from_json(cut, "m").unwrap_err(),
            Error::ModelParse { .. }
        ));
        let mut f = tiny();
        f.threshold = 1.5;
        assert!(matches!(
            Model::from_file(f, "m").unwrap_err(),
            Error::ModelInvalid { .. }
        ));
        let mut f = tiny();
        f.features[0].std = [1.0, 0.0];
        assert!(matches!(
            Model::from_file(f, "m").unwrap_err(),
            Error::ModelInvalid { .. }
        ));
    }

    #[test]
    fn rejects_huge_weights_and_bad_labels() {
        // Regression (fuzzing): weights of ±1.8e308 on two features summed to inf - inf = NaN.
        let mut f = tiny();
        f.features[0].weight = f64::MAX;
        assert!(matches!(
            Model::from_file(f, "m").unwrap_err(),
            Error::ModelInvalid { .. }
        ));
        let mut f = tiny();
        f.intercept = -1e300;
        assert!(matches!(
            Model::from_file(f, "m").unwrap_err(),
            Error::ModelInvalid { .. }
        ));
        let mut f = tiny();
        f.labels.negative = f.labels.positive.clone();
        assert!(matches!(
            Model::from_file(f, "m").unwrap_err(),
            Error::ModelInvalid { .. }
        ));
        let mut f = tiny();
        f.features[0].std = [1e-300, 1.0];
        assert!(matches!(
            Model::from_file(f, "m").unwrap_err(),
            Error::ModelInvalid { .. }
        ));
    }

    #[test]
    fn sigmoid_is_stable() {
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-12);
    }
}
