//! The streaming parallel pass: the only place that touches threads.
//!
//! Three stages run at once, joined by bounded channels (two chunks deep), so memory stays
//! bounded whatever the input size:
//!
//! 1. a reader thread opens the inputs one after another and cuts their records into chunks
//!    of at most `chunk_docs` documents or `chunk_bytes` bytes of text;
//! 2. the calling thread scores each chunk, in parallel on a local rayon pool of `threads`
//!    threads (`threads == 1` runs a plain serial loop, without rayon);
//! 3. a writer thread hands each scored chunk, in input order, to the caller's sink.
//!
//! Scoring is a pure function of the record, and chunks keep input order (rayon's `collect`
//! preserves order), so the output is byte-identical at any thread count.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::io::{Format, Input, Item, ReadOptions, Record, RecordReader};

/// How to run the pass.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Scoring threads (at least 1).
    pub threads: usize,
    /// Documents per chunk at most.
    pub chunk_docs: usize,
    /// Bytes of text per chunk at most (a single larger document still makes one chunk).
    pub chunk_bytes: usize,
    /// Keep only the items of record shard `k` of `n` (by a stable hash of the record id, or
    /// of file and line for unreadable records).
    pub record_shard: Option<(u64, u64)>,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            chunk_docs: 2048,
            chunk_bytes: 16 << 20,
            record_shard: None,
        }
    }
}

/// What the sink receives, in input order.
pub enum Event<T> {
    /// A new input starts; CSV inputs carry their header.
    Input {
        name: String,
        format: Format,
        header: Option<csv::StringRecord>,
        /// Parquet inputs carry their Arrow schema.
        schema: Option<arrow_schema::SchemaRef>,
    },
    /// Items of the current input with their scores (`None` for errors).
    Chunk(Vec<(Item, Option<T>)>),
}

/// Counts for the end-of-run summary.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunStats {
    pub records: u64,
    pub errors: u64,
    pub bytes: u64,
    pub elapsed: Duration,
}

enum ReadMsg {
    Input {
        name: String,
        format: Format,
        header: Option<csv::StringRecord>,
        schema: Option<arrow_schema::SchemaRef>,
    },
    Chunk(Vec<Item>),
    Fatal(Error),
}

/// Read `inputs`, score every record with `score`, and feed `sink` in input order.
///
/// `on_progress(docs, bytes)` is called from the writer after each chunk. A fatal error (an
/// input that cannot be opened, a missing column, a failing sink) stops the run and is
/// returned; bad records are not fatal, they reach the sink as [`Item::Error`].
pub fn run<T, S, K, P>(
    inputs: Vec<Input>,
    read: ReadOptions,
    opts: &PipelineOptions,
    score: S,
    sink: K,
    mut on_progress: P,
) -> Result<RunStats>
where
    T: Send + 'static,
    S: Fn(&Record) -> T + Sync,
    K: FnMut(Event<T>) -> Result<()> + Send + 'static,
    P: FnMut(u64, u64) + Send + 'static,
{
    let start = Instant::now();
    let threads = opts.threads.max(1);
    let pool = if threads > 1 {
        Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .thread_name(|i| format!("contentq-score-{i}"))
                .build()
                .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?,
        )
    } else {
        None
    };

    let (read_tx, read_rx) = sync_channel::<ReadMsg>(2);
    let (write_tx, write_rx) = sync_channel::<Event<T>>(2);
    let chunk_docs = opts.chunk_docs.max(1);
    let chunk_bytes = opts.chunk_bytes.max(1);

    let shard = opts.record_shard;
    let reader = thread::Builder::new()
        .name("contentq-read".into())
        .spawn(move || read_all(inputs, read, chunk_docs, chunk_bytes, shard, read_tx))?;
    let writer = thread::Builder::new()
        .name("contentq-write".into())
        .spawn(move || write_all(write_rx, sink, &mut on_progress))?;

    let mut fatal: Option<Error> = None;
    for msg in read_rx.iter() {
        let event = match msg {
            ReadMsg::Fatal(e) => {
                fatal = Some(e);
                break;
            }
            ReadMsg::Input {
                name,
                format,
                header,
                schema,
            } => Event::Input {
                name,
                format,
                header,
                schema,
            },
            ReadMsg::Chunk(items) => Event::Chunk(score_chunk(items, &score, pool.as_ref())),
        };
        if write_tx.send(event).is_err() {
            // The writer stopped; its error is collected below.
            break;
        }
    }
    drop(write_tx);
    // Unblock the reader if we stopped early, then collect both threads.
    drop(read_rx);
    let _ = reader.join();
    let written = writer
        .join()
        .map_err(|_| Error::Io(std::io::Error::other("the writer thread panicked")))?;
    if let Some(e) = fatal {
        return Err(e);
    }
    let mut stats = written?;
    stats.elapsed = start.elapsed();
    Ok(stats)
}

/// Documents a worker scores in one piece of a chunk. rayon otherwise cuts a chunk into a
/// few large pieces and scores each without splitting it again, so at a chunk's end one
/// worker could sit idle while the other finishes a piece of hundreds of documents; with
/// small pieces the idle tail is a few documents long.
const LEAF_DOCS: usize = 8;

fn score_chunk<T, S>(
    items: Vec<Item>,
    score: &S,
    pool: Option<&rayon::ThreadPool>,
) -> Vec<(Item, Option<T>)>
where
    T: Send,
    S: Fn(&Record) -> T + Sync,
{
    let one = |item: Item| {
        let s = match &item {
            Item::Record(r) => Some(score(r)),
            Item::Error(_) => None,
        };
        (item, s)
    };
    match pool {
        None => items.into_iter().map(one).collect(),
        Some(pool) => pool.install(|| {
            items
                .into_par_iter()
                .with_max_len(LEAF_DOCS)
                .map(one)
                .collect()
        }),
    }
}

/// Records at the start of each input checked for Chinese text (see `read_all`).
const HAN_LOOKAHEAD_RECORDS: u32 = 64;

fn read_all(
    inputs: Vec<Input>,
    read: ReadOptions,
    chunk_docs: usize,
    chunk_bytes: usize,
    shard: Option<(u64, u64)>,
    tx: SyncSender<ReadMsg>,
) {
    for input in inputs {
        let reader = match RecordReader::open(&input, &read) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.send(ReadMsg::Fatal(e));
                return;
            }
        };
        let msg = ReadMsg::Input {
            name: input.name(),
            format: reader.format(),
            header: reader.csv_header().cloned(),
            schema: reader.arrow_schema(),
        };
        if tx.send(msg).is_err() {
            return;
        }
        let mut chunk = Vec::with_capacity(chunk_docs.min(4096));
        let mut bytes = 0usize;
        // The first records tell whether the run needs the Chinese segmenter: if one has
        // Chinese text, its dictionary loads while the reading goes on.
        let mut look_for_han = HAN_LOOKAHEAD_RECORDS;
        for item in reader {
            if look_for_han > 0
                && let Item::Record(r) = &item
            {
                look_for_han -= 1;
                if crate::features::tokenize::preload_jieba_for(&r.text) {
                    look_for_han = 0;
                }
            }
            if let Some((k, n)) = shard
                && crate::io::stable_hash(&item.shard_key()) % n != k
            {
                continue;
            }
            bytes += item.text_len();
            chunk.push(item);
            if chunk.len() >= chunk_docs || bytes >= chunk_bytes {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(chunk_docs.min(4096)));
                bytes = 0;
                if tx.send(ReadMsg::Chunk(full)).is_err() {
                    return;
                }
            }
        }
        if !chunk.is_empty() && tx.send(ReadMsg::Chunk(chunk)).is_err() {
            return;
        }
    }
}

fn write_all<T, K, P>(rx: Receiver<Event<T>>, mut sink: K, on_progress: &mut P) -> Result<RunStats>
where
    K: FnMut(Event<T>) -> Result<()>,
    P: FnMut(u64, u64),
{
    let mut stats = RunStats::default();
    for event in rx.iter() {
        if let Event::Chunk(items) = &event {
            for (item, _) in items {
                match item {
                    Item::Record(r) => {
                        stats.records += 1;
                        stats.bytes += r.text.len() as u64;
                    }
                    Item::Error(_) => stats.errors += 1,
                }
            }
        }
        sink(event)?;
        on_progress(stats.records + stats.errors, stats.bytes);
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn run_ids(path: &std::path::Path, threads: usize, chunk: usize) -> (Vec<String>, RunStats) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = seen.clone();
        let stats = run(
            vec![Input::File(path.to_path_buf())],
            ReadOptions::default(),
            &PipelineOptions {
                threads,
                chunk_docs: chunk,
                chunk_bytes: 1 << 20,
                record_shard: None,
            },
            |r: &Record| r.text.len(),
            move |e| {
                if let Event::Chunk(items) = e {
                    for (item, s) in items {
                        s2.lock().unwrap().push(match item {
                            Item::Record(r) => format!("{}:{}", r.id, s.unwrap()),
                            Item::Error(e) => format!("error@{}", e.line),
                        });
                    }
                }
                Ok(())
            },
            |_, _| {},
        )
        .unwrap();
        let v = seen.lock().unwrap().clone();
        (v, stats)
    }

    #[test]
    fn order_and_counts_hold_at_any_thread_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.jsonl");
        let mut s = String::new();
        for i in 0..500 {
            if i % 97 == 0 {
                s.push_str("{broken\n");
            }
            s.push_str(&format!(
                "{{\"id\":\"d{i}\",\"text\":\"{}\"}}\n",
                "x".repeat(i % 13)
            ));
        }
        std::fs::write(&path, s).unwrap();
        let (one, st1) = run_ids(&path, 1, 7);
        let (many, st4) = run_ids(&path, 4, 7);
        assert_eq!(one, many);
        assert_eq!(st1.records, 500);
        assert_eq!(st1.errors, 6);
        assert_eq!(st4.records + st4.errors, 506);
        assert!(one[1].starts_with("d0:"));
    }

    #[test]
    fn missing_input_is_fatal() {
        let r = run(
            vec![Input::File("/no/such.jsonl".into())],
            ReadOptions::default(),
            &PipelineOptions::default(),
            |_: &Record| 0,
            |_| Ok(()),
            |_, _| {},
        );
        assert!(matches!(r, Err(Error::OpenInput { .. })));
    }
}
