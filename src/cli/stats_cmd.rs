//! `contentq stats merge`: combine the stats JSON of shards or per-file runs into one.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::io::output::AtomicOutput;

const STATS_HELP: &str = "Examples:
  contentq stats merge out/*.stats.json -o all.stats.json     per-file filter stats
  contentq stats merge shard-*/**.done                         done markers of sharded runs

Numbers are summed (a `threshold` is kept when all inputs agree); objects are merged key by
key; text values that differ between inputs become a list of the distinct values.";

/// Work with stats files.
#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(subcommand)]
    pub command: StatsCommand,
}

#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Merge stats JSON files (filter --stats, per-file .stats.json, .done markers).
    #[command(after_help = STATS_HELP)]
    Merge {
        /// Stats files to merge.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output file (default stdout).
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
    },
}

/// Merge `b` into `a`.
pub fn merge(a: &mut Value, b: &Value, key: &str) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in y {
                match x.get_mut(k) {
                    Some(old) => merge(old, v, k),
                    None => {
                        x.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Number(x), Value::Number(y)) if key != "threshold" => {
            let sum = match (x.as_u64(), y.as_u64()) {
                (Some(p), Some(q)) => Value::from(p + q),
                _ => Value::from(x.as_f64().unwrap_or(0.0) + y.as_f64().unwrap_or(0.0)),
            };
            *x = match sum {
                Value::Number(n) => n,
                _ => unreachable!("a sum of numbers is a number"),
            };
        }
        (a, b) if a == b => {}
        (Value::Array(list), b) if !b.is_array() => {
            if !list.contains(b) {
                list.push(b.clone());
            }
        }
        (a, b) => {
            let old = std::mem::take(a);
            *a = Value::Array(vec![old, b.clone()]);
        }
    }
}

pub fn run(args: StatsArgs) -> Result<i32> {
    let StatsCommand::Merge { files, output } = args.command;
    let mut total = Value::Object(Map::new());
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| Error::OpenInput {
            path: f.clone(),
            source: e,
        })?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| Error::Usage(format!("{}: not a JSON stats file ({e})", f.display())))?;
        merge(&mut total, &v, "");
    }
    if let Value::Object(m) = &mut total {
        m.insert("merged_files".into(), Value::from(files.len()));
    }
    let mut out = AtomicOutput::create(&output)?;
    serde_json::to_writer_pretty(&mut out, &total)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    out.commit()?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sums_counts_and_keeps_agreeing_values() {
        let mut a = json!({"kept": 3, "dropped": {"dropped_promotional": 2}, "threshold": 0.5, "keep": "informative"});
        let b = json!({"kept": 4, "dropped": {"dropped_promotional": 1, "dropped_x": 1}, "threshold": 0.5, "keep": "informative"});
        merge(&mut a, &b, "");
        assert_eq!(a["kept"], 7);
        assert_eq!(a["dropped"]["dropped_promotional"], 3);
        assert_eq!(a["dropped"]["dropped_x"], 1);
        assert_eq!(a["threshold"], 0.5);
        assert_eq!(a["keep"], "informative");
    }

    #[test]
    fn disagreements_become_lists() {
        let mut a = json!({"input": "a.jsonl", "threshold": 0.5});
        merge(&mut a, &json!({"input": "b.jsonl", "threshold": 0.7}), "");
        merge(&mut a, &json!({"input": "c.jsonl", "threshold": 0.7}), "");
        assert_eq!(a["input"], json!(["a.jsonl", "b.jsonl", "c.jsonl"]));
        assert_eq!(a["threshold"], json!([0.5, 0.7]));
    }
}
