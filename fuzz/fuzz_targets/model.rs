//! The model loader on arbitrary strings.
//!
//! Invariants: `Model::from_json` never panics; a model it accepts scores any text to a
//! finite `p` in [0, 1] (checked on a few texts: empty, English, Chinese), and explaining a
//! score (`label_of`, `reasons_text`) does not panic either.
#![no_main]

use std::sync::OnceLock;

use contentq::{Extractor, Model};
use libfuzzer_sys::fuzz_target;

const TEXTS: &[&str] = &[
    "",
    "some text",
    "Call now for a FREE consultation!!! Guaranteed cure in 3 days. Book now: 400-123-4567",
    "The study followed 120 patients for two years (Smith et al., 2019); results were mixed.",
    "郑州哪家医院治疗白癜风好？专家免费咨询，立即预约，包治包好！",
];

fn extractor() -> &'static Extractor {
    static E: OnceLock<Extractor> = OnceLock::new();
    E.get_or_init(Extractor::new)
}

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(model) = Model::from_json(json, "fuzz") else {
        return;
    };
    for text in TEXTS {
        let analysis = model.analyze(extractor(), text);
        let score = model.score(&analysis, 3);
        assert!(
            score.p.is_finite() && (0.0..=1.0).contains(&score.p),
            "p = {} for {text:?}",
            score.p
        );
        let _ = model.label_of(&score);
        let _ = model.reasons_text(&score, 3);
    }
});
