//! Classification metrics over scored examples: precision, recall, F1, ROC-AUC, PR-AUC
//! (average precision), log loss, the confusion matrix, calibration bins, and the two
//! threshold rules (best F1; lowest threshold reaching a target precision).
//!
//! Ties in scores are handled as scikit-learn does: all examples with one score move
//! together along the curves, so the results do not depend on input order.

use serde::Serialize;

/// Counts at one threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Confusion {
    pub tp: u64,
    pub fp: u64,
    pub tn: u64,
    pub fn_: u64,
}

impl Confusion {
    pub fn at(scores: &[f64], labels: &[bool], threshold: f64) -> Confusion {
        let mut c = Confusion::default();
        for (&s, &y) in scores.iter().zip(labels) {
            match (s >= threshold, y) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, false) => c.tn += 1,
                (false, true) => c.fn_ += 1,
            }
        }
        c
    }
    pub fn precision(&self) -> f64 {
        div(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        div(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    }
    pub fn accuracy(&self) -> f64 {
        div(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }
}

fn div(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// All the summary metrics at one threshold.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Metrics {
    pub n: usize,
    pub positives: usize,
    pub threshold: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub accuracy: f64,
    /// `None` when only one class is present.
    pub roc_auc: Option<f64>,
    pub pr_auc: Option<f64>,
    pub log_loss: f64,
    pub confusion: Confusion,
}

impl Metrics {
    pub fn compute(scores: &[f64], labels: &[bool], threshold: f64) -> Metrics {
        let c = Confusion::at(scores, labels, threshold);
        Metrics {
            n: scores.len(),
            positives: labels.iter().filter(|&&y| y).count(),
            threshold,
            precision: c.precision(),
            recall: c.recall(),
            f1: c.f1(),
            accuracy: c.accuracy(),
            roc_auc: roc_auc(scores, labels),
            pr_auc: average_precision(scores, labels),
            log_loss: log_loss(scores, labels),
            confusion: c,
        }
    }
}

/// Points where the threshold changes: (threshold, cumulative TP, cumulative FP), highest
/// threshold first.
fn curve(scores: &[f64], labels: &[bool]) -> Vec<(f64, u64, u64)> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut out = Vec::new();
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut i = 0;
    while i < idx.len() {
        let s = scores[idx[i]];
        while i < idx.len() && scores[idx[i]] == s {
            if labels[idx[i]] {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        out.push((s, tp, fp));
    }
    out
}

/// ROC curve points (false positive rate, true positive rate), from (0,0) to (1,1).
pub fn roc_points(scores: &[f64], labels: &[bool]) -> Vec<(f64, f64)> {
    let p = labels.iter().filter(|&&y| y).count() as f64;
    let n = labels.len() as f64 - p;
    let mut pts = vec![(0.0, 0.0)];
    if p == 0.0 || n == 0.0 {
        return pts;
    }
    for (_, tp, fp) in curve(scores, labels) {
        pts.push((fp as f64 / n, tp as f64 / p));
    }
    pts
}

/// Precision-recall points (recall, precision), by decreasing threshold.
pub fn pr_points(scores: &[f64], labels: &[bool]) -> Vec<(f64, f64)> {
    let p = labels.iter().filter(|&&y| y).count() as f64;
    if p == 0.0 {
        return Vec::new();
    }
    curve(scores, labels)
        .into_iter()
        .map(|(_, tp, fp)| (tp as f64 / p, tp as f64 / (tp + fp) as f64))
        .collect()
}

/// Area under the ROC curve (trapezoids; ties count one half). `None` with one class.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let p = labels.iter().filter(|&&y| y).count();
    if p == 0 || p == labels.len() {
        return None;
    }
    let pts = roc_points(scores, labels);
    Some(
        pts.windows(2)
            .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
            .sum(),
    )
}

/// Average precision (the step-wise area under the PR curve, as scikit-learn computes it).
pub fn average_precision(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let p = labels.iter().filter(|&&y| y).count();
    if p == 0 || p == labels.len() {
        return None;
    }
    let mut prev_recall = 0.0;
    let mut ap = 0.0;
    for (r, prec) in pr_points(scores, labels) {
        ap += (r - prev_recall) * prec;
        prev_recall = r;
    }
    Some(ap)
}

/// Mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15].
pub fn log_loss(scores: &[f64], labels: &[bool]) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    let s: f64 = scores
        .iter()
        .zip(labels)
        .map(|(&p, &y)| {
            let p = p.clamp(1e-15, 1.0 - 1e-15);
            if y { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum();
    s / scores.len() as f64
}

/// The threshold with the highest F1 (the lowest such threshold on ties).
pub fn best_f1_threshold(scores: &[f64], labels: &[bool]) -> f64 {
    let p = labels.iter().filter(|&&y| y).count() as f64;
    let mut best = (0.0, 0.5);
    for (t, tp, fp) in curve(scores, labels) {
        let prec = tp as f64 / (tp + fp) as f64;
        let rec = if p > 0.0 { tp as f64 / p } else { 0.0 };
        let f1 = if prec + rec > 0.0 {
            2.0 * prec * rec / (prec + rec)
        } else {
            0.0
        };
        if f1 >= best.0 {
            best = (f1, t);
        }
    }
    best.1
}

/// The lowest threshold whose precision reaches `target` (most recall at that precision);
/// `None` if no threshold does.
pub fn threshold_for_precision(scores: &[f64], labels: &[bool], target: f64) -> Option<f64> {
    let mut found = None;
    for (t, tp, fp) in curve(scores, labels) {
        if tp > 0 && tp as f64 / (tp + fp) as f64 >= target {
            found = Some(t);
        }
    }
    found
}

/// One calibration bin.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CalibrationBin {
    pub lo: f64,
    pub hi: f64,
    pub n: usize,
    pub mean_predicted: f64,
    pub observed_rate: f64,
}

/// Ten equal-width bins of predicted probability with the observed positive rate in each.
pub fn calibration(scores: &[f64], labels: &[bool]) -> Vec<CalibrationBin> {
    let mut bins: Vec<(usize, f64, usize)> = vec![(0, 0.0, 0); 10];
    for (&s, &y) in scores.iter().zip(labels) {
        let b = ((s * 10.0) as usize).min(9);
        bins[b].0 += 1;
        bins[b].1 += s;
        bins[b].2 += y as usize;
    }
    bins.into_iter()
        .enumerate()
        .map(|(i, (n, sum, pos))| CalibrationBin {
            lo: i as f64 / 10.0,
            hi: (i + 1) as f64 / 10.0,
            n,
            mean_predicted: if n > 0 { sum / n as f64 } else { 0.0 },
            observed_rate: if n > 0 { pos as f64 / n as f64 } else { 0.0 },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_inverted_auc() {
        let s = [0.9, 0.8, 0.2, 0.1];
        assert_eq!(roc_auc(&s, &[true, true, false, false]), Some(1.0));
        assert_eq!(roc_auc(&s, &[false, false, true, true]), Some(0.0));
        assert_eq!(
            average_precision(&s, &[true, true, false, false]),
            Some(1.0)
        );
    }

    #[test]
    fn auc_matches_sklearn_example() {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        let s = [0.1, 0.4, 0.35, 0.8];
        let y = [false, false, true, true];
        assert!((roc_auc(&s, &y).unwrap() - 0.75).abs() < 1e-12);
        // average_precision_score(...) == 0.8333...
        assert!((average_precision(&s, &y).unwrap() - 0.833_333_333_333_333_4).abs() < 1e-9);
    }

    #[test]
    fn ties_count_half() {
        assert_eq!(roc_auc(&[0.5, 0.5], &[true, false]), Some(0.5));
    }

    #[test]
    fn one_class_has_no_auc() {
        assert_eq!(roc_auc(&[0.1, 0.2], &[true, true]), None);
    }

    #[test]
    fn confusion_and_f1() {
        let c = Confusion::at(&[0.9, 0.6, 0.4, 0.1], &[true, false, true, false], 0.5);
        assert_eq!(
            c,
            Confusion {
                tp: 1,
                fp: 1,
                tn: 1,
                fn_: 1
            }
        );
        assert_eq!(c.f1(), 0.5);
    }

    #[test]
    fn thresholds() {
        let s = [0.9, 0.8, 0.7, 0.3, 0.2];
        let y = [true, true, false, true, false];
        assert_eq!(threshold_for_precision(&s, &y, 1.0), Some(0.8));
        let t = best_f1_threshold(&s, &y);
        assert!(t == 0.3 || t == 0.8, "{t}");
    }

    #[test]
    fn calibration_bins() {
        let b = calibration(&[0.05, 0.15, 0.95], &[false, true, true]);
        assert_eq!(b.len(), 10);
        assert_eq!(b[0].n, 1);
        assert_eq!(b[1].observed_rate, 1.0);
        assert_eq!(b[9].n, 1);
    }
}
