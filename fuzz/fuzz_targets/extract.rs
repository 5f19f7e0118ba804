//! The feature extractor on arbitrary text.
//!
//! Invariants: `normalize` and `extract` never panic, and every feature value is finite and
//! inside the numeric range `FEATURES` documents for it (ranges that are not plain numbers,
//! such as `[0, lines]`, are only checked to be >= their lower bound). The text is the input
//! as UTF-8 (invalid bytes replaced), extracted twice: with the default cap and with a cap of
//! a few bytes, so cutting at a character boundary is exercised too.
#![no_main]

use std::sync::OnceLock;

use contentq::Extractor;
use contentq::features::{FEATURES, normalize::normalize};
use libfuzzer_sys::fuzz_target;

fn extractors() -> &'static (Extractor, Extractor) {
    static E: OnceLock<(Extractor, Extractor)> = OnceLock::new();
    E.get_or_init(|| (Extractor::new(), Extractor::new().with_max_bytes(7)))
}

/// Bounds of a documented range such as `[0, 1]` or `[0, 2^20]`; `None` for a bound that is
/// not a number.
fn bounds(range: &str) -> (Option<f64>, Option<f64>) {
    let inner = range.trim().trim_start_matches('[').trim_end_matches(']');
    let Some((lo, hi)) = inner.split_once(',') else {
        return (None, None);
    };
    let num = |s: &str| -> Option<f64> {
        let s = s.trim();
        match s.split_once('^') {
            Some((b, e)) => Some(b.trim().parse::<f64>().ok()?.powf(e.trim().parse().ok()?)),
            None => s.parse().ok(),
        }
    };
    (num(lo), num(hi))
}

fn check(text: &str, extractor: &Extractor) {
    let f = extractor.extract(text);
    assert_eq!(f.values.len(), FEATURES.len());
    for (v, info) in f.values.iter().zip(FEATURES) {
        assert!(v.is_finite(), "feature {} is {v} (not finite)", info.name);
        let (lo, hi) = bounds(info.range);
        if let Some(lo) = lo {
            assert!(
                *v >= lo,
                "feature {} = {v} is below its range {}",
                info.name,
                info.range
            );
        }
        if let Some(hi) = hi {
            assert!(
                *v <= hi,
                "feature {} = {v} is above its range {}",
                info.name,
                info.range
            );
        }
    }
    assert_eq!(f.truncated, text.len() > extractor.max_bytes());
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = normalize(&text);
    let (full, small) = extractors();
    check(&text, full);
    check(&text, small);
});
