//! `contentq train`: fit a model from labeled documents, cross-validate it, write the file.

use std::path::PathBuf;

use clap::Args;

use super::{InputArgs, num};
use crate::error::{Error, Result};
use crate::features::FEATURES;
use crate::io::output::{AtomicOutput, TableWriter};
use crate::model::Labels;
use crate::model::data::{LabeledOptions, read_labeled};
use crate::model::metrics::Metrics;
use crate::model::train::TrainParams;

const TRAIN_HELP: &str = "Examples:
  contentq train labeled.csv -o model.json
  contentq train labeled.csv --group-column source -o model.json     leave-sources-out CV
  contentq train a.csv b.csv --target-precision 0.95 -o strict.json  threshold for filtering
  contentq train labeled.csv --no-lexical --exclude han_share -o model.json

The input needs a text column and a label column (`informative` / `promotional` by default).
Features: every feature that neither grows with document length nor identifies the language
(see `contentq features --list`), plus `lexical_words`, one learned feature from word n-grams (out of fold, and only
n-grams seen in two or more groups). Regularisation is chosen by cross-validated log loss;
the threshold maximises F1 unless --target-precision is given. The model file records the
cross-validated metrics, the data hash and whether the solver converged.";

/// Train a model.
#[derive(Debug, Args)]
#[command(after_help = TRAIN_HELP)]
pub struct TrainArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Where to write the model (JSON).
    #[arg(short, long, value_name = "MODEL.json")]
    pub output: PathBuf,

    /// Column with the labels.
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub label_column: String,

    /// Column with groups (sources, publishers): folds never split a group.
    #[arg(long, value_name = "NAME")]
    pub group_column: Option<String>,

    /// Column with whole-number row weights (1 to 100): a row of weight 3 counts as three
    /// rows in the fit (use it to balance sources).
    #[arg(long, value_name = "NAME")]
    pub weight_column: Option<String>,

    /// Label of the positive class (the one p is the probability of).
    #[arg(long, default_value = "promotional", value_name = "LABEL")]
    pub positive_label: String,

    /// Label of the negative class.
    #[arg(long, default_value = "informative", value_name = "LABEL")]
    pub negative_label: String,

    /// Cross-validation folds.
    #[arg(long, default_value_t = 5, value_name = "K")]
    pub folds: usize,

    /// Seed for the folds.
    #[arg(long, default_value_t = 20240917)]
    pub seed: u64,

    /// Choose the threshold that reaches this cross-validated precision (for filtering where
    /// false positives cost) instead of the best F1.
    #[arg(long, value_name = "P")]
    pub target_precision: Option<f64>,

    /// Use only these features (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub features: Option<Vec<String>>,

    /// Leave these features out (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub exclude: Vec<String>,

    /// No lexical n-gram feature.
    #[arg(long)]
    pub no_lexical: bool,

    /// Lexical feature: `nb` (naive-Bayes log-count ratios, averaged) or `lr` (a sparse
    /// logistic regression over the n-grams, its margin).
    #[arg(long, default_value = "lr", value_name = "lr|nb")]
    pub lexical_method: String,

    /// Lexical table: keep at most this many n-grams (largest |log-ratio| first).
    #[arg(long, default_value_t = 20_000, value_name = "N")]
    pub lexical_max_entries: usize,

    /// Lexical table: an n-gram must occur in this many documents.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub lexical_min_docs: u32,

    /// Lexical table: an n-gram must occur in this many groups (sources); without
    /// --group-column every document is its own group.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub lexical_min_groups: u32,

    /// L2 strengths to choose from (comma-separated, on the summed loss).
    #[arg(long, value_delimiter = ',', value_name = "A,B,..")]
    pub alphas: Option<Vec<f64>>,

    /// Write the out-of-fold predictions (id, label, group, fold, p) as CSV.
    #[arg(long, value_name = "FILE")]
    pub cv_predictions: Option<PathBuf>,

    /// Threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// Print only warnings and errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Print metrics as a small table.
pub fn print_metrics(title: &str, m: &Metrics) {
    let f = |o: Option<f64>| o.map_or("n/a".into(), |v| format!("{v:.4}"));
    println!(
        "{title}: n={} positives={} precision={:.4} recall={:.4} F1={:.4} ROC-AUC={} PR-AUC={} accuracy={:.4} (threshold {})",
        m.n,
        m.positives,
        m.precision,
        m.recall,
        m.f1,
        f(m.roc_auc),
        f(m.pr_auc),
        m.accuracy,
        num(m.threshold)
    );
}

/// Print a confusion matrix.
pub fn print_confusion(m: &Metrics, labels: &Labels) {
    let c = &m.confusion;
    let w = labels.positive.len().max(labels.negative.len()).max(9);
    println!(
        "  {:>w$}  {:>12} {:>12}",
        "actual",
        format!("pred {}", &labels.positive[..labels.positive.len().min(7)]),
        format!("pred {}", &labels.negative[..labels.negative.len().min(7)])
    );
    println!("  {:>w$}  {:>12} {:>12}", labels.positive, c.tp, c.fn_);
    println!("  {:>w$}  {:>12} {:>12}", labels.negative, c.fp, c.tn);
}

pub fn run(args: TrainArgs) -> Result<i32> {
    let inputs = args.input.expand()?;
    let labels = Labels {
        positive: args.positive_label.clone(),
        negative: args.negative_label.clone(),
    };
    let opts = LabeledOptions {
        read: args.input.read_options(),
        label_field: args.label_column.clone(),
        group_field: args.group_column.clone(),
        weight_field: args.weight_column.clone(),
        labels: labels.clone(),
        ..Default::default()
    };
    // Create the output first: an unwritable path fails before the work.
    let out = AtomicOutput::create(&args.output)?;
    let cv_out = match &args.cv_predictions {
        Some(p) => Some(AtomicOutput::create(p)?),
        None => None,
    };
    let data = read_labeled(&inputs, &opts)?;
    if data.skipped_empty > 0 {
        eprintln!(
            "contentq: skipped {} rows with empty text",
            data.skipped_empty
        );
    }
    let mut features: Option<Vec<String>> = args.features.clone();
    if !args.exclude.is_empty() {
        let base: Vec<String> = features.unwrap_or_else(|| {
            FEATURES
                .iter()
                .filter(|f| f.is_default())
                .map(|f| f.name.to_string())
                .collect()
        });
        for x in &args.exclude {
            if crate::features::feature_index(x).is_none() {
                return Err(Error::Usage(format!(
                    "--exclude: unknown feature `{x}`; `contentq features --list` shows the names"
                )));
            }
        }
        features = Some(
            base.into_iter()
                .filter(|f| !args.exclude.contains(f))
                .collect(),
        );
    }
    let mut params = TrainParams::default()
        .folds(args.folds)
        .seed(args.seed)
        .features(features)
        .lexical(!args.no_lexical)
        .lexical_params(crate::model::lexical::LexicalParams {
            min_docs: args.lexical_min_docs,
            min_groups: args.lexical_min_groups,
            max_entries: args.lexical_max_entries,
            method: args.lexical_method.clone(),
            ..Default::default()
        })
        .target_precision(args.target_precision)
        .labels(labels.clone());
    if let Some(a) = &args.alphas {
        params = params.alphas(a.clone());
    }
    let params = params.check()?;
    let ex = crate::features::Extractor::new();
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    let start = std::time::Instant::now();
    let trained = pool.install(|| params.fit(&data.examples, &ex))?;
    let secs = start.elapsed().as_secs_f64();

    let file = trained.model.file();
    let json = serde_json::to_string_pretty(file)? + "\n";
    let mut out = out;
    std::io::Write::write_all(&mut out, json.as_bytes())?;
    out.commit()?;

    if let Some(o) = cv_out {
        let mut w = TableWriter::csv(o);
        w.header(["id", "label", "group", "fold", "p"])?;
        for (i, e) in data.examples.iter().enumerate() {
            let label = if e.positive {
                &labels.positive
            } else {
                &labels.negative
            };
            w.write_csv([
                e.id.clone(),
                label.clone(),
                e.group.clone().unwrap_or_default(),
                trained.fold_of[i].to_string(),
                num(trained.oof[i]),
            ])?;
        }
        w.commit()?;
    }

    for w in &trained.warnings {
        eprintln!("contentq: warning: {w}");
    }
    if !args.quiet {
        let n_pos = data.examples.iter().filter(|e| e.positive).count();
        println!(
            "trained on {} rows ({} {}, {} {}) in {secs:.2} s, {} features{}",
            data.examples.len(),
            n_pos,
            labels.positive,
            data.examples.len() - n_pos,
            labels.negative,
            file.features.len(),
            if args.group_column.is_some() {
                ", group-aware folds"
            } else {
                ""
            }
        );
        let losses: Vec<String> = trained
            .alpha_scores
            .iter()
            .map(|(a, l)| format!("{a}: {l:.4}"))
            .collect();
        println!(
            "alpha by out-of-fold log loss: {} -> {}",
            losses.join(", "),
            trained.alpha
        );
        print_metrics(
            &format!("{}-fold cross-validation", args.folds),
            &trained.cv,
        );
        print_confusion(&trained.cv, &labels);
        println!(
            "solver {} (gradient norm {:.2e}); wrote {}",
            if trained.converged {
                "converged"
            } else {
                "did NOT converge"
            },
            trained.gradient_norm,
            args.output.display()
        );
    }
    Ok(0)
}
