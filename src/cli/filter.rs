//! `contentq filter`: split a dataset into kept and rejected documents, each in its original
//! form, the rejected ones carrying the reason, with datatrove-style counters.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clap::{Args, ValueEnum};
use serde_json::{Map, Value, json};

use super::batch::{BatchArgs, Outcome, batch_summary, run_files};
use super::label::{
    Labeled, insert_metadata, original_fields, original_object, schema_header, score_record,
};
use super::{
    ErrorSink, InputArgs, Progress, RunArgs, extractor, load_model, num, output_format, summary,
};
use crate::error::{Error, Result};
use crate::io::output::{AtomicOutput, TableWriter};
use crate::io::parquet::Cell;
use crate::io::{Format, Item, Original, Record};
use crate::model::Model;
use crate::pipeline::{self, Event};

const FILTER_HELP: &str = "Examples:
  contentq filter crawl.jsonl.zst --keep informative -o kept.jsonl --rejected rejected.jsonl
  contentq filter pages.csv --keep informative --threshold 0.8 -o kept.csv --rejected rej.csv --stats stats.json
  contentq filter shards/ --keep promotional -o ads.jsonl --rejected rest.jsonl

Every input document goes to exactly one of KEPT and REJECTED, unchanged. Rejected JSONL
records get metadata.filter_reason and metadata.contentq (label, probability, reasons);
rejected CSV rows get filter_reason and p_promotional columns. Unreadable records go to
the errors file. kept + rejected + errors = input records, always.";

/// Which label to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Keep {
    Informative,
    Promotional,
}

/// Keep one label, reject the other.
#[derive(Debug, Args)]
#[command(after_help = FILTER_HELP)]
pub struct FilterArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The label to keep.
    #[arg(long, value_enum)]
    pub keep: Keep,

    /// Threshold on p(promotional) (default: the model's). A document is promotional when
    /// p >= threshold.
    #[arg(long, value_name = "P")]
    pub threshold: Option<f64>,

    /// Where kept documents go (- for stdout).
    #[arg(
        short,
        long,
        value_name = "KEPT",
        required_unless_present = "output_dir"
    )]
    pub output: Option<PathBuf>,

    /// Where rejected documents go, with their reason.
    #[arg(
        long,
        value_name = "REJ",
        required_unless_present = "output_dir",
        conflicts_with = "output_dir"
    )]
    pub rejected: Option<PathBuf>,

    /// Also write the counts (per label and per reason) as JSON.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,

    /// Output format, when the output names do not tell (default: the input's format).
    #[arg(long, value_name = "csv|jsonl|parquet", value_parser = super::parse_format)]
    pub output_format: Option<Format>,

    /// Model file (default: the model compiled into contentq).
    #[arg(long, short, value_name = "MODEL.json")]
    pub model: Option<PathBuf>,

    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub batch: BatchArgs,
}

struct Side {
    out: Option<AtomicOutput>,
    writer: Option<TableWriter>,
    path: PathBuf,
    format: Format,
}

impl Side {
    fn open(
        &mut self,
        forced: Option<Format>,
        input: Format,
        header: Option<&csv::StringRecord>,
        schema: Option<&arrow_schema::SchemaRef>,
        extra: &[&str],
    ) -> Result<()> {
        self.format = output_format(forced, &self.path, Some(input));
        let out = self.out.take().expect("opened once");
        let mut w = match self.format {
            Format::Csv => TableWriter::csv(out),
            Format::Jsonl => TableWriter::jsonl(out),
            Format::Parquet => {
                let Some(schema) = schema else {
                    return Err(Error::Usage(format!(
                        "{}: filter writes Parquet only from Parquet input (it keeps each record's columns); write .jsonl or .csv",
                        self.path.display()
                    )));
                };
                // Rejected rows carry the reason and the probability in `contentq_*` columns.
                let fields = extra
                    .iter()
                    .map(|name| {
                        let t = if name.starts_with("p_") {
                            arrow_schema::DataType::Float64
                        } else {
                            arrow_schema::DataType::Utf8
                        };
                        arrow_schema::Field::new(format!("contentq_{name}"), t, false)
                    })
                    .collect();
                TableWriter::parquet(out, Some(schema.clone()), fields)?
            }
        };
        if self.format == Format::Csv {
            let mut cols: Vec<String> = match header {
                Some(h) => h.iter().map(String::from).collect(),
                None => vec!["id".into(), "text".into()],
            };
            cols.extend(extra.iter().map(|s| s.to_string()));
            w.header(&cols)?;
        }
        self.writer = Some(w);
        Ok(())
    }
}

struct FilterSink {
    model: Arc<Model>,
    keep_positive: bool,
    threshold: f64,
    kept: Side,
    rejected: Side,
    errors: ErrorSink,
    forced: Option<Format>,
    header: Option<csv::StringRecord>,
    schema: Option<arrow_schema::SchemaRef>,
    started: bool,
    n_kept: u64,
    n_rejected: u64,
    by_label: BTreeMap<String, u64>,
    dropped: BTreeMap<String, u64>,
}

impl FilterSink {
    fn on_event(&mut self, e: Event<Labeled>) -> Result<()> {
        match e {
            Event::Input {
                name,
                format,
                header,
                schema,
            } => {
                let header = header.or_else(|| schema.as_ref().map(schema_header));
                if !self.started {
                    let p_col = format!("p_{}", self.model.labels().positive);
                    self.kept
                        .open(self.forced, format, header.as_ref(), schema.as_ref(), &[])?;
                    self.rejected.open(
                        self.forced,
                        format,
                        header.as_ref(),
                        schema.as_ref(),
                        &["filter_reason", &p_col],
                    )?;
                    self.started = true;
                } else if (header != self.header || schema != self.schema)
                    && [self.kept.format, self.rejected.format]
                        .iter()
                        .any(|f| *f != Format::Jsonl)
                {
                    return Err(Error::HeaderMismatch { file: name });
                }
                self.header = header;
                self.schema = schema;
                Ok(())
            }
            Event::Chunk(items) => {
                for (item, l) in items {
                    match item {
                        Item::Error(e) => self.errors.push(&e)?,
                        Item::Record(r) => {
                            self.on_record(&r, l.as_ref().expect("records are scored"))?
                        }
                    }
                }
                Ok(())
            }
        }
    }

    fn on_record(&mut self, r: &Record, l: &Labeled) -> Result<()> {
        let positive = l.score.p >= self.threshold;
        let labels = self.model.labels();
        let label = if positive {
            &labels.positive
        } else {
            &labels.negative
        }
        .clone();
        *self.by_label.entry(label.clone()).or_insert(0) += 1;
        if positive == self.keep_positive {
            self.n_kept += 1;
            return write_original(&mut self.kept, r, self.header.as_ref(), None);
        }
        self.n_rejected += 1;
        // The reason: the label, the probability against the threshold, and what drove it.
        let mut score = l.score.clone();
        score.positive = positive;
        let top = self.model.top_reasons(&score, 1);
        let code = match top.first() {
            Some(c) => format!("{label}:{}", c.name),
            None => label.clone(),
        };
        *self.dropped.entry(format!("dropped_{label}")).or_insert(0) += 1;
        *self.dropped.entry(format!("dropped_{code}")).or_insert(0) += 1;
        let cmp = if positive { ">=" } else { "<" };
        let reason = format!(
            "{label} (p_{}={} {cmp} {}): {}",
            labels.positive,
            num(l.score.p),
            num(self.threshold),
            self.model.reasons_text(&score, 3)
        );
        let extra = Rejection {
            reason,
            p: l.score.p,
            label,
            code,
        };
        write_original(&mut self.rejected, r, self.header.as_ref(), Some(&extra))
    }
}

struct Rejection {
    reason: String,
    p: f64,
    label: String,
    code: String,
}

fn write_original(
    side: &mut Side,
    r: &Record,
    header: Option<&csv::StringRecord>,
    rej: Option<&Rejection>,
) -> Result<()> {
    let w = side.writer.as_mut().expect("opened at the first input");
    match side.format {
        Format::Csv => {
            let mut row: Vec<String> =
                original_fields(r).unwrap_or_else(|| vec![r.id.clone(), r.text.clone()]);
            if let Some(x) = rej {
                row.push(x.reason.clone());
                row.push(num(x.p));
            }
            w.write_csv(&row)
        }
        Format::Parquet => {
            let Original::Arrow { batch, row } = &r.original else {
                unreachable!("Parquet filter outputs are opened only for Parquet input")
            };
            let cells = match rej {
                Some(x) => vec![Cell::Str(x.reason.clone()), Cell::F64(x.p)],
                None => Vec::new(),
            };
            w.write_parquet(Some((batch.clone(), *row)), cells)
        }
        Format::Jsonl => {
            let mut o: Map<String, Value> = original_object(r, header);
            if !matches!(r.original, Original::Json(_)) && !o.contains_key("id") {
                o.insert("id".into(), Value::String(r.id.clone()));
            }
            if let Some(x) = rej {
                insert_metadata(&mut o, "filter_reason", Value::String(x.code.clone()));
                insert_metadata(
                    &mut o,
                    "contentq",
                    json!({"label": x.label, "p": x.p, "reason": x.reason}),
                );
            }
            w.write_json(&Value::Object(o))
        }
    }
}

/// What one filtering job reports.
struct FilterOutcome {
    stats: crate::pipeline::RunStats,
    report: serde_json::Value,
    errors_path: Option<PathBuf>,
    kept: u64,
    rejected: u64,
    dropped: BTreeMap<String, u64>,
}

/// Where one filtering job writes.
struct FilterPaths<'a> {
    kept: &'a std::path::Path,
    rejected: &'a std::path::Path,
    stats: Option<&'a std::path::Path>,
    errors: Option<&'a std::path::Path>,
}

/// Filter `inputs` into the kept and rejected outputs (and the stats file, when given).
fn filter_job(
    args: &FilterArgs,
    model: &Arc<Model>,
    threshold: f64,
    inputs: Vec<crate::io::Input>,
    paths: FilterPaths,
    quiet: bool,
    record_shard: Option<(u64, u64)>,
) -> Result<FilterOutcome> {
    let ex = extractor(args.run.max_bytes);
    let keep_positive = match args.keep {
        Keep::Promotional => model.labels().positive == "promotional",
        Keep::Informative => model.labels().positive != "promotional",
    };
    let stats_out = match paths.stats {
        Some(p) => Some(AtomicOutput::create(p)?),
        None => None,
    };
    let side = |p: &std::path::Path| -> Result<Side> {
        Ok(Side {
            out: Some(AtomicOutput::create(p)?),
            writer: None,
            path: p.to_path_buf(),
            format: Format::Csv,
        })
    };
    let state = Arc::new(Mutex::new(FilterSink {
        model: model.clone(),
        keep_positive,
        threshold,
        kept: side(paths.kept)?,
        rejected: side(paths.rejected)?,
        errors: ErrorSink::new(paths.errors, paths.kept, args.run.strict)?,
        forced: args.output_format,
        header: None,
        schema: None,
        started: false,
        n_kept: 0,
        n_rejected: 0,
        by_label: BTreeMap::new(),
        dropped: BTreeMap::new(),
    }));
    let progress = Progress::new(quiet);
    let sink_state = state.clone();
    let score_model = model.clone();
    let mut popts = args.run.pipeline_options();
    popts.record_shard = record_shard;
    let stats = pipeline::run(
        inputs,
        args.input.read_options(),
        &popts,
        move |r: &Record| score_record(&score_model, &ex, &r.text, 3, false),
        move |e| sink_state.lock().expect("sink lock").on_event(e),
        progress.callback(),
    );
    progress.finish();
    let stats = stats?;
    let s = super::take_shared(state)?;
    for side in [s.kept, s.rejected] {
        match (side.writer, side.out) {
            (Some(w), _) => w.commit()?,
            (None, Some(o)) => o.commit()?,
            (None, None) => {}
        }
    }
    let errors_path = s.errors.finish()?;
    let report = json!({
        "input_records": stats.records + stats.errors,
        "kept": s.n_kept,
        "rejected": s.n_rejected,
        "errors": stats.errors,
        "keep": match args.keep { Keep::Informative => "informative", Keep::Promotional => "promotional" },
        "threshold": threshold,
        "by_label": s.by_label,
        "dropped": s.dropped,
        "bytes": stats.bytes,
    });
    if let Some(mut o) = stats_out {
        use std::io::Write;
        serde_json::to_writer_pretty(&mut o, &report)?;
        o.write_all(b"\n")?;
        o.commit()?;
    }
    Ok(FilterOutcome {
        stats,
        report,
        errors_path,
        kept: s.n_kept,
        rejected: s.n_rejected,
        dropped: s.dropped,
    })
}

fn print_reasons(dropped: &BTreeMap<String, u64>) {
    let top: Vec<String> = dropped
        .iter()
        .filter(|(k, _)| k.contains(':'))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !top.is_empty() {
        eprintln!("contentq: rejected by main reason: {}", top.join(", "));
    }
}

pub fn run(args: FilterArgs) -> Result<i32> {
    let model = Arc::new(load_model(args.model.as_deref())?);
    let threshold = args.threshold.unwrap_or(model.threshold());
    if !(0.0..=1.0).contains(&threshold) {
        return Err(Error::Usage(format!(
            "--threshold must be in [0, 1], got {threshold}"
        )));
    }
    if args.batch.output_dir.is_some() {
        let named = args.input.expand_named()?;
        let start = std::time::Instant::now();
        let mut dropped: BTreeMap<String, u64> = BTreeMap::new();
        let (mut kept, mut rejected) = (0u64, 0u64);
        let totals = run_files(&args.batch, named, |job| {
            let format = args
                .output_format
                .or(args.input.format)
                .or_else(|| match &job.input {
                    crate::io::Input::File(p) => Format::from_path(p),
                    crate::io::Input::Stdin => None,
                })
                .unwrap_or(Format::Csv);
            let (k, r, st) = (
                job.path(&format!("kept.{}", format.name())),
                job.path(&format!("rejected.{}", format.name())),
                job.path("stats.json"),
            );
            let paths = FilterPaths {
                kept: &k,
                rejected: &r,
                stats: Some(&st),
                errors: None,
            };
            let o = filter_job(
                &args,
                &model,
                threshold,
                vec![job.input.clone()],
                paths,
                true,
                job.record_shard,
            )?;
            kept += o.kept;
            rejected += o.rejected;
            for (k, v) in &o.dropped {
                *dropped.entry(k.clone()).or_insert(0) += v;
            }
            Ok(Outcome {
                stats: o.stats,
                counts: o.report,
            })
        })?;
        if !args.run.quiet {
            eprintln!("{}", batch_summary("filtered", &totals, start.elapsed()));
            eprintln!("contentq: kept {kept}, rejected {rejected}");
            print_reasons(&dropped);
        }
        return Ok(if totals.stats.errors > 0 { 1 } else { 0 });
    }
    let (Some(kept), Some(rejected)) = (&args.output, &args.rejected) else {
        return Err(Error::Usage(
            "filter needs -o KEPT and --rejected REJ, or --output-dir DIR".into(),
        ));
    };
    if kept == rejected {
        return Err(Error::Usage(
            "--output and --rejected must be different files".into(),
        ));
    }
    let inputs = args.input.expand()?;
    let paths = FilterPaths {
        kept,
        rejected,
        stats: args.stats.as_deref(),
        errors: args.run.errors.as_deref(),
    };
    let o = filter_job(
        &args,
        &model,
        threshold,
        inputs,
        paths,
        args.run.quiet,
        None,
    )?;
    if !args.run.quiet {
        let extra = format!("kept {}, rejected {}", o.kept, o.rejected);
        eprintln!(
            "{}",
            summary("filtered", &o.stats, &extra, o.errors_path.as_deref())
        );
        print_reasons(&o.dropped);
    }
    Ok(if o.stats.errors > 0 { 1 } else { 0 })
}
