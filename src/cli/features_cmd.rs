//! `contentq features`: the raw feature vector of every document, for analysis; `--list`
//! describes every feature (the table in FEATURES.md).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clap::Args;
use serde_json::{Map, Value, json};

use super::{ErrorSink, InputArgs, Progress, RunArgs, extractor, num, output_format, summary};
use crate::error::Result;
use crate::features::{FEATURES, Features, features_markdown};
use crate::io::output::{AtomicOutput, TableWriter};
use crate::io::{Format, Item, Record};
use crate::pipeline::{self, Event};

const FEATURES_HELP: &str = "Examples:
  contentq features data/sample.csv                     every feature, CSV to stdout
  contentq features pages.jsonl -o features.jsonl
  contentq features --list                              name, meaning, range, anchor of each";

/// Extract features.
#[derive(Debug, Args)]
#[command(after_help = FEATURES_HELP)]
pub struct FeaturesArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Print the feature table (Markdown) and exit.
    #[arg(long)]
    pub list: bool,

    /// Output file or - for stdout.
    #[arg(short, long, default_value = "-", value_name = "OUT")]
    pub output: PathBuf,

    /// Output format, when the output name does not tell (default: the input's format).
    #[arg(long, value_name = "csv|jsonl|parquet", value_parser = super::parse_format)]
    pub output_format: Option<Format>,

    #[command(flatten)]
    pub run: RunArgs,
}

struct Sink {
    out: Option<AtomicOutput>,
    writer: Option<TableWriter>,
    format: Format,
    forced: Option<Format>,
    path: PathBuf,
    errors: ErrorSink,
}

impl Sink {
    fn on_event(&mut self, e: Event<Features>) -> Result<()> {
        match e {
            Event::Input { format, .. } => {
                if self.writer.is_none() {
                    self.format = output_format(self.forced, &self.path, Some(format));
                    let out = self.out.take().expect("opened once");
                    let mut w = match self.format {
                        Format::Csv => TableWriter::csv(out),
                        Format::Jsonl => TableWriter::jsonl(out),
                        Format::Parquet => {
                            use arrow_schema::{DataType, Field};
                            let mut fields = vec![
                                Field::new("id", DataType::Utf8, false),
                                Field::new("lang", DataType::Utf8, false),
                                Field::new("truncated", DataType::Boolean, false),
                            ];
                            fields.extend(
                                FEATURES
                                    .iter()
                                    .map(|f| Field::new(f.name, DataType::Float64, false)),
                            );
                            TableWriter::parquet(out, None, fields)?
                        }
                    };
                    let mut cols = vec!["id", "lang", "truncated"];
                    cols.extend(FEATURES.iter().map(|f| f.name));
                    w.header(&cols)?;
                    self.writer = Some(w);
                }
                Ok(())
            }
            Event::Chunk(items) => {
                let w = self.writer.as_mut().expect("an Input event comes first");
                for (item, f) in items {
                    match item {
                        Item::Error(e) => self.errors.push(&e)?,
                        Item::Record(r) => {
                            let f = f.expect("records are scored");
                            match self.format {
                                Format::Csv => {
                                    let mut row = vec![
                                        r.id.clone(),
                                        f.lang.to_string(),
                                        f.truncated.to_string(),
                                    ];
                                    row.extend(f.values.iter().map(|v| num(*v)));
                                    w.write_csv(&row)?;
                                }
                                Format::Parquet => {
                                    use crate::io::parquet::Cell;
                                    let mut cells = vec![
                                        Cell::Str(r.id.clone()),
                                        Cell::Str(f.lang.to_string()),
                                        Cell::Bool(f.truncated),
                                    ];
                                    cells.extend(f.values.iter().map(|v| Cell::F64(*v)));
                                    w.write_parquet(None, cells)?;
                                }
                                Format::Jsonl => {
                                    let mut o = Map::new();
                                    o.insert("id".into(), Value::String(r.id.clone()));
                                    o.insert("lang".into(), Value::String(f.lang.into()));
                                    o.insert("truncated".into(), Value::Bool(f.truncated));
                                    for (info, v) in FEATURES.iter().zip(f.values.iter()) {
                                        o.insert(
                                            info.name.into(),
                                            json!(num(*v).parse::<f64>().unwrap_or(0.0)),
                                        );
                                    }
                                    w.write_json(&Value::Object(o))?;
                                }
                            }
                        }
                    }
                }
                Ok(())
            }
        }
    }
}

pub fn run(args: FeaturesArgs) -> Result<i32> {
    if args.list {
        print!("{}", features_markdown());
        return Ok(0);
    }
    let inputs = args.input.expand()?;
    let ex = extractor(args.run.max_bytes);
    let state = Arc::new(Mutex::new(Sink {
        out: Some(AtomicOutput::create(&args.output)?),
        writer: None,
        format: Format::Csv,
        forced: args.output_format,
        path: args.output.clone(),
        errors: ErrorSink::new(args.run.errors.as_deref(), &args.output, args.run.strict)?,
    }));
    let progress = Progress::new(args.run.quiet);
    let sink_state = state.clone();
    let stats = pipeline::run(
        inputs,
        args.input.read_options(),
        &args.run.pipeline_options(),
        move |r: &Record| ex.extract(&r.text),
        move |e| sink_state.lock().expect("sink lock").on_event(e),
        progress.callback(),
    );
    progress.finish();
    let stats = stats?;
    let s = super::take_shared(state)?;
    match (s.writer, s.out) {
        (Some(w), _) => w.commit()?,
        (None, Some(o)) => o.commit()?,
        (None, None) => {}
    }
    let errors_path = s.errors.finish()?;
    if !args.run.quiet {
        eprintln!(
            "{}",
            summary("extracted features of", &stats, "", errors_path.as_deref())
        );
    }
    Ok(if stats.errors > 0 { 1 } else { 0 })
}
