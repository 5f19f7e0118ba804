//! contentq: tell informative web text from promotional spam, fast and explainably, in
//! English and Chinese.
//!
//! The pipeline, in steps:
//!
//! 1. [`io`] reads documents from CSV or JSONL (plain, gzip or zstd; files, directories or
//!    stdin) as [`io::Record`]s, and reports unreadable records as [`io::RecordError`]s.
//! 2. [`features`] turns a text into a fixed vector of named, finite features: language and
//!    script shares, the boilerplate ratio from a line classifier, claim densities from
//!    English and Chinese cue lexicons, and the Gopher/C4/FineWeb/RedPajama quality signals.
//! 3. [`model`] scores the features with a logistic model (trained by [`model::train`] with
//!    linfa-logistic) and explains each score by its largest feature contributions.
//! 4. [`pipeline`] runs steps 1 to 3 in bounded chunks on a rayon pool and hands results to
//!    the writer in input order, so output is identical at any thread count.
//! 5. [`cli`] is the command line (`label`, `filter`, `features`, `train`, `eval`, `model`).
//!
//! ```
//! use contentq::{Extractor, Model};
//!
//! let model = Model::default_model().unwrap();
//! let extractor = Extractor::new();
//! let text = "Which hospital in Zhengzhou can cure vitiligo? Call 400-123-4567 for a free consultation!";
//! let analysis = model.analyze(&extractor, text);
//! let score = model.score(&analysis, 0);
//! assert!((0.0..=1.0).contains(&score.p));
//! println!("{} p={:.2}: {}", model.label_of(&score), score.p, model.reasons_text(&score, 3));
//! ```

pub mod cli;
pub mod error;
pub mod features;
pub mod io;
pub mod model;
pub mod pipeline;

pub use error::{Error, Result};
pub use features::{Extractor, Features};
pub use model::{Model, Score};
