//! `contentq eval`: measure a model on labeled data, overall and per language, source and
//! length band, with a calibration table and an HTML report.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use rayon::prelude::*;

use super::train::{print_confusion, print_metrics};
use super::{InputArgs, load_model};
use crate::error::{Error, Result};
use crate::model::data::{LabeledOptions, read_labeled};
use crate::model::metrics::{self, Metrics};
use crate::model::report;

const EVAL_HELP: &str = "Examples:
  contentq eval dev.csv                                 the embedded model on dev.csv
  contentq eval dev.csv --model model.json --report report/
  contentq eval held_out.jsonl --group-column publisher

Breakdowns: per language (the `lang` column when present, else the detected language), per
group (`--group-column`, default `source` when present) and per length band (characters).";

/// Evaluate a model.
#[derive(Debug, Args)]
#[command(after_help = EVAL_HELP)]
pub struct EvalArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Model file (default: the model compiled into contentq).
    #[arg(long, short, value_name = "MODEL.json")]
    pub model: Option<PathBuf>,

    /// Column with the labels.
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub label_column: String,

    /// Column to break results down by (default: `source` when present).
    #[arg(long, value_name = "NAME")]
    pub group_column: Option<String>,

    /// Threshold on p (default: the model's).
    #[arg(long, value_name = "P")]
    pub threshold: Option<f64>,

    /// Write report.html (ROC and PR curves, score histograms, calibration) and metrics.json
    /// into this directory.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,

    /// Threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
}

/// The length band of a text, in characters, with its rank for ordering.
pub fn length_band(chars: usize) -> (u8, &'static str) {
    match chars {
        0..500 => (0, "len <500"),
        500..1000 => (1, "len 500-1k"),
        1000..2000 => (2, "len 1k-2k"),
        2000..5000 => (3, "len 2k-5k"),
        _ => (4, "len >=5k"),
    }
}

pub fn run(args: EvalArgs) -> Result<i32> {
    let inputs = args.input.expand()?;
    let model = load_model(args.model.as_deref())?;
    let labels = model.labels().clone();
    let opts = LabeledOptions {
        read: args.input.read_options(),
        label_field: args.label_column.clone(),
        group_field: args.group_column.clone(),
        group_fallback: Some("source".into()),
        labels: labels.clone(),
        ..Default::default()
    };
    let data = read_labeled(&inputs, &opts)?;
    if data.examples.is_empty() {
        return Err(Error::Usage("no labeled rows to evaluate".into()));
    }
    let threshold = args.threshold.unwrap_or(model.threshold());
    if !(0.0..=1.0).contains(&threshold) {
        return Err(Error::Usage(format!(
            "--threshold must be in [0, 1], got {threshold}"
        )));
    }
    let ex = crate::features::Extractor::new();
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    let scored: Vec<(f64, String)> = pool.install(|| {
        data.examples
            .par_iter()
            .map(|e| {
                let a = model.analyze(&ex, &e.text);
                (model.score(&a, 0).p, a.features.lang.to_string())
            })
            .collect()
    });
    let p: Vec<f64> = scored.iter().map(|s| s.0).collect();
    let y: Vec<bool> = data.examples.iter().map(|e| e.positive).collect();
    if data.skipped_empty > 0 {
        eprintln!(
            "contentq: skipped {} rows with empty text",
            data.skipped_empty
        );
    }

    let overall = Metrics::compute(&p, &y, threshold);
    print_metrics("all", &overall);
    print_confusion(&overall, &labels);

    // Slices, ordered: languages, then length bands within each language, then groups.
    let mut slices: BTreeMap<(u8, String, u8), (String, Vec<usize>)> = BTreeMap::new();
    for (i, e) in data.examples.iter().enumerate() {
        let lang = e.lang.clone().unwrap_or_else(|| scored[i].1.clone());
        let mut add = |key: (u8, String, u8), name: String| {
            slices
                .entry(key)
                .or_insert_with(|| (name, Vec::new()))
                .1
                .push(i);
        };
        add((0, lang.clone(), 0), format!("lang={lang}"));
        let (rank, band) = length_band(e.text.chars().count());
        add((1, lang.clone(), rank), format!("{band} ({lang})"));
        if let Some(g) = &e.group {
            add((2, g.clone(), 0), format!("group={g}"));
        }
    }
    let mut breakdown: Vec<(String, Metrics)> = Vec::new();
    println!();
    for (name, idx) in slices.values() {
        let sp: Vec<f64> = idx.iter().map(|&i| p[i]).collect();
        let sy: Vec<bool> = idx.iter().map(|&i| y[i]).collect();
        let m = Metrics::compute(&sp, &sy, threshold);
        print_metrics(&format!("  {name}"), &m);
        breakdown.push((name.clone(), m));
    }
    println!(
        "\ncalibration (predicted vs observed {} rate):",
        labels.positive
    );
    for b in metrics::calibration(&p, &y) {
        if b.n > 0 {
            println!(
                "  [{:.1}, {:.1}): n={:<5} predicted {:.3} observed {:.3}",
                b.lo, b.hi, b.n, b.mean_predicted, b.observed_rate
            );
        }
    }
    if let Some(dir) = &args.report {
        std::fs::create_dir_all(dir).map_err(|e| Error::Output {
            path: dir.clone(),
            source: e,
        })?;
        let title = format!(
            "contentq evaluation: {}",
            args.input
                .inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let html = report::html(
            &title,
            &p,
            &y,
            &labels.positive,
            &labels.negative,
            threshold,
            &breakdown,
        );
        let write = |name: &str, content: &str| -> Result<()> {
            let path = dir.join(name);
            let mut o = crate::io::output::AtomicOutput::create(&path)?;
            std::io::Write::write_all(&mut o, content.as_bytes())?;
            o.commit()
        };
        write("report.html", &html)?;
        let json = serde_json::json!({
            "overall": overall,
            "breakdown": breakdown.iter().map(|(n, m)| serde_json::json!({"slice": n, "metrics": m})).collect::<Vec<_>>(),
            "calibration": metrics::calibration(&p, &y),
        });
        write(
            "metrics.json",
            &(serde_json::to_string_pretty(&json)? + "\n"),
        )?;
        eprintln!(
            "contentq: wrote {}/report.html and metrics.json",
            dir.display()
        );
    }
    Ok(0)
}
