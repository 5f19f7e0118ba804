//! `contentq model show`: a model's weights and training record, readable.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{load_model, num};
use crate::error::Result;
use crate::features::{FEATURES, feature_index};

/// Inspect models.
#[derive(Debug, Args)]
pub struct ModelArgs {
    #[command(subcommand)]
    pub command: ModelCommand,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Print a model's features, weights, threshold and training record.
    Show {
        /// Model file (default: the model compiled into contentq).
        model: Option<PathBuf>,
        /// How many lexical n-grams to list per direction.
        #[arg(long, default_value_t = 15)]
        ngrams: usize,
    },
}

pub fn run(args: ModelArgs) -> Result<i32> {
    let ModelCommand::Show { model, ngrams } = args.command;
    let m = load_model(model.as_deref())?;
    let f = m.file();
    println!(
        "model format {} v{} (contentq {}); p = P({}) ; threshold {}; intercept {}",
        f.format,
        f.version,
        f.contentq_version,
        f.labels.positive,
        num(f.threshold),
        num(f.intercept)
    );
    let mut rows: Vec<&crate::model::ModelFeature> = f.features.iter().collect();
    rows.sort_by(|a, b| {
        b.weight
            .abs()
            .total_cmp(&a.weight.abs())
            .then(a.name.cmp(&b.name))
    });
    println!(
        "\n{:<24} {:>9}  {:<8} {:>17} {:>17}  meaning",
        "feature", "weight", "scale", "mean (other/zh)", "std (other/zh)"
    );
    let lexical_meaning = match f.lexical.as_ref().map(|t| t.params.method.as_str()) {
        Some("nb") => "word n-gram evidence (naive-Bayes log-ratio)",
        _ => "word n-gram evidence (sparse logistic regression score)",
    };
    for r in rows {
        let meaning = feature_index(&r.name).map_or(lexical_meaning, |i| FEATURES[i].label);
        println!(
            "{:<24} {:>+9.4}  {:<8} {:>17} {:>17}  {}",
            r.name,
            r.weight,
            r.transform,
            format!("{}/{}", num(r.mean[0]), num(r.mean[1])),
            format!("{}/{}", num(r.std[0]), num(r.std[1])),
            meaning
        );
    }
    println!(
        "\nA positive weight pushes toward `{}`; weights apply to standardised values.",
        f.labels.positive
    );
    if let Some(t) = &f.lexical {
        let mut e: Vec<&crate::model::lexical::LexicalEntry> = t.entries.iter().collect();
        e.sort_by(|a, b| b.ratio.total_cmp(&a.ratio).then(a.text.cmp(&b.text)));
        let show = |v: Vec<&crate::model::lexical::LexicalEntry>| {
            v.iter()
                .map(|x| format!("\"{}\" {:+.2}", x.text, x.ratio))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!("\nlexical table: {} n-grams", t.entries.len());
        println!(
            "  toward {}: {}",
            f.labels.positive,
            show(e.iter().take(ngrams).copied().collect())
        );
        println!(
            "  toward {}: {}",
            f.labels.negative,
            show(e.iter().rev().take(ngrams).copied().collect())
        );
    }
    if !f.training.is_null() {
        let t = &f.training;
        println!(
            "\ntraining: rows {} {}; data sha256 {}",
            t["rows"],
            t["rows_per_class"],
            t["data_sha256"].as_str().unwrap_or("?")
        );
        println!("  rows per language {}", t["rows_per_language"]);
        if let Some(cv) = t.get("cv") {
            println!(
                "  cross-validated ({} folds{}): precision {:.4} recall {:.4} F1 {:.4} ROC-AUC {} PR-AUC {}",
                t["params"]["folds"],
                if t["grouped_folds"].as_bool() == Some(true) {
                    ", grouped"
                } else {
                    ""
                },
                cv["precision"].as_f64().unwrap_or(0.0),
                cv["recall"].as_f64().unwrap_or(0.0),
                cv["f1"].as_f64().unwrap_or(0.0),
                cv["roc_auc"],
                cv["pr_auc"]
            );
        }
        println!(
            "  alpha {}; solver converged: {}",
            t["alpha"], t["converged"]
        );
    }
    Ok(0)
}
