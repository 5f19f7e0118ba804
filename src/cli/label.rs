//! `contentq label`: one output record per input document, with the label, the probability,
//! the headline features and the reasons.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use serde_json::{Map, Value, json};

use super::batch::{BatchArgs, Outcome, batch_summary, run_files};
use super::{
    ErrorSink, InputArgs, Progress, RunArgs, extractor, load_model, num, output_format, summary,
};
use crate::error::{Error, Result};
use crate::features::{F, FEATURES, Features};
use crate::io::output::{AtomicOutput, TableWriter};
use crate::io::parquet::Cell;
use crate::io::{Format, Item, Original, Record};
use crate::model::{Model, Score};
use crate::pipeline::{self, Event};
use arrow_schema::{DataType, Field};

const LABEL_HELP: &str = "Examples:
  contentq label data/sample.csv                       CSV to stdout
  contentq label data/sample.csv -o labeled.csv        to a file (written atomically)
  contentq label docs.jsonl.gz -o out.jsonl --annotate  keep each record, add metadata.contentq
  contentq label docs.jsonl --explain -o out.jsonl      every feature's contribution
  cat docs.jsonl | contentq label - --format jsonl      stdin to stdout

Columns: id, label, p_promotional, lang, lang_confidence, boilerplate_ratio, claim_density,
reasons (the features that pushed the score toward the label, strongest first, with their
values and contributions), truncated. --all-features adds every feature column.";

/// Label every document.
#[derive(Debug, Args)]
#[command(after_help = LABEL_HELP)]
pub struct LabelArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output file (.csv or .jsonl, optionally) or - for stdout.
    #[arg(short, long, default_value = "-", value_name = "OUT")]
    pub output: PathBuf,

    /// Output format, when the output name does not tell (default: the input's format).
    #[arg(long, value_name = "csv|jsonl|parquet", value_parser = super::parse_format)]
    pub output_format: Option<Format>,

    /// Model file (default: the model compiled into contentq).
    #[arg(long, short, value_name = "MODEL.json")]
    pub model: Option<PathBuf>,

    /// Add a column for every feature.
    #[arg(long)]
    pub all_features: bool,

    /// Add every feature's contribution (JSONL: a `contributions` list; CSV: the reasons
    /// column lists them all) and the word n-grams that moved the lexical feature.
    #[arg(long)]
    pub explain: bool,

    /// Keep each input record whole and add the scores to it (JSONL: `metadata.contentq`;
    /// CSV: extra columns), so a labeled dataset stays one file.
    #[arg(long)]
    pub annotate: bool,

    /// Streaming mode for engines that pipe records through a process (Spark's RDD.pipe):
    /// JSONL from stdin to JSONL on stdout, exactly one output line per input line, in
    /// order; an unreadable line gives an `{"error": ...}` line instead of an errors-file
    /// entry (and the exit code stays 0); output is flushed chunk by chunk.
    #[arg(long)]
    pub stream: bool,

    /// How many reasons to list.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub reasons: usize,

    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub batch: BatchArgs,
}

/// What scoring produces per record.
pub struct Labeled {
    pub features: Features,
    pub score: Score,
    pub reasons: String,
}

/// Score one record (shared with `filter`).
pub fn score_record(
    model: &Model,
    ex: &crate::features::Extractor,
    text: &str,
    reasons: usize,
    explain: bool,
) -> Labeled {
    let a = model.analyze(ex, text);
    let score = model.score(&a, if explain { 8 } else { 3 });
    let k = if explain { usize::MAX } else { reasons };
    let reasons = model.reasons_text(&score, k);
    Labeled {
        features: a.features,
        score,
        reasons,
    }
}

/// Features that are fixed label columns (so `--all-features` does not repeat them).
const FIXED_FEATURES: [&str; 3] = ["lang_confidence", "boilerplate_ratio", "claim_density"];

/// The fixed label columns after `id`.
fn label_columns(model: &Model, all: bool) -> Vec<String> {
    let mut cols: Vec<String> = vec![
        "label".into(),
        format!("p_{}", model.labels().positive),
        "lang".into(),
        "lang_confidence".into(),
        "boilerplate_ratio".into(),
        "claim_density".into(),
        "reasons".into(),
        "truncated".into(),
    ];
    if all {
        // Every other feature (three are among the fixed columns already).
        cols.extend(
            FEATURES
                .iter()
                .filter(|f| !FIXED_FEATURES.contains(&f.name))
                .map(|f| f.name.to_string()),
        );
        if model.needs_word_grams() {
            cols.push(crate::model::lexical::LEXICAL_WORDS.into());
        }
    }
    cols
}

/// The label columns as Parquet fields, named with `prefix`.
fn label_fields(model: &Model, all: bool, prefix: &str) -> Vec<Field> {
    label_columns(model, all)
        .into_iter()
        .map(|c| {
            let t = match c.as_str() {
                "label" | "lang" | "reasons" => DataType::Utf8,
                "truncated" => DataType::Boolean,
                _ => DataType::Float64,
            };
            Field::new(format!("{prefix}{c}"), t, false)
        })
        .collect()
}

/// The label values as Parquet cells, in [`label_fields`] order.
fn label_cells(model: &Model, l: &Labeled, all: bool) -> Vec<Cell> {
    let cols = label_columns(model, all);
    let f = &l.features;
    cols.iter()
        .map(|c| match c.as_str() {
            "label" => Cell::Str(model.label_of(&l.score).to_string()),
            "lang" => Cell::Str(f.lang.to_string()),
            "reasons" => Cell::Str(l.reasons.clone()),
            "truncated" => Cell::Bool(f.truncated),
            "lang_confidence" => Cell::F64(f.get(F::LangConfidence)),
            "boilerplate_ratio" => Cell::F64(f.get(F::BoilerplateRatio)),
            "claim_density" => Cell::F64(f.get(F::ClaimDensity)),
            c if c.starts_with("p_") => Cell::F64(l.score.p),
            c => Cell::F64(
                crate::features::feature_index(c)
                    .map(|i| f.values[i])
                    .or_else(|| {
                        l.score
                            .contributions
                            .iter()
                            .find(|x| x.name == c)
                            .map(|x| x.value)
                    })
                    .unwrap_or(0.0),
            ),
        })
        .collect()
}

/// The original fields of a CSV or Parquet record, as text (nulls empty).
pub fn original_fields(r: &Record) -> Option<Vec<String>> {
    match &r.original {
        Original::Csv(f) => Some(f.iter().map(String::from).collect()),
        Original::Arrow { batch, row } => Some(
            batch
                .columns()
                .iter()
                .map(|c| crate::io::parquet::cell_string(c.as_ref(), *row).unwrap_or_default())
                .collect(),
        ),
        Original::Json(_) => None,
    }
}

/// A CSV header for an Arrow schema.
pub fn schema_header(schema: &arrow_schema::SchemaRef) -> csv::StringRecord {
    csv::StringRecord::from(
        schema
            .fields()
            .iter()
            .map(|f| f.name().to_string())
            .collect::<Vec<_>>(),
    )
}

fn label_values(model: &Model, l: &Labeled, all: bool) -> Vec<String> {
    let f = &l.features;
    let mut v = vec![
        model.label_of(&l.score).to_string(),
        num(l.score.p),
        f.lang.to_string(),
        num(f.get(F::LangConfidence)),
        num(f.get(F::BoilerplateRatio)),
        num(f.get(F::ClaimDensity)),
        l.reasons.clone(),
        f.truncated.to_string(),
    ];
    if all {
        v.extend(
            FEATURES
                .iter()
                .zip(f.values.iter())
                .filter(|(info, _)| !FIXED_FEATURES.contains(&info.name))
                .map(|(_, x)| num(*x)),
        );
        if model.needs_word_grams() {
            let lex = l
                .score
                .contributions
                .iter()
                .find(|c| c.name == crate::model::lexical::LEXICAL_WORDS)
                .map_or(0.0, |c| c.value);
            v.push(num(lex));
        }
    }
    v
}

fn label_json(model: &Model, l: &Labeled, all: bool, explain: bool) -> Map<String, Value> {
    let cols = label_columns(model, all);
    let vals = label_values(model, l, all);
    let mut m = Map::new();
    for (c, v) in cols.into_iter().zip(vals) {
        let value = match c.as_str() {
            "label" | "lang" | "reasons" => Value::String(v),
            "truncated" => Value::Bool(v == "true"),
            _ => v
                .parse::<f64>()
                .map(|x| json!(x))
                .unwrap_or(Value::String(v)),
        };
        m.insert(c, value);
    }
    if explain {
        let mut contribs = l.score.contributions.clone();
        contribs.sort_by(|a, b| {
            b.contribution
                .abs()
                .total_cmp(&a.contribution.abs())
                .then(a.name.cmp(b.name))
        });
        m.insert(
            "contributions".into(),
            serde_json::to_value(contribs).unwrap_or(Value::Null),
        );
        if !l.score.top_grams.is_empty() {
            let g: Vec<Value> = l
                .score
                .top_grams
                .iter()
                .map(|(t, r)| json!({"ngram": t, "ratio": r}))
                .collect();
            m.insert("top_ngrams".into(), Value::Array(g));
        }
    }
    m
}

/// A record's original fields as a JSON object (CSV: header -> field).
pub fn original_object(r: &Record, header: Option<&csv::StringRecord>) -> Map<String, Value> {
    match &r.original {
        Original::Json(o) => o.clone(),
        Original::Csv(fields) => {
            let mut m = Map::new();
            if let Some(h) = header {
                for (k, v) in h.iter().zip(fields.iter()) {
                    m.insert(k.to_string(), Value::String(v.to_string()));
                }
            }
            m
        }
        Original::Arrow { batch, row } => {
            let mut m = Map::new();
            for (f, c) in batch.schema().fields().iter().zip(batch.columns()) {
                let v = crate::io::parquet::cell_string(c.as_ref(), *row)
                    .map_or(Value::Null, Value::String);
                m.insert(f.name().to_string(), v);
            }
            m
        }
    }
}

/// Output state owned by the writer thread during the run, committed after it.
struct LabelSink {
    model: Arc<Model>,
    out: Option<AtomicOutput>,
    writer: Option<TableWriter>,
    errors: ErrorSink,
    header: Option<csv::StringRecord>,
    /// Arrow schema of the current input (Parquet).
    schema: Option<arrow_schema::SchemaRef>,
    format: Format,
    forced: Option<Format>,
    path: PathBuf,
    all: bool,
    explain: bool,
    annotate: bool,
    /// Unreadable records become output lines (see `--stream`).
    stream: bool,
    /// Documents labeled [negative, positive].
    counts: [u64; 2],
}

impl LabelSink {
    fn on_input(
        &mut self,
        name: String,
        format: Format,
        h: Option<csv::StringRecord>,
        schema: Option<arrow_schema::SchemaRef>,
    ) -> Result<()> {
        // Parquet rows are CSV-like for CSV outputs: their header is the schema's names.
        let h = h.or_else(|| schema.as_ref().map(schema_header));
        if let Some(_w) = &self.writer {
            let copies_rows = (self.annotate && self.format == Format::Csv)
                || (self.format == Format::Parquet && self.schema.is_some());
            if copies_rows && (h != self.header || schema != self.schema) {
                return Err(Error::HeaderMismatch { file: name });
            }
            self.header = h;
            self.schema = schema;
            return Ok(());
        }
        self.format = output_format(self.forced, &self.path, Some(format));
        let out = self.out.take().expect("the output is opened once");
        let mut w = match self.format {
            Format::Csv => TableWriter::csv(out),
            Format::Jsonl => TableWriter::jsonl(out),
            // Parquet from Parquet keeps every input column and adds `contentq_*` columns;
            // from CSV or JSONL it holds the id and the label columns.
            Format::Parquet => match &schema {
                Some(s) => TableWriter::parquet(
                    out,
                    Some(s.clone()),
                    label_fields(&self.model, self.all, "contentq_"),
                )?,
                None => {
                    let mut fields = vec![Field::new("id", DataType::Utf8, false)];
                    fields.extend(label_fields(&self.model, self.all, ""));
                    TableWriter::parquet(out, None, fields)?
                }
            },
        };
        if self.format == Format::Csv {
            let mut cols: Vec<String> = match (&h, self.annotate) {
                (Some(h), true) => h.iter().map(String::from).collect(),
                (None, true) => vec!["id".into(), "text".into()],
                (_, false) => vec!["id".into()],
            };
            cols.extend(label_columns(&self.model, self.all));
            w.header(&cols)?;
        }
        self.header = h;
        self.schema = schema;
        self.writer = Some(w);
        Ok(())
    }

    fn on_record(&mut self, r: &Record, l: &Labeled) -> Result<()> {
        self.counts[l.score.positive as usize] += 1;
        let m = &self.model;
        let w = self.writer.as_mut().expect("an Input event comes first");
        match self.format {
            Format::Csv => {
                let mut row: Vec<String> = match (original_fields(r), self.annotate) {
                    (Some(f), true) => f,
                    (None, true) => vec![r.id.clone(), r.text.clone()],
                    (_, false) => vec![r.id.clone()],
                };
                row.extend(label_values(m, l, self.all));
                w.write_csv(&row)
            }
            Format::Parquet => match &r.original {
                Original::Arrow { batch, row } if self.schema.is_some() => {
                    w.write_parquet(Some((batch.clone(), *row)), label_cells(m, l, self.all))
                }
                _ => {
                    let mut cells = vec![Cell::Str(r.id.clone())];
                    cells.extend(label_cells(m, l, self.all));
                    w.write_parquet(None, cells)
                }
            },
            Format::Jsonl => {
                let scores = label_json(m, l, self.all, self.explain);
                let obj = if self.annotate {
                    let mut o = original_object(r, self.header.as_ref());
                    insert_metadata(&mut o, "contentq", Value::Object(scores));
                    o
                } else {
                    let mut o = Map::new();
                    o.insert("id".into(), Value::String(r.id.clone()));
                    o.extend(scores);
                    o
                };
                w.write_json(&Value::Object(obj))
            }
        }
    }

    fn on_event(&mut self, event: Event<Labeled>) -> Result<()> {
        match event {
            Event::Input {
                name,
                format,
                header,
                schema,
            } => self.on_input(name, format, header, schema),
            Event::Chunk(items) => {
                for (item, labeled) in items {
                    match item {
                        Item::Error(e) if self.stream => {
                            let w = self.writer.as_mut().expect("an Input event comes first");
                            w.write_json(&json!({
                                "error": e.reason,
                                "file": e.file,
                                "line": e.line,
                                "record": e.record,
                            }))?;
                        }
                        Item::Error(e) => self.errors.push(&e)?,
                        Item::Record(r) => {
                            self.on_record(&r, labeled.as_ref().expect("records are scored"))?
                        }
                    }
                }
                if self.stream
                    && let Some(w) = &mut self.writer
                {
                    w.flush()?;
                }
                Ok(())
            }
        }
    }
}

/// Put `value` under `metadata.<key>` of a record, creating `metadata` if needed.
pub fn insert_metadata(o: &mut Map<String, Value>, key: &str, value: Value) {
    let meta = o
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    meta.as_object_mut()
        .expect("made an object above")
        .insert(key.into(), value);
}

/// What one labeling job reports.
struct LabelOutcome {
    stats: crate::pipeline::RunStats,
    /// Documents labeled [negative, positive].
    counts: [u64; 2],
    errors_path: Option<PathBuf>,
}

/// Label `inputs` into `output` (one committed file, or stdout).
fn label_job(
    args: &LabelArgs,
    model: &Arc<Model>,
    inputs: Vec<crate::io::Input>,
    output: &std::path::Path,
    errors: Option<&std::path::Path>,
    quiet: bool,
    record_shard: Option<(u64, u64)>,
) -> Result<LabelOutcome> {
    let ex = extractor(args.run.max_bytes);
    let state = Arc::new(std::sync::Mutex::new(LabelSink {
        model: model.clone(),
        out: Some(AtomicOutput::create(output)?),
        writer: None,
        errors: ErrorSink::new(errors, output, args.run.strict)?,
        header: None,
        schema: None,
        format: Format::Csv,
        forced: args.output_format,
        path: output.to_path_buf(),
        all: args.all_features,
        explain: args.explain,
        annotate: args.annotate,
        stream: args.stream,
        counts: [0; 2],
    }));
    let (n_reasons, explain) = (args.reasons, args.explain);
    let progress = Progress::new(quiet);
    let sink_state = state.clone();
    let score_model = model.clone();
    let mut popts = args.run.pipeline_options();
    popts.record_shard = record_shard;
    let mut read = args.input.read_options();
    if args.stream {
        popts.chunk_docs = 256;
        read.blank_lines_are_records = true;
        read.format = Some(Format::Jsonl);
    }
    let stats = pipeline::run(
        inputs,
        read,
        &popts,
        move |r: &Record| score_record(&score_model, &ex, &r.text, n_reasons, explain),
        move |e| sink_state.lock().expect("sink lock").on_event(e),
        progress.callback(),
    );
    progress.finish();
    let stats = stats?;
    let state = super::take_shared(state)?;
    if let Some(w) = state.writer {
        w.commit()?;
    } else if let Some(out) = state.out {
        // An input that ends before its first record still gets an (empty) output.
        out.commit()?;
    }
    let errors_path = state.errors.finish()?;
    Ok(LabelOutcome {
        stats,
        counts: state.counts,
        errors_path,
    })
}

pub fn run(args: LabelArgs) -> Result<i32> {
    let model = Arc::new(load_model(args.model.as_deref())?);
    let labels = model.labels().clone();
    if args.batch.output_dir.is_some() {
        let named = args.input.expand_named()?;
        let start = std::time::Instant::now();
        let totals = run_files(&args.batch, named, |job| {
            let format = args
                .output_format
                .or(args.input.format)
                .or_else(|| match &job.input {
                    crate::io::Input::File(p) => Format::from_path(p),
                    crate::io::Input::Stdin => None,
                })
                .unwrap_or(Format::Csv);
            let out = job.path(&format!("labeled.{}", format.name()));
            let o = label_job(
                &args,
                &model,
                vec![job.input.clone()],
                &out,
                None,
                true,
                job.record_shard,
            )?;
            Ok(Outcome {
                stats: o.stats,
                counts: serde_json::json!({
                    labels.positive.clone(): o.counts[1],
                    labels.negative.clone(): o.counts[0],
                }),
            })
        })?;
        if !args.run.quiet {
            eprintln!("{}", batch_summary("labeled", &totals, start.elapsed()));
        }
        return Ok(if totals.stats.errors > 0 { 1 } else { 0 });
    }
    if args.stream {
        if args.input.inputs.iter().any(|p| p.as_os_str() != "-") || args.output.as_os_str() != "-"
        {
            return Err(Error::Usage(
                "--stream reads stdin and writes stdout: drop the INPUT and -o arguments (or use -)".into(),
            ));
        }
        let mut args = args;
        args.output_format = Some(Format::Jsonl);
        args.run.quiet = true;
        let o = label_job(
            &args,
            &model,
            vec![crate::io::Input::Stdin],
            &args.output,
            None,
            true,
            None,
        )?;
        let _ = o;
        return Ok(0);
    }
    let inputs = args.input.expand()?;
    let o = label_job(
        &args,
        &model,
        inputs,
        &args.output,
        args.run.errors.as_deref(),
        args.run.quiet,
        None,
    )?;
    if !args.run.quiet {
        let extra = format!(
            "{} {}, {} {}",
            o.counts[1], labels.positive, o.counts[0], labels.negative
        );
        eprintln!(
            "{}",
            summary("labeled", &o.stats, &extra, o.errors_path.as_deref())
        );
    }
    Ok(if o.stats.errors > 0 { 1 } else { 0 })
}
