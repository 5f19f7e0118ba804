//! The model loader on well-formed model files with arbitrary values.
//!
//! The `model` target mutates JSON text, which rarely turns a number into an extreme one. Here
//! the fuzz input chooses the values instead: threshold, intercept, each feature's name (a
//! real feature, `lexical_words`, or an arbitrary string), transform, means, deviations and
//! weight (any f64, extremes included), and an optional lexical table. The model file is
//! written as JSON and loaded with `Model::from_json`, as a file from disk would be.
//!
//! Invariants: the same as the `model` target: loading never panics, and a model it accepts
//! scores every text to a finite `p` in [0, 1] without panicking while explaining it.
#![no_main]

mod common;

use contentq::Model;
use contentq::features::FEATURES;
use contentq::model::lexical::{LEXICAL_WORDS, LexicalEntry, LexicalParams, LexicalTable};
use contentq::model::{Labels, MODEL_FORMAT, MODEL_VERSION, ModelFeature, ModelFile};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// An f64 that is often ordinary and sometimes extreme.
fn number(u: &mut Unstructured) -> Result<f64> {
    Ok(match u.int_in_range(0u8..=7)? {
        0 => 0.0,
        1 => 1.0,
        2 => -1.0,
        3 => *u.choose(&[
            f64::MAX,
            -f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            1e308,
            -1e308,
            1e-300,
        ])?,
        4 => f64::from(u.arbitrary::<i16>()?) / 16.0,
        _ => u.arbitrary::<f64>()?,
    })
}

fn model_file(u: &mut Unstructured) -> Result<ModelFile> {
    let n_features = u.int_in_range(0..=6)?;
    let mut features = Vec::with_capacity(n_features);
    for _ in 0..n_features {
        let name = match u.int_in_range(0u8..=9)? {
            0 => LEXICAL_WORDS.to_string(),
            1 => u.arbitrary::<String>()?,
            _ => u.choose(FEATURES)?.name.to_string(),
        };
        let transform = match u.int_in_range(0u8..=4)? {
            0 => u.arbitrary::<String>()?,
            1 | 2 => "identity".to_string(),
            _ => "log1p".to_string(),
        };
        features.push(ModelFeature {
            name,
            transform,
            mean: [number(u)?, number(u)?],
            std: [number(u)?, number(u)?],
            weight: number(u)?,
        });
    }
    let lexical = if u.arbitrary()? {
        let n = u.int_in_range(0..=8)?;
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let hash = if u.ratio(1, 8)? {
                u.arbitrary::<String>()?
            } else {
                format!("{:016x}", u.arbitrary::<u64>()?)
            };
            entries.push(LexicalEntry {
                hash,
                ratio: number(u)? as f32,
                text: u.arbitrary()?,
            });
        }
        Some(LexicalTable {
            params: LexicalParams::default(),
            entries,
        })
    } else {
        None
    };
    Ok(ModelFile {
        format: MODEL_FORMAT.into(),
        version: MODEL_VERSION,
        contentq_version: "0.1.0".into(),
        labels: Labels {
            positive: u.arbitrary()?,
            negative: u.arbitrary()?,
        },
        threshold: if u.arbitrary()? { number(u)? } else { 0.5 },
        intercept: number(u)?,
        features,
        lexical,
        training: serde_json::Value::Null,
    })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(file) = model_file(&mut u) else {
        return;
    };
    // Non-finite numbers are written as `null`, which the loader must reject, not panic on.
    let Ok(json) = serde_json::to_string(&file) else {
        return;
    };
    let Ok(model) = Model::from_json(&json, "fuzz") else {
        return;
    };
    common::check_scores(&model, || format!(" with model {json}"));
});
