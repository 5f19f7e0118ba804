//! The model loader on arbitrary strings.
//!
//! Invariants: `Model::from_json` never panics; a model it accepts scores any text to a
//! finite `p` in [0, 1] (checked on a few texts: empty, English, Chinese), and explaining a
//! score (`label_of`, `reasons_text`) does not panic either.
#![no_main]

mod common;

use contentq::Model;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(model) = Model::from_json(json, "fuzz") else {
        return;
    };
    common::check_scores(&model, String::new);
});
