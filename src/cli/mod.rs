//! The command line: argument definitions and one module per subcommand.
//!
//! Arguments are parsed by clap (derive), then each subcommand's `run` turns them into a
//! checked configuration (inputs expanded, model loaded, outputs created) before any work
//! starts, so that a missing file or an unwritable output fails at once, with exit code 2
//! and nothing written.
//!
//! Exit codes: 0 success; 1 the run finished but some records could not be read (they are in
//! the errors file); 2 an error stopped the run (bad arguments, missing input, unwritable
//! output, unusable model, `--strict` and a bad record).

pub mod batch;
pub mod eval;
pub mod features_cmd;
pub mod filter;
pub mod label;
pub mod model_cmd;
pub mod stats_cmd;
pub mod train;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::error::{Error, Result};
use crate::features::Extractor;
use crate::io::output::AtomicOutput;
use crate::io::{Format, Input, ReadOptions, RecordError, expand_inputs};
use crate::model::Model;
use crate::pipeline::{PipelineOptions, RunStats};

const ABOUT: &str = "Tell informative web text from promotional spam, in English and Chinese.

contentq reads documents (CSV or JSONL, plain, gzip or zstd, files, directories or stdin),
extracts explainable features (language and script, boilerplate ratio, claim density, the
Gopher/C4/FineWeb quality signals) and scores each document with a logistic model.";

const AFTER_HELP: &str = "Examples:
  contentq label data/sample.csv                      label to stdout (CSV)
  contentq label docs.jsonl.zst -o labeled.jsonl      label a compressed JSONL file
  contentq filter crawl/ --keep informative -o kept.jsonl --rejected rejected.jsonl
  contentq train labeled.csv --group-column source -o my-model.json
  contentq eval dev.csv --model my-model.json --report report/
  contentq features --list                            what every feature means

Exit codes: 0 ok; 1 some records were unreadable (see the errors file); 2 the run stopped.";

/// The top-level command.
#[derive(Debug, Parser)]
#[command(name = "contentq", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    Label(label::LabelArgs),
    Filter(filter::FilterArgs),
    Features(features_cmd::FeaturesArgs),
    Train(train::TrainArgs),
    Eval(eval::EvalArgs),
    Model(model_cmd::ModelArgs),
    Stats(stats_cmd::StatsArgs),
}

/// Options shared by the commands that read documents.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Input files or directories (CSV or JSONL, optionally .gz/.zst, or Parquet); - reads stdin.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Input format, when the file name does not tell (stdin is sniffed: `{` means JSONL).
    #[arg(long, value_name = "csv|jsonl|parquet", value_parser = parse_format)]
    pub format: Option<Format>,

    /// Column (CSV) or field (JSONL) holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_column: String,

    /// Column or field holding the document id; without one the id is <file>:<record>.
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,
}

impl InputArgs {
    /// Reading options from the arguments.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            format: self.format,
            text_field: self.text_column.clone(),
            id_field: self.id_column.clone().unwrap_or_else(|| "id".into()),
            id_field_explicit: self.id_column.is_some(),
            blank_lines_are_records: false,
        }
    }

    /// Expand directories, with a short unique name per input (for per-file outputs).
    pub fn expand_named(&self) -> Result<Vec<(Input, String)>> {
        if self.inputs.is_empty() {
            return Err(Error::Usage(
                "no INPUT given: name files or directories (see --help)".into(),
            ));
        }
        crate::io::expand_inputs_named(&self.inputs)
    }

    /// Expand directories and check that every path exists.
    pub fn expand(&self) -> Result<Vec<Input>> {
        if self.inputs.is_empty() {
            return Err(Error::Usage(
                "no INPUT given: name files or directories, or - for stdin (see --help)".into(),
            ));
        }
        let inputs = expand_inputs(&self.inputs)?;
        if inputs.is_empty() {
            return Err(Error::OpenInput {
                path: self.inputs[0].clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no .csv/.jsonl files in it",
                ),
            });
        }
        Ok(inputs)
    }
}

/// Options shared by the commands that run the pipeline.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// Scoring threads (default: all cores). Output is identical at any count.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// Where unreadable records go (JSONL: file, line, record, reason). Default:
    /// <output>.errors.jsonl beside a file output, stderr when writing to stdout.
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,

    /// Stop at the first unreadable record instead of collecting it in the errors file.
    #[arg(long)]
    pub strict: bool,

    /// Read at most this many bytes of each document's text for features (longer texts are
    /// cut and flagged `truncated`).
    #[arg(long, default_value_t = crate::features::DEFAULT_MAX_BYTES, value_name = "BYTES")]
    pub max_bytes: usize,

    /// No progress bar and no summary line.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl RunArgs {
    pub fn pipeline_options(&self) -> PipelineOptions {
        let mut o = PipelineOptions::default();
        if let Some(t) = self.threads {
            o.threads = t.max(1);
        }
        o
    }
}

fn parse_format(s: &str) -> std::result::Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("unknown format `{s}`: use csv, jsonl or parquet"))
}

/// The sink state a pipeline run shared with its event callback, back with one owner once
/// the run is over.
pub fn take_shared<T>(state: std::sync::Arc<std::sync::Mutex<T>>) -> Result<T> {
    let state = std::sync::Arc::try_unwrap(state)
        .map_err(|_| Error::Io(std::io::Error::other("output still in use")))?;
    Ok(state.into_inner().expect("sink lock"))
}

/// Load `--model FILE`, or the embedded default.
pub fn load_model(path: Option<&Path>) -> Result<Model> {
    match path {
        Some(p) => Model::load(p),
        None => Model::default_model(),
    }
}

/// The output format: forced, else from the output's name, else the input's format.
pub fn output_format(forced: Option<Format>, output: &Path, input: Option<Format>) -> Format {
    forced
        .or_else(|| Format::from_path(output))
        .or(input)
        .unwrap_or(Format::Csv)
}

/// Where unreadable records are written.
pub struct ErrorSink {
    out: Option<AtomicOutput>,
    path: Option<PathBuf>,
    /// The default path, removed when this run has no errors (so a stale file from an
    /// earlier run cannot be mistaken for this run's).
    stale: Option<PathBuf>,
    strict: bool,
    pub count: u64,
}

impl ErrorSink {
    /// Errors for a run writing to `output`.
    pub fn new(explicit: Option<&Path>, output: &Path, strict: bool) -> Result<ErrorSink> {
        let (path, stale) = match explicit {
            Some(p) => (Some(p.to_path_buf()), None),
            None if output.as_os_str() == "-" => (None, None),
            None => {
                let mut name = output.as_os_str().to_owned();
                name.push(".errors.jsonl");
                let p = PathBuf::from(name);
                (Some(p.clone()), Some(p))
            }
        };
        let out = match &path {
            Some(p) => Some(AtomicOutput::create(p)?),
            None => None,
        };
        Ok(ErrorSink {
            out,
            path,
            stale,
            strict,
            count: 0,
        })
    }

    /// Record one unreadable record (or stop, under `--strict`).
    pub fn push(&mut self, e: &RecordError) -> Result<()> {
        if self.strict {
            return Err(Error::Strict(e.to_string()));
        }
        self.count += 1;
        match &mut self.out {
            Some(o) => {
                serde_json::to_writer(&mut *o, e)?;
                o.write_all(b"\n")?;
            }
            None => eprintln!("contentq: skipped {e}"),
        }
        Ok(())
    }

    /// Commit the errors file if there were errors; otherwise remove a stale default one.
    pub fn finish(self) -> Result<Option<PathBuf>> {
        if self.count == 0 {
            drop(self.out);
            if let Some(p) = self.stale {
                let _ = std::fs::remove_file(p);
            }
            return Ok(None);
        }
        if let Some(o) = self.out {
            o.commit()?;
        }
        Ok(self.path)
    }
}

/// A progress display on stderr when it is a terminal.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {elapsed_precise} {human_pos} docs, {msg}",
            )
            .expect("static template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar: Some(bar) }
    }

    /// A callback for the pipeline.
    pub fn callback(&self) -> impl FnMut(u64, u64) + Send + 'static {
        let bar = self.bar.clone();
        let start = std::time::Instant::now();
        move |docs, bytes| {
            if let Some(b) = &bar {
                b.set_position(docs);
                let secs = start.elapsed().as_secs_f64().max(1e-9);
                let mb = bytes as f64 / 1e6;
                b.set_message(format!("{mb:.1} MB, {:.1} MB/s", mb / secs));
            }
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// The one-line summary printed at the end of a run.
pub fn summary(verb: &str, stats: &RunStats, extra: &str, errors: Option<&Path>) -> String {
    let secs = stats.elapsed.as_secs_f64().max(1e-9);
    let mb = stats.bytes as f64 / 1e6;
    let mut s = format!(
        "contentq: {verb} {} documents ({mb:.1} MB) in {secs:.2} s, {:.1} MB/s, {:.0} docs/s",
        stats.records,
        mb / secs,
        stats.records as f64 / secs
    );
    if !extra.is_empty() {
        s.push_str("; ");
        s.push_str(extra);
    }
    if stats.errors > 0 {
        match errors {
            Some(p) => s.push_str(&format!(
                "; {} unreadable records written to {}",
                stats.errors,
                p.display()
            )),
            None => s.push_str(&format!(
                "; {} unreadable records (see above)",
                stats.errors
            )),
        }
    }
    s
}

/// A number as output text: fixed six decimals with trailing zeros trimmed.
pub fn num(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Build the shared extractor.
pub fn extractor(max_bytes: usize) -> Extractor {
    Extractor::new().with_max_bytes(max_bytes)
}

/// Run a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Label(a) => label::run(a),
        Command::Filter(a) => filter::run(a),
        Command::Features(a) => features_cmd::run(a),
        Command::Train(a) => train::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Model(a) => model_cmd::run(a),
        Command::Stats(a) => stats_cmd::run(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_compactly() {
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(1.0), "1");
        assert_eq!(num(0.1234567), "0.123457");
        assert_eq!(num(-0.0000001), "0");
    }

    #[test]
    fn cli_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
