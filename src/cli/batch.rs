//! Per-file runs: `--output-dir DIR` writes one set of outputs per input file, each committed
//! atomically and followed by a done marker (`DIR/<name>.done`, JSON with the file's
//! counts). `--resume` skips the files whose marker exists, so a run that was killed, at any
//! point, finishes with every document exactly once: a file's outputs are either committed
//! and marked, or absent, or committed but unmarked (then they are rewritten whole).
//! `--shard K/N` takes the files whose name hashes to K modulo N, so N independent workers
//! cover every file exactly once, on any machine (the hash is of the file's name as listed,
//! not of anything machine-specific). With fewer files than shards (one huge file), it takes
//! the records whose id hashes to K instead, and names its outputs `<name>.shard-K-of-N.*`.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::io::Input;
use crate::io::output::AtomicOutput;
use crate::pipeline::RunStats;

/// Options of per-file runs.
#[derive(Debug, Args, Clone, Default)]
pub struct BatchArgs {
    /// Write one output per input file into DIR (named after the input), each with a done
    /// marker, instead of one output for all inputs.
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub output_dir: Option<PathBuf>,

    /// With --output-dir: skip input files already done (their DIR/<name>.done exists).
    #[arg(long, requires = "output_dir")]
    pub resume: bool,

    /// With --output-dir: process only the files of shard K of N (0 <= K < N), chosen by a
    /// stable hash of the file name, so N workers together cover every file once.
    #[arg(long, value_name = "K/N", value_parser = parse_shard, requires = "output_dir")]
    pub shard: Option<Shard>,
}

/// One shard of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl Shard {
    /// Does the file named `name` belong to this shard?
    pub fn owns(&self, name: &str) -> bool {
        stable_hash(name) % self.n == self.k
    }
}

pub use crate::io::stable_hash;

fn parse_shard(s: &str) -> std::result::Result<Shard, String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("`{s}`: write the shard as K/N, e.g. 0/8"))?;
    let k: u64 = k
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: K is not a number"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: N is not a number"))?;
    if n == 0 || k >= n {
        return Err(format!("`{s}`: need 0 <= K < N"));
    }
    Ok(Shard { k, n })
}

/// One input file's job.
pub struct FileJob<'a> {
    pub input: Input,
    /// The input's short name (see [`crate::io::expand_inputs_named`]).
    pub name: String,
    pub dir: &'a Path,
    /// In record-shard mode: (k, n), and the outputs' names carry `.shard-K-of-N`.
    pub record_shard: Option<(u64, u64)>,
}

impl FileJob<'_> {
    /// `DIR/<name>.<suffix>`, or `DIR/<name>.shard-K-of-N.<suffix>` in record-shard mode.
    pub fn path(&self, suffix: &str) -> PathBuf {
        match self.record_shard {
            None => self.dir.join(format!("{}.{suffix}", self.name)),
            Some((k, n)) => self
                .dir
                .join(format!("{}.shard-{k}-of-{n}.{suffix}", self.name)),
        }
    }
}

/// What one file's job reports.
pub struct Outcome {
    pub stats: RunStats,
    /// Counts to keep in the done marker (per label, kept/rejected, ...).
    pub counts: Value,
}

/// Totals of a per-file run.
#[derive(Debug, Default)]
pub struct BatchTotals {
    pub stats: RunStats,
    pub files: usize,
    pub skipped: usize,
    pub other_shards: usize,
}

/// Run `job` for every input file, per the batch options. Returns the totals.
pub fn run_files(
    batch: &BatchArgs,
    named: Vec<(Input, String)>,
    mut job: impl FnMut(&FileJob) -> Result<Outcome>,
) -> Result<BatchTotals> {
    let dir = batch
        .output_dir
        .as_deref()
        .expect("run_files needs --output-dir");
    if named.iter().any(|(i, _)| matches!(i, Input::Stdin)) {
        return Err(Error::Usage(
            "--output-dir writes one output per input file and cannot read stdin: name files or directories".into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (_, name) in &named {
        if !seen.insert(name.clone()) {
            return Err(Error::Usage(format!(
                "two inputs are both named `{name}`; --output-dir needs distinct names: pass their common parent directory instead"
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::Output {
        path: dir.to_path_buf(),
        source: e,
    })?;
    // Fewer files than shards (one huge file, say): shard the records instead, by a stable
    // hash of their id; every shard reads every file and writes `.shard-K-of-N` outputs.
    let record_shard = match batch.shard {
        Some(s) if (named.len() as u64) < s.n => Some((s.k, s.n)),
        _ => None,
    };
    let mut totals = BatchTotals::default();
    for (input, name) in named {
        if let Some(shard) = batch.shard
            && record_shard.is_none()
            && !shard.owns(&name)
        {
            totals.other_shards += 1;
            continue;
        }
        let job_ = FileJob {
            input,
            name,
            dir,
            record_shard,
        };
        let marker = job_.path("done");
        if batch.resume && marker.exists() {
            totals.skipped += 1;
            continue;
        }
        remove_stale_temporaries(dir, &job_.name);
        // A marker from an earlier run would vouch for outputs about to be replaced.
        let _ = std::fs::remove_file(&marker);
        let outcome = job(&job_)?;
        let record = json!({
            "input": job_.input.name(),
            "records": outcome.stats.records,
            "errors": outcome.stats.errors,
            "bytes": outcome.stats.bytes,
            "counts": outcome.counts,
            "contentq_version": env!("CARGO_PKG_VERSION"),
        });
        let mut m = AtomicOutput::create(&marker)?;
        serde_json::to_writer_pretty(&mut m, &record)?;
        std::io::Write::write_all(&mut m, b"\n")?;
        m.commit()?;
        totals.files += 1;
        totals.stats.records += outcome.stats.records;
        totals.stats.errors += outcome.stats.errors;
        totals.stats.bytes += outcome.stats.bytes;
    }
    Ok(totals)
}

/// Remove temporary files that a killed run left for outputs of `name` (`.<name>.*.tmp`).
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let f = e.file_name();
            let f = f.to_string_lossy();
            if f.starts_with(&prefix) && f.ends_with(".tmp") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// The summary line of a per-file run.
pub fn batch_summary(verb: &str, t: &BatchTotals, elapsed: std::time::Duration) -> String {
    let mut stats = t.stats;
    stats.elapsed = elapsed;
    let mut extra = format!("{} files", t.files);
    if t.skipped > 0 {
        extra.push_str(&format!(", {} skipped as done", t.skipped));
    }
    if t.other_shards > 0 {
        extra.push_str(&format!(", {} left to other shards", t.other_shards));
    }
    let mut s = super::summary(verb, &stats, &extra, None);
    if t.stats.errors > 0 {
        s.push_str(" (in the per-file .errors.jsonl files)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_names() {
        let names: Vec<String> = (0..1000).map(|i| format!("part-{i:05}.jsonl")).collect();
        let n = 7;
        let mut owners = vec![0; names.len()];
        for k in 0..n {
            let s = Shard { k, n };
            for (i, name) in names.iter().enumerate() {
                if s.owns(name) {
                    owners[i] += 1;
                }
            }
        }
        assert!(
            owners.iter().all(|&o| o == 1),
            "every file in exactly one shard"
        );
    }

    #[test]
    fn shard_parsing() {
        assert_eq!(parse_shard("2/8"), Ok(Shard { k: 2, n: 8 }));
        assert!(parse_shard("8/8").is_err());
        assert!(parse_shard("1").is_err());
        assert!(parse_shard("a/2").is_err());
    }

    #[test]
    fn stable_hash_is_fixed() {
        // The value is part of the sharding contract: changing it reshuffles shards.
        assert_eq!(
            stable_hash("part-00000.jsonl") % 8,
            stable_hash("part-00000.jsonl") % 8
        );
        assert_eq!(
            stable_hash(""),
            crate::features::tokenize::mix64(0xcbf2_9ce4_8422_2325)
        );
    }
}
