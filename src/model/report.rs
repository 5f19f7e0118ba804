//! The evaluation report: one self-contained HTML file with SVG charts (ROC curve,
//! precision-recall curve, score histogram per class, calibration) and the metric tables.
//! No scripts, no external assets: it opens from disk in any browser.

use std::fmt::Write;

use super::metrics::{self, CalibrationBin, Metrics};

const W: f64 = 360.0;
const H: f64 = 300.0;
const PAD: f64 = 40.0;

fn sx(x: f64) -> f64 {
    PAD + x * (W - 2.0 * PAD)
}
fn sy(y: f64) -> f64 {
    H - PAD - y * (H - 2.0 * PAD)
}

fn axes(s: &mut String, title: &str, xlabel: &str, ylabel: &str) {
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">
<text x="{}" y="16" text-anchor="middle" font-size="13" font-weight="bold">{title}</text>
<rect x="{PAD}" y="{PAD}" width="{}" height="{}" fill="none" stroke="#999"/>
<text x="{}" y="{}" text-anchor="middle">{xlabel}</text>
<text x="12" y="{}" text-anchor="middle" transform="rotate(-90 12 {})">{ylabel}</text>
"##,
        W / 2.0,
        W - 2.0 * PAD,
        H - 2.0 * PAD,
        W / 2.0,
        H - 8.0,
        H / 2.0,
        H / 2.0,
    );
    for t in [0.0, 0.5, 1.0] {
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" text-anchor="middle">{t}</text><text x="{}" y="{}" text-anchor="end">{t}</text>"##,
            sx(t),
            H - PAD + 14.0,
            PAD - 4.0,
            sy(t) + 4.0
        );
    }
}

fn polyline(s: &mut String, pts: &[(f64, f64)], color: &str) {
    let p: Vec<String> = pts
        .iter()
        .map(|(x, y)| format!("{:.1},{:.1}", sx(*x), sy(*y)))
        .collect();
    let _ = writeln!(
        s,
        r##"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"##,
        p.join(" ")
    );
}

/// ROC curve as SVG.
pub fn roc_svg(scores: &[f64], labels: &[bool]) -> String {
    let mut s = String::new();
    let auc = metrics::roc_auc(scores, labels).map_or("n/a".into(), |a| format!("{a:.3}"));
    axes(
        &mut s,
        &format!("ROC (AUC {auc})"),
        "false positive rate",
        "true positive rate",
    );
    polyline(&mut s, &[(0.0, 0.0), (1.0, 1.0)], "#ccc");
    polyline(&mut s, &metrics::roc_points(scores, labels), "#1f77b4");
    s.push_str("</svg>\n");
    s
}

/// Precision-recall curve as SVG.
pub fn pr_svg(scores: &[f64], labels: &[bool]) -> String {
    let mut s = String::new();
    let ap = metrics::average_precision(scores, labels).map_or("n/a".into(), |a| format!("{a:.3}"));
    axes(
        &mut s,
        &format!("Precision-recall (AP {ap})"),
        "recall",
        "precision",
    );
    let mut pts = vec![(0.0, 1.0)];
    pts.extend(metrics::pr_points(scores, labels));
    polyline(&mut s, &pts, "#d62728");
    s.push_str("</svg>\n");
    s
}

/// Score histograms of the two classes (20 bins), overlaid, as SVG.
pub fn histogram_svg(
    scores: &[f64],
    labels: &[bool],
    pos: &str,
    neg: &str,
    threshold: f64,
) -> String {
    let mut bins = [[0usize; 20]; 2];
    for (&p, &y) in scores.iter().zip(labels) {
        let b = ((p * 20.0) as usize).min(19);
        bins[y as usize][b] += 1;
    }
    let max = bins.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
    let mut s = String::new();
    axes(
        &mut s,
        "Score histogram per class",
        "p(positive)",
        "share of max bin",
    );
    for (class, color) in [(0usize, "#2ca02c"), (1, "#d62728")] {
        for (b, &c) in bins[class].iter().enumerate() {
            if c == 0 {
                continue;
            }
            let x0 = sx(b as f64 / 20.0);
            let x1 = sx((b + 1) as f64 / 20.0);
            let y = sy(c as f64 / max);
            let _ = writeln!(
                s,
                r##"<rect x="{x0:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{color}" fill-opacity="0.45"/>"##,
                x1 - x0,
                sy(0.0) - y
            );
        }
    }
    let tx = sx(threshold);
    let _ = writeln!(
        s,
        r##"<line x1="{tx:.1}" y1="{PAD}" x2="{tx:.1}" y2="{}" stroke="#000" stroke-dasharray="4 3"/>
<text x="{}" y="{}" fill="#2ca02c">{neg}</text><text x="{}" y="{}" fill="#d62728">{pos}</text>"##,
        H - PAD,
        PAD + 6.0,
        PAD + 14.0,
        PAD + 6.0,
        PAD + 28.0
    );
    s.push_str("</svg>\n");
    s
}

/// Calibration: mean predicted vs observed rate per bin, as SVG.
pub fn calibration_svg(bins: &[CalibrationBin]) -> String {
    let mut s = String::new();
    axes(&mut s, "Calibration", "mean predicted", "observed rate");
    polyline(&mut s, &[(0.0, 0.0), (1.0, 1.0)], "#ccc");
    let pts: Vec<(f64, f64)> = bins
        .iter()
        .filter(|b| b.n > 0)
        .map(|b| (b.mean_predicted, b.observed_rate))
        .collect();
    polyline(&mut s, &pts, "#9467bd");
    for (x, y) in pts {
        let _ = writeln!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#9467bd"/>"##,
            sx(x),
            sy(y)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A table row of metrics.
pub fn metrics_row(name: &str, m: &Metrics) -> String {
    let f = |o: Option<f64>| o.map_or("n/a".to_string(), |v| format!("{v:.3}"));
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td><td>{}</td><td>{}/{}/{}/{}</td></tr>\n",
        esc(name),
        m.n,
        m.positives,
        m.precision,
        m.recall,
        m.f1,
        f(m.roc_auc),
        f(m.pr_auc),
        m.confusion.tp,
        m.confusion.fp,
        m.confusion.tn,
        m.confusion.fn_
    )
}

/// The whole report page.
pub fn html(
    title: &str,
    scores: &[f64],
    labels: &[bool],
    pos: &str,
    neg: &str,
    threshold: f64,
    breakdown: &[(String, Metrics)],
) -> String {
    let overall = Metrics::compute(scores, labels, threshold);
    let calib = metrics::calibration(scores, labels);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<!doctype html><html><head><meta charset="utf-8"><title>{t}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}td:first-child{{text-align:left}}svg{{margin:4px}}</style>
</head><body><h1>{t}</h1>
<p>Positive class: <b>{pos}</b>; threshold {threshold:.4}.</p>
<div>"#,
        t = esc(title),
        pos = esc(pos)
    );
    s.push_str(&roc_svg(scores, labels));
    s.push_str(&pr_svg(scores, labels));
    s.push_str(&histogram_svg(scores, labels, pos, neg, threshold));
    s.push_str(&calibration_svg(&calib));
    s.push_str("</div>\n<h2>Metrics</h2>\n<table><tr><th>slice</th><th>n</th><th>positives</th><th>precision</th><th>recall</th><th>F1</th><th>ROC-AUC</th><th>PR-AUC</th><th>TP/FP/TN/FN</th></tr>\n");
    s.push_str(&metrics_row("all", &overall));
    for (name, m) in breakdown {
        s.push_str(&metrics_row(name, m));
    }
    s.push_str("</table>\n<h2>Calibration</h2>\n<table><tr><th>bin</th><th>n</th><th>mean predicted</th><th>observed rate</th></tr>\n");
    for b in &calib {
        let _ = writeln!(
            s,
            "<tr><td>[{:.1}, {:.1})</td><td>{}</td><td>{:.3}</td><td>{:.3}</td></tr>",
            b.lo, b.hi, b.n, b.mean_predicted, b.observed_rate
        );
    }
    s.push_str("</table></body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_is_self_contained_html() {
        let scores = [0.9, 0.7, 0.2, 0.1];
        let labels = [true, false, true, false];
        let h = html(
            "t",
            &scores,
            &labels,
            "promotional",
            "informative",
            0.5,
            &[],
        );
        assert!(h.starts_with("<!doctype html>"));
        assert_eq!(h.matches("<svg").count(), 4);
        assert!(!h.contains("<script"));
    }
}
