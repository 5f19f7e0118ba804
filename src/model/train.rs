//! Training: from labeled documents to a checked, explained, versioned model.
//!
//! 1. Every document is analysed in parallel (features, and word n-grams when the lexical
//!    feature is on).
//! 2. Documents get folds: stratified by label with a fixed seed, or, with groups (a
//!    `source` column), group-aware: no group is in two folds, which is the honest estimate
//!    for data labeled per publisher.
//! 3. The lexical feature is computed out of fold: each fold's value comes from a table
//!    fitted on the other folds, so the logistic fit never sees labels leak through it.
//! 4. Features are transformed (`ln(1+x)` for long tails) and standardised within their
//!    language group (`SCALER_GROUPS` in `mod.rs`: other text, Chinese text); linfa-logistic
//!    fits an L2-regularised model for each alpha of a grid on each fold (in parallel), and
//!    the alpha with the lowest out-of-fold log loss wins (chosen on a seeded sample of
//!    [`TUNE_ROWS`] rows when there are more).
//! 5. The out-of-fold predictions at that alpha give the cross-validated metrics and the
//!    threshold (best F1, or the lowest threshold reaching a target precision).
//! 6. The final model is fitted on all rows. linfa-logistic 0.8.1 picks its positive class by
//!    the order labels are met (linfa#393) and stops at `max_iterations` silently, so the
//!    positive class is checked and the gradient norm at the solution is measured and
//!    reported as `converged`.
//!
//! Everything is deterministic: the same rows and parameters give the same file byte for
//! byte, at any thread count.

use std::collections::{BTreeMap, HashMap};

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2, Axis};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::lexical::{LEXICAL_WORDS, LexicalDoc, LexicalParams, LexicalTable};
use super::metrics::{self, Metrics};
use super::{
    Labels, MODEL_FORMAT, MODEL_VERSION, Model, ModelFeature, ModelFile, apply, transform_name,
};
use crate::error::{Error, Result};
use crate::features::{self, Analysis, Extractor, FEATURES, Transform};

/// One labeled document.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub id: String,
    pub text: String,
    /// Is it of the positive class?
    pub positive: bool,
    /// Group for group-aware folds (a source or publisher).
    pub group: Option<String>,
    /// Language tag from the data, if it has one (for reporting only).
    pub lang: Option<String>,
    /// How many times the row counts in the fit (1 = once). linfa-logistic takes no sample
    /// weights, so a weight is applied by repeating the row; folds keep repeats together.
    pub weight: u32,
}

/// Checked training parameters (see [`TrainParams`] for the defaults).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainValidParams {
    pub folds: usize,
    pub seed: u64,
    pub alphas: Vec<f64>,
    pub max_iterations: u64,
    /// Gradient-norm tolerance per training row (linfa's loss is summed over rows).
    pub gradient_tolerance: f64,
    /// Feature names; `None` means the default set ([`crate::features::FeatureInfo::is_default`]).
    pub features: Option<Vec<String>>,
    pub lexical: bool,
    pub lexical_params: LexicalParams,
    pub target_precision: Option<f64>,
    pub labels: Labels,
}

/// Training parameters, linfa style: `TrainParams::default().folds(10).fit(&examples, ...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams(TrainValidParams);

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams(TrainValidParams {
            folds: 5,
            seed: 20240917,
            alphas: vec![0.1, 1.0, 10.0, 100.0],
            max_iterations: 1000,
            gradient_tolerance: 1e-5,
            features: None,
            lexical: true,
            lexical_params: LexicalParams::default(),
            target_precision: None,
            labels: Labels::default(),
        })
    }
}

impl TrainParams {
    /// Cross-validation folds; defaults to `5`.
    pub fn folds(mut self, k: usize) -> Self {
        self.0.folds = k;
        self
    }
    /// Seed for fold assignment; defaults to `20240917`.
    pub fn seed(mut self, s: u64) -> Self {
        self.0.seed = s;
        self
    }
    /// L2 strengths to choose from (on linfa's summed loss); defaults to `[0.1, 1, 10, 100]`.
    pub fn alphas(mut self, a: Vec<f64>) -> Self {
        self.0.alphas = a;
        self
    }
    /// Solver iterations; defaults to `1000`.
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.0.max_iterations = n;
        self
    }
    /// Feature names to use; defaults to every feature that neither grows with length nor
    /// identifies the language.
    pub fn features(mut self, f: Option<Vec<String>>) -> Self {
        self.0.features = f;
        self
    }
    /// Add the lexical n-gram feature; defaults to `true`.
    pub fn lexical(mut self, on: bool) -> Self {
        self.0.lexical = on;
        self
    }
    /// Lexical table settings.
    pub fn lexical_params(mut self, p: LexicalParams) -> Self {
        self.0.lexical_params = p;
        self
    }
    /// Pick the threshold reaching this precision instead of the best F1; defaults to none.
    pub fn target_precision(mut self, p: Option<f64>) -> Self {
        self.0.target_precision = p;
        self
    }
    /// Label names; defaults to `promotional` (positive) / `informative`.
    pub fn labels(mut self, l: Labels) -> Self {
        self.0.labels = l;
        self
    }

    /// Validate every parameter.
    pub fn check(self) -> Result<TrainValidParams> {
        let p = self.0;
        let bad = |m: String| Err(Error::Training(m));
        if p.folds < 2 {
            return bad(format!("--folds must be at least 2, got {}", p.folds));
        }
        if p.alphas.is_empty() || p.alphas.iter().any(|a| !a.is_finite() || *a < 0.0) {
            return bad("alphas must be finite and >= 0".into());
        }
        if p.max_iterations == 0 {
            return bad("max_iterations must be > 0".into());
        }
        if let Some(t) = p.target_precision
            && !(t > 0.0 && t <= 1.0)
        {
            return bad(format!("--target-precision must be in (0, 1], got {t}"));
        }
        if let Some(names) = &p.features {
            if names.is_empty() {
                return bad("--features names no feature".into());
            }
            for n in names {
                if features::feature_index(n).is_none() {
                    return bad(format!(
                        "unknown feature `{n}`; `contentq features --list` shows the names"
                    ));
                }
            }
        }
        if p.labels.positive == p.labels.negative {
            return bad("the positive and negative labels must differ".into());
        }
        Ok(p)
    }

    /// Check the parameters and train.
    pub fn fit(self, examples: &[Example], extractor: &Extractor) -> Result<Trained> {
        self.check()?.fit(examples, extractor)
    }
}

/// The outcome of training.
#[derive(Debug, Clone)]
pub struct Trained {
    pub model: Model,
    /// Out-of-fold probabilities, in example order.
    pub oof: Vec<f64>,
    /// Fold of each example.
    pub fold_of: Vec<usize>,
    pub cv: Metrics,
    pub alpha: f64,
    /// Mean out-of-fold log loss for each alpha tried.
    pub alpha_scores: Vec<(f64, f64)>,
    pub converged: bool,
    pub gradient_norm: f64,
    pub warnings: Vec<String>,
}

/// Above this many rows, the regularisation strength is chosen on a sample of this many.
pub const TUNE_ROWS: usize = 20_000;

/// Out-of-fold predictions of one (alpha, fold) fit: alpha index, fold, (row, p) pairs.
type FoldPredictions = (usize, usize, Vec<(usize, f64)>);

/// A fitted linear model in standardised space.
struct Linear {
    w: Vec<f64>,
    b: f64,
    converged: bool,
    grad_norm: f64,
}

impl TrainValidParams {
    /// Train on `examples`. Fails with a message naming what to fix when the data cannot give
    /// a model: one class only, fewer rows (or groups) than folds.
    pub fn fit(&self, examples: &[Example], extractor: &Extractor) -> Result<Trained> {
        let n = examples.len();
        let n_pos = examples.iter().filter(|e| e.positive).count();
        if n_pos == 0 || n_pos == n {
            let only = if n_pos == 0 {
                &self.labels.negative
            } else {
                &self.labels.positive
            };
            return Err(Error::Training(format!(
                "the training data has only one class (`{only}`, {n} rows); both `{}` and `{}` are needed",
                self.labels.positive, self.labels.negative
            )));
        }
        if n < self.folds * 2 {
            return Err(Error::Training(format!(
                "{n} rows are too few for {} folds: give at least {} rows or lower --folds",
                self.folds,
                self.folds * 2
            )));
        }
        let fold_of = assign_folds(examples, self.folds, self.seed)?;
        for k in 0..self.folds {
            let in_fold: Vec<bool> = examples
                .iter()
                .zip(&fold_of)
                .filter(|(_, f)| **f == k)
                .map(|(e, _)| e.positive)
                .collect();
            if in_fold.is_empty() {
                return Err(Error::Training(format!("fold {k} is empty: lower --folds")));
            }
        }

        // 1. Analyse.
        let analyses: Vec<Analysis> = examples
            .par_iter()
            .map(|e| extractor.analyze(&e.text, self.lexical))
            .collect();

        // 2. Columns.
        let names: Vec<String> = match &self.features {
            Some(f) => f.clone(),
            None => FEATURES
                .iter()
                .filter(|f| f.is_default())
                .map(|f| f.name.to_string())
                .collect(),
        };
        let idx: Vec<usize> = names
            .iter()
            .map(|n| features::feature_index(n).expect("checked in check()"))
            .collect();
        let mut cols: Vec<(String, Transform)> = idx
            .iter()
            .map(|&i| (FEATURES[i].name.to_string(), FEATURES[i].transform))
            .collect();
        let d_base = cols.len();
        let d = d_base + self.lexical as usize;
        let mut raw = Array2::<f64>::zeros((n, d));
        for (r, a) in analyses.iter().enumerate() {
            for (c, &i) in idx.iter().enumerate() {
                raw[[r, c]] = apply(FEATURES[i].transform, a.features.values[i]);
            }
        }

        // 3. Lexical feature, out of fold.
        let groups = group_ids(examples);
        if self.lexical {
            cols.push((LEXICAL_WORDS.to_string(), Transform::Identity));
            let oof: Vec<Vec<(usize, f64)>> = (0..self.folds)
                .into_par_iter()
                .map(|k| {
                    let docs: Vec<LexicalDoc> = (0..n)
                        .filter(|&i| fold_of[i] != k)
                        .map(|i| LexicalDoc {
                            grams: &analyses[i].word_grams,
                            positive: examples[i].positive,
                            group: groups[i],
                            weight: examples[i].weight.max(1),
                        })
                        .collect();
                    let index = LexicalTable::fit(&docs, self.lexical_params.clone())
                        .index()
                        .expect("a fresh table has valid hashes");
                    (0..n)
                        .filter(|&i| fold_of[i] == k)
                        .map(|i| (i, index.score(&analyses[i].word_grams)))
                        .collect()
                })
                .collect();
            for part in oof {
                for (i, v) in part {
                    raw[[i, d_base]] = v;
                }
            }
        }
        let y: Vec<bool> = examples.iter().map(|e| e.positive).collect();
        let zh: Vec<bool> = analyses.iter().map(|a| a.features.is_chinese).collect();

        // 4. Alpha by out-of-fold log loss; fits run in parallel. On large data the choice
        //    is made on a seeded sample of TUNE_ROWS rows (same folds), then the chosen alpha
        //    is cross-validated on all rows.
        let tune: Vec<bool> = if n > TUNE_ROWS {
            let mut order: Vec<usize> = (0..n).collect();
            SplitMix(self.seed ^ 0x5eed).shuffle(&mut order);
            let mut keep = vec![false; n];
            for &i in &order[..TUNE_ROWS] {
                keep[i] = true;
            }
            keep
        } else {
            vec![true; n]
        };
        let cross_validate = |alphas: &[f64], rows: &[bool]| -> Result<Vec<Vec<f64>>> {
            let jobs: Vec<(usize, usize)> = (0..alphas.len())
                .flat_map(|a| (0..self.folds).map(move |k| (a, k)))
                .collect();
            let fitted: Vec<Result<FoldPredictions>> = jobs
                .par_iter()
                .map(|&(a, k)| {
                    let train: Vec<usize> =
                        repeat_rows((0..n).filter(|&i| rows[i] && fold_of[i] != k), examples);
                    let test: Vec<usize> = (0..n).filter(|&i| rows[i] && fold_of[i] == k).collect();
                    let sc = Scaler::fit(&raw, &train, &zh);
                    let x = sc.apply(&raw, &train, &zh);
                    let yt: Vec<bool> = train.iter().map(|&i| y[i]).collect();
                    let lin = fit_linear(&x, &yt, alphas[a], self)?;
                    let xt = sc.apply(&raw, &test, &zh);
                    let p: Vec<(usize, f64)> = test
                        .iter()
                        .enumerate()
                        .map(|(r, &i)| (i, predict_row(&lin, xt.row(r).as_slice().expect("row"))))
                        .collect();
                    Ok((a, k, p))
                })
                .collect();
            let mut out = vec![vec![0.0; n]; alphas.len()];
            for f in fitted {
                let (a, _, p) = f?;
                for (i, v) in p {
                    out[a][i] = v;
                }
            }
            Ok(out)
        };
        let mut oof_by_alpha = cross_validate(&self.alphas, &tune)?;
        let tune_idx: Vec<usize> = (0..n).filter(|&i| tune[i]).collect();
        let y_tune: Vec<bool> = tune_idx.iter().map(|&i| y[i]).collect();
        let alpha_scores: Vec<(f64, f64)> = self
            .alphas
            .iter()
            .zip(&oof_by_alpha)
            .map(|(&a, p)| {
                let p: Vec<f64> = tune_idx.iter().map(|&i| p[i]).collect();
                (a, metrics::log_loss(&p, &y_tune))
            })
            .collect();
        // Lowest loss; on a tie the stronger regularisation.
        let best = alpha_scores
            .iter()
            .enumerate()
            .min_by(|x, y| x.1.1.total_cmp(&y.1.1).then(y.1.0.total_cmp(&x.1.0)))
            .map(|(i, _)| i)
            .expect("alphas is not empty");
        let alpha = self.alphas[best];
        let oof = if n > TUNE_ROWS {
            cross_validate(&[alpha], &vec![true; n])?.swap_remove(0)
        } else {
            oof_by_alpha.swap_remove(best)
        };

        // 5. Threshold and CV metrics.
        let mut warnings = Vec::new();
        let threshold = match self.target_precision {
            None => metrics::best_f1_threshold(&oof, &y),
            Some(t) => match metrics::threshold_for_precision(&oof, &y, t) {
                Some(th) => th,
                None => {
                    warnings.push(format!(
                        "no threshold reaches precision {t} in cross-validation; using the best-F1 threshold"
                    ));
                    metrics::best_f1_threshold(&oof, &y)
                }
            },
        };
        let cv = Metrics::compute(&oof, &y, threshold);

        // 6. Final fit on all rows, with the lexical table from all rows.
        let all: Vec<usize> = repeat_rows(0..n, examples);
        let sc = Scaler::fit(&raw, &all, &zh);
        let x = sc.apply(&raw, &all, &zh);
        let y_all: Vec<bool> = all.iter().map(|&i| y[i]).collect();
        let lin = fit_linear(&x, &y_all, alpha, self)?;
        if !lin.converged {
            warnings.push(format!(
                "the solver stopped after {} iterations without converging (gradient norm {:.2e}); raise max_iterations",
                self.max_iterations, lin.grad_norm
            ));
        }
        let lexical = if self.lexical {
            let docs: Vec<LexicalDoc> = (0..n)
                .map(|i| LexicalDoc {
                    grams: &analyses[i].word_grams,
                    positive: y[i],
                    group: groups[i],
                    weight: examples[i].weight.max(1),
                })
                .collect();
            let mut table = LexicalTable::fit(&docs, self.lexical_params.clone());
            table.set_names(&gram_names(examples, &table));
            Some(table)
        } else {
            None
        };

        let model_features: Vec<ModelFeature> = cols
            .iter()
            .enumerate()
            .map(|(c, (name, tr))| ModelFeature {
                name: name.clone(),
                transform: transform_name(*tr).into(),
                mean: [sc.mean[0][c], sc.mean[1][c]],
                std: [sc.std[0][c], sc.std[1][c]],
                weight: lin.w[c],
            })
            .collect();
        let training = serde_json::json!({
            "rows": n,
            "weighted_rows": examples.iter().map(|e| e.weight.max(1) as usize).sum::<usize>(),
            "rows_per_class": {
                self.labels.positive.clone(): n_pos,
                self.labels.negative.clone(): n - n_pos,
            },
            "rows_per_language": rows_per_language(examples, &analyses),
            "data_sha256": data_hash(examples),
            "params": self,
            "grouped_folds": examples.iter().any(|e| e.group.is_some()),
            "alpha": alpha,
            "alpha_log_loss": alpha_scores.iter().map(|(a, l)| serde_json::json!({"alpha": a, "log_loss": l})).collect::<Vec<_>>(),
            "cv": cv,
            "converged": lin.converged,
            "gradient_norm": lin.grad_norm,
        });
        let file = ModelFile {
            format: MODEL_FORMAT.into(),
            version: MODEL_VERSION,
            contentq_version: env!("CARGO_PKG_VERSION").into(),
            labels: self.labels.clone(),
            threshold,
            intercept: lin.b,
            features: model_features,
            lexical,
            training,
        };
        let model = Model::from_file(file, "<trained model>")?;
        Ok(Trained {
            model,
            oof,
            fold_of,
            cv,
            alpha,
            alpha_scores,
            converged: lin.converged,
            gradient_norm: lin.grad_norm,
            warnings,
        })
    }
}

/// Row indices with each row repeated by its weight.
fn repeat_rows(rows: impl Iterator<Item = usize>, examples: &[Example]) -> Vec<usize> {
    let mut out = Vec::new();
    for i in rows {
        for _ in 0..examples[i].weight.max(1) {
            out.push(i);
        }
    }
    out
}

/// Dense group ids (0 when there are no groups), in order of first appearance.
/// Dense group ids for the lexical table's "seen in N groups" rule. Without a group column
/// every document is its own group, so the rule asks for N documents instead.
fn group_ids(examples: &[Example]) -> Vec<u32> {
    if examples.iter().all(|e| e.group.is_none()) {
        return (0..examples.len() as u32).collect();
    }
    let mut ids: HashMap<&str, u32> = HashMap::new();
    examples
        .iter()
        .map(|e| match &e.group {
            Some(g) => {
                let next = ids.len() as u32;
                *ids.entry(g.as_str()).or_insert(next)
            }
            None => u32::MAX,
        })
        .collect()
}

/// Fold of each example: group-aware when examples have groups (whole groups go to the fold
/// with the fewest rows so far, groups taken largest first, ties by a seeded hash), otherwise
/// stratified by label (each class shuffled with the seed and dealt round-robin).
pub fn assign_folds(examples: &[Example], k: usize, seed: u64) -> Result<Vec<usize>> {
    let mut fold = vec![0usize; examples.len()];
    if examples.iter().any(|e| e.group.is_some()) {
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, e) in examples.iter().enumerate() {
            groups
                .entry(e.group.as_deref().unwrap_or(""))
                .or_default()
                .push(i);
        }
        if groups.len() < k {
            return Err(Error::Training(format!(
                "the group column has {} distinct groups, fewer than {k} folds: lower --folds or drop --group-column",
                groups.len()
            )));
        }
        let mut order: Vec<(&str, Vec<usize>)> = groups.into_iter().collect();
        order.sort_by(|a, b| {
            b.1.len()
                .cmp(&a.1.len())
                .then(hash_str(seed, a.0).cmp(&hash_str(seed, b.0)))
        });
        let mut sizes = vec![0usize; k];
        for (_, rows) in order {
            let f = (0..k).min_by_key(|&f| (sizes[f], f)).expect("k >= 2");
            sizes[f] += rows.len();
            for i in rows {
                fold[i] = f;
            }
        }
    } else {
        let mut rng = SplitMix(seed);
        for class in [true, false] {
            let mut idx: Vec<usize> = (0..examples.len())
                .filter(|&i| examples[i].positive == class)
                .collect();
            rng.shuffle(&mut idx);
            for (r, i) in idx.into_iter().enumerate() {
                fold[i] = r % k;
            }
        }
    }
    Ok(fold)
}

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::features::tokenize::mix64(self.0)
    }

    /// Fisher-Yates with this generator.
    fn shuffle(&mut self, v: &mut [usize]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

fn hash_str(seed: u64, s: &str) -> u64 {
    crate::features::tokenize::combine(seed, crate::features::tokenize::WordHash::of(s))
}

/// Column means and deviations per scaler group (see [`super::SCALER_GROUPS`]).
struct Scaler {
    mean: [Vec<f64>; 2],
    std: [Vec<f64>; 2],
}

/// A group needs this many rows for its own statistics; smaller groups use all rows'.
const MIN_GROUP_ROWS: usize = 20;

impl Scaler {
    fn fit(raw: &Array2<f64>, rows: &[usize], zh: &[bool]) -> Scaler {
        let all = column_stats(raw, rows);
        let group = |g: bool| {
            let sub: Vec<usize> = rows.iter().copied().filter(|&r| zh[r] == g).collect();
            if sub.len() >= MIN_GROUP_ROWS {
                column_stats(raw, &sub)
            } else {
                all.clone()
            }
        };
        let (m0, s0) = group(false);
        let (m1, s1) = group(true);
        Scaler {
            mean: [m0, m1],
            std: [s0, s1],
        }
    }

    fn apply(&self, raw: &Array2<f64>, rows: &[usize], zh: &[bool]) -> Array2<f64> {
        let mut x = raw.select(Axis(0), rows);
        for (mut row, &r) in x.rows_mut().into_iter().zip(rows) {
            let g = zh[r] as usize;
            for (c, v) in row.iter_mut().enumerate() {
                *v = super::standardize(*v, self.mean[g][c], self.std[g][c]);
            }
        }
        x
    }
}

/// Column means and deviations over `rows` (a constant column gets deviation 1).
fn column_stats(raw: &Array2<f64>, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let d = raw.ncols();
    let n = rows.len().max(1) as f64;
    let mut mean = vec![0.0; d];
    for &r in rows {
        for c in 0..d {
            mean[c] += raw[[r, c]];
        }
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut var = vec![0.0; d];
    for &r in rows {
        for c in 0..d {
            let x = raw[[r, c]] - mean[c];
            var[c] += x * x;
        }
    }
    let std = var
        .into_iter()
        .map(|v| {
            let s = (v / n).sqrt();
            if s > 1e-12 && s.is_finite() { s } else { 1.0 }
        })
        .collect();
    (mean, std)
}

fn predict_row(lin: &Linear, x: &[f64]) -> f64 {
    let z = lin.b + lin.w.iter().zip(x).map(|(w, v)| w * v).sum::<f64>();
    super::sigmoid(z)
}

/// Fit linfa-logistic and normalise its output to "weights for P(positive)".
fn fit_linear(x: &Array2<f64>, y: &[bool], alpha: f64, p: &TrainValidParams) -> Result<Linear> {
    let targets = Array1::from(y.to_vec());
    let ds = Dataset::new(x.clone(), targets);
    let fitted = LogisticRegression::default()
        .alpha(alpha)
        .max_iterations(p.max_iterations)
        // linfa's loss is a sum over rows, so its gradient grows with them: scale the
        // tolerance to the row count (the convergence check below does the same).
        .gradient_tolerance(p.gradient_tolerance * (y.len().max(1) as f64))
        .fit(&ds)
        .map_err(|e| Error::Solver(e.to_string()))?;
    // linfa#393: the probabilities are for `labels().pos.class`, which in 0.8.1 is the first
    // label met, not the larger one. Turn them into P(true).
    let flip = !fitted.labels().pos.class;
    let sign = if flip { -1.0 } else { 1.0 };
    let w: Vec<f64> = fitted.params().iter().map(|v| v * sign).collect();
    let b = fitted.intercept() * sign;
    // Gradient of linfa's loss (sum of log losses + alpha/2 |w|^2) at the solution.
    let mut grad = vec![0.0; w.len()];
    let mut grad_b = 0.0;
    for (r, row) in x.rows().into_iter().enumerate() {
        let z = b + row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>();
        let err = super::sigmoid(z) - if y[r] { 1.0 } else { 0.0 };
        for (g, v) in grad.iter_mut().zip(row.iter()) {
            *g += err * v;
        }
        grad_b += err;
    }
    for (g, wi) in grad.iter_mut().zip(&w) {
        *g += alpha * wi;
    }
    let grad_norm = (grad.iter().map(|g| g * g).sum::<f64>() + grad_b * grad_b).sqrt();
    // Relative to the number of rows: a summed loss has gradients that grow with n.
    let converged = grad_norm <= 1e-3 * (y.len() as f64).max(1.0);
    Ok(Linear {
        w,
        b,
        converged,
        grad_norm,
    })
}

fn rows_per_language(examples: &[Example], analyses: &[Analysis]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for (e, a) in examples.iter().zip(analyses) {
        let lang = e
            .lang
            .clone()
            .unwrap_or_else(|| a.features.lang.to_string());
        *m.entry(lang).or_insert(0) += 1;
    }
    m
}

/// SHA-256 over ids, labels and texts, in order.
pub fn data_hash(examples: &[Example]) -> String {
    let mut h = Sha256::new();
    for e in examples {
        h.update(e.id.as_bytes());
        h.update([0, e.positive as u8, 0]);
        h.update(e.text.as_bytes());
        h.update([0xff]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Readable text for the table's n-grams, from the training texts.
fn gram_names(examples: &[Example], table: &LexicalTable) -> HashMap<u64, String> {
    let wanted: std::collections::HashSet<u64> = table.hashes().into_iter().collect();
    let mut names: HashMap<u64, String> = HashMap::new();
    for e in examples {
        if names.len() == wanted.len() {
            break;
        }
        let mut found: Vec<(u64, String)> = Vec::new();
        features::for_each_word_ngram(
            &e.text,
            |h| wanted.contains(&h) && !names.contains_key(&h),
            |h, t| found.push((h, t)),
        );
        for (h, t) in found {
            names.entry(h).or_insert(t);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, positive: bool, group: Option<&str>) -> Example {
        Example {
            id: text.chars().take(10).collect(),
            text: text.into(),
            positive,
            group: group.map(String::from),
            lang: None,
            weight: 1,
        }
    }

    #[test]
    fn lexical_table_is_filled_without_a_group_column() {
        // Regression: without groups every row used to be in group 0, and the "seen in two
        // groups" rule emptied the lexical table.
        let e = Extractor::new();
        let v: Vec<Example> = (0..40)
            .map(|i| {
                if i % 2 == 0 {
                    ex(&format!("call now free consultation {i}"), true, None)
                } else {
                    ex(&format!("studies suggest side effects {i}"), false, None)
                }
            })
            .collect();
        let t = TrainParams::default().fit(&v, &e).unwrap();
        let table = t.model.file().lexical.as_ref().unwrap();
        assert!(!table.entries.is_empty());
        assert!(table.entries.iter().any(|x| x.text == "call now"));
    }

    #[test]
    fn stratified_folds_are_balanced() {
        let v: Vec<Example> = (0..20).map(|i| ex("x", i % 2 == 0, None)).collect();
        let f = assign_folds(&v, 5, 1).unwrap();
        for k in 0..5 {
            let pos = (0..20).filter(|&i| f[i] == k && v[i].positive).count();
            assert_eq!(pos, 2);
        }
    }

    #[test]
    fn grouped_folds_keep_groups_whole() {
        let v: Vec<Example> = (0..30)
            .map(|i| ex("x", i % 2 == 0, Some(["a", "b", "c", "d", "e", "f"][i % 6])))
            .collect();
        let f = assign_folds(&v, 3, 1).unwrap();
        for g in ["a", "b", "c", "d", "e", "f"] {
            let folds: std::collections::HashSet<usize> = (0..30)
                .filter(|&i| v[i].group.as_deref() == Some(g))
                .map(|i| f[i])
                .collect();
            assert_eq!(folds.len(), 1);
        }
    }

    #[test]
    fn too_few_groups_is_an_error() {
        let v: Vec<Example> = (0..10).map(|i| ex("x", i % 2 == 0, Some("a"))).collect();
        assert!(matches!(assign_folds(&v, 5, 1), Err(Error::Training(_))));
    }

    #[test]
    fn single_class_and_too_few_rows_are_errors() {
        let e = Extractor::new();
        let v: Vec<Example> = (0..20).map(|_| ex("text", true, None)).collect();
        let err = TrainParams::default().fit(&v, &e).unwrap_err();
        assert!(err.to_string().contains("only one class"));
        let v: Vec<Example> = (0..4).map(|i| ex("text", i % 2 == 0, None)).collect();
        let err = TrainParams::default().fit(&v, &e).unwrap_err();
        assert!(err.to_string().contains("too few"));
    }

    #[test]
    fn bad_params_are_rejected() {
        assert!(TrainParams::default().folds(1).check().is_err());
        assert!(
            TrainParams::default()
                .target_precision(Some(1.5))
                .check()
                .is_err()
        );
        assert!(
            TrainParams::default()
                .features(Some(vec!["nope".into()]))
                .check()
                .is_err()
        );
        assert!(
            TrainParams::default()
                .alphas(vec![f64::NAN])
                .check()
                .is_err()
        );
    }

    #[test]
    fn positive_class_is_right_whichever_label_comes_first() {
        // linfa#393: the first label met becomes linfa's positive class. Put a negative first
        // and check that promotional text still gets the high probability.
        let e = Extractor::new();
        let promo = "Call now! Free consultation, best clinic, 100% cure guaranteed, book now!";
        let info =
            "Studies suggest the treatment may help some patients; side effects include nausea.";
        let mut v = Vec::new();
        for i in 0..30 {
            v.push(ex(&format!("{info} {i}"), false, None));
            v.push(ex(&format!("{promo} {i}"), true, None));
        }
        let t = TrainParams::default().lexical(false).fit(&v, &e).unwrap();
        let a = t.model.analyze(&e, promo);
        assert!(t.model.score(&a, 0).p > 0.5);
        let a = t.model.analyze(&e, info);
        assert!(t.model.score(&a, 0).p < 0.5);
        assert!(t.converged);
    }
}
