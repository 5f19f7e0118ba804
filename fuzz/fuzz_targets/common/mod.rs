//! What the model-loader targets share: the texts a loaded model must score, and the check.

use std::sync::OnceLock;

use contentq::{Extractor, Model};

/// Texts every accepted model scores: empty, plain, an English advert, an informative
/// sentence, a Chinese advert.
pub const TEXTS: &[&str] = &[
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

/// A model that loaded scores every text of [`TEXTS`] to a finite `p` in [0, 1], and
/// explaining the score does not panic. `context()` is added to the failure message.
pub fn check_scores(model: &Model, context: impl Fn() -> String) {
    for text in TEXTS {
        let analysis = model.analyze(extractor(), text);
        let score = model.score(&analysis, 3);
        assert!(
            score.p.is_finite() && (0.0..=1.0).contains(&score.p),
            "p = {} for {text:?}{}",
            score.p,
            context()
        );
        let _ = model.label_of(&score);
        let _ = model.reasons_text(&score, 3);
    }
}
