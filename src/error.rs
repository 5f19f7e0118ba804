//! The library's error type.
//!
//! Every variant carries what a user needs to fix the problem: the file, the column, the
//! model field. Errors about single records (a malformed line, a missing text field) are not
//! here: they are [`crate::io::RecordError`] values that go to the errors file while the run
//! goes on.

use std::path::PathBuf;

/// Result alias for the library.
pub type Result<T> = std::result::Result<T, Error>;

/// What can go wrong in contentq.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input path does not exist or cannot be opened.
    #[error("cannot open input {path}: {source} (check the path; use - for stdin)")]
    OpenInput {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The input format could not be told from the file name.
    #[error(
        "cannot tell the format of {0}: name it .csv or .jsonl (optionally .gz/.zst), or pass --format csv|jsonl"
    )]
    UnknownFormat(String),

    /// A CSV input has no column of the requested name.
    #[error(
        "{file}: no column named `{column}` (columns: {available}); pass --{flag} with one of them"
    )]
    MissingColumn {
        file: String,
        column: String,
        available: String,
        flag: &'static str,
    },

    /// CSV inputs of one run have different headers, which one CSV output cannot hold.
    #[error(
        "{file}: its CSV header differs from the first input's; write JSONL output (-o out.jsonl) or run the files separately"
    )]
    HeaderMismatch { file: String },

    /// An output cannot be created or written.
    #[error("cannot write {path}: {source} (check that the directory exists and is writable)")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A record was bad and `--strict` was given.
    #[error(
        "{0} (stopped because of --strict; drop --strict to collect bad records in the errors file and go on)"
    )]
    Strict(String),

    /// The model file is not valid JSON or misses fields (truncated, or not a model).
    #[error(
        "model {path}: not a contentq model ({reason}); retrain it with `contentq train` or check the path"
    )]
    ModelParse { path: String, reason: String },

    /// The model file has a format version this build does not read.
    #[error(
        "model {path}: format version {found}, this contentq reads version {expected}; retrain it with this version: `contentq train LABELED.csv -o {path}`"
    )]
    ModelVersion {
        path: String,
        found: u32,
        expected: u32,
    },

    /// The model uses features this build does not compute.
    #[error(
        "model {path}: unknown feature `{name}` (this build computes {known} features; see `contentq features --list`); retrain the model with this version"
    )]
    ModelFeature {
        path: String,
        name: String,
        known: usize,
    },

    /// The model's numbers are unusable (non-finite weights, zero deviations, bad threshold).
    #[error("model {path}: {reason}; retrain it with `contentq train`")]
    ModelInvalid { path: String, reason: String },

    /// Training data cannot produce a model.
    #[error("{0}")]
    Training(String),

    /// The solver failed.
    #[error("logistic regression failed: {0}")]
    Solver(String),

    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),

    /// Plain I/O.
    #[error(transparent)]
    Io(#[from] std::io::Error),

    /// JSON serialisation.
    #[error(transparent)]
    Json(#[from] serde_json::Error),

    /// CSV serialisation.
    #[error(transparent)]
    Csv(#[from] csv::Error),
}

impl Error {
    /// Is this error a broken pipe (the reader went away, as with `| head`)?
    pub fn is_broken_pipe(&self) -> bool {
        if let Error::Json(e) = self {
            return e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe);
        }
        let io = match self {
            Error::Io(e) => Some(e),
            Error::Output { source, .. } => Some(source),
            Error::Csv(e) => match e.kind() {
                csv::ErrorKind::Io(e) => Some(e),
                _ => None,
            },
            _ => None,
        };
        io.is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
