//! Reading documents and writing results.
//!
//! Inputs are CSV (a header row; the text column is configurable) or JSONL (one JSON object
//! per line, the datatrove/Dolma convention: `text`, `id`, optional `metadata`), plain or
//! compressed with gzip or zstd. The format comes from the file name (`.csv`, `.jsonl`,
//! `.ndjson`, `.json`, each optionally followed by `.gz` or `.zst`) or from `--format`;
//! compression is recognised by its magic bytes, so a misnamed file still reads. `-` is stdin.
//! A directory stands for every such file below it, in sorted order.
//!
//! Readers yield [`Item`]s: a [`Record`] (the document plus its original fields, so that
//! `filter` can write it back unchanged) or a [`RecordError`] (file, line and reason for a
//! record that cannot be read). A bad record never stops a reader; a stream that ends early
//! (a truncated gzip file) yields one error and ends that file.

pub mod csv_input;
pub mod jsonl_input;
pub mod output;
pub mod parquet;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};

/// A document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    Parquet,
}

impl Format {
    /// The format a file name implies, looking through `.gz`/`.zst`.
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let base = name
            .strip_suffix(".gz")
            .or_else(|| name.strip_suffix(".zst"))
            .or_else(|| name.strip_suffix(".zstd"))
            .unwrap_or(&name);
        if name.ends_with(".parquet") || name.ends_with(".pq") {
            Some(Format::Parquet)
        } else if base.ends_with(".csv") {
            Some(Format::Csv)
        } else if base.ends_with(".jsonl") || base.ends_with(".ndjson") || base.ends_with(".json") {
            Some(Format::Jsonl)
        } else {
            None
        }
    }

    /// Parse `csv` or `jsonl`.
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "json" | "ndjson" => Some(Format::Jsonl),
            "parquet" | "pq" => Some(Format::Parquet),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
        }
    }
}

/// Where a document came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// The input's display name (its path, or `<stdin>`).
    pub file: Arc<str>,
    /// 1-based line where the record starts.
    pub line: u64,
    /// 1-based record number within the input.
    pub record: u64,
}

/// A record's original fields, kept so that outputs can reproduce it.
#[derive(Debug, Clone, PartialEq)]
pub enum Original {
    /// CSV fields, in header order.
    Csv(csv::StringRecord),
    /// The JSON object of a JSONL line.
    Json(serde_json::Map<String, serde_json::Value>),
    /// A row of a Parquet record batch.
    Arrow {
        batch: std::sync::Arc<arrow_array::RecordBatch>,
        row: usize,
    },
}

impl Original {
    /// The value of a named field as a string (CSV: needs the header), `None` when absent or
    /// null.
    pub fn field(&self, header: Option<&csv::StringRecord>, name: &str) -> Option<String> {
        match self {
            Original::Csv(f) => {
                let i = header?.iter().position(|h| h == name)?;
                f.get(i).map(String::from)
            }
            Original::Json(o) => match o.get(name)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Null => None,
                other => Some(other.to_string()),
            },
            Original::Arrow { batch, row } => {
                let i = batch.schema().index_of(name).ok()?;
                parquet::cell_string(batch.column(i).as_ref(), *row)
            }
        }
    }
}

/// One input document.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub origin: Origin,
    /// The id field, or `<file>:<record>` when the input has none.
    pub id: String,
    pub text: String,
    pub original: Original,
}

/// A record that could not be read.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RecordError {
    pub file: String,
    pub line: u64,
    pub record: u64,
    pub reason: String,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// What a reader yields.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Record(Record),
    Error(RecordError),
}

impl Item {
    /// Bytes of text this item carries (for progress and chunking).
    pub fn text_len(&self) -> usize {
        match self {
            Item::Record(r) => r.text.len(),
            Item::Error(_) => 0,
        }
    }
}

/// How to read inputs.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Force a format instead of guessing from the file name.
    pub format: Option<Format>,
    /// The text column or field.
    pub text_field: String,
    /// The id column or field.
    pub id_field: String,
    /// Whether `id_field` was given explicitly (then it must exist in CSV inputs).
    pub id_field_explicit: bool,
    /// JSONL: a blank line is a record too (an error "blank line"), so that output lines
    /// match input lines one to one (`label --stream`).
    pub blank_lines_are_records: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            text_field: "text".into(),
            id_field: "id".into(),
            id_field_explicit: false,
            blank_lines_are_records: false,
        }
    }
}

/// An input to read: a file or stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    /// Display name.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".into(),
            Input::File(p) => p.display().to_string(),
        }
    }
}

/// Expand command-line inputs: `-` is stdin, a directory is every document file below it
/// (sorted), a file is itself. Fails on a path that does not exist.
pub fn expand_inputs(args: &[PathBuf]) -> Result<Vec<Input>> {
    Ok(expand_inputs_named(args)?
        .into_iter()
        .map(|(i, _)| i)
        .collect())
}

/// Like [`expand_inputs`], with a short name for each input that is unique within the run:
/// the path below the directory argument it was found in (`/` turned into `__`), or the file
/// name for a file argument, or `stdin`. Per-file outputs are named after it.
pub fn expand_inputs_named(args: &[PathBuf]) -> Result<Vec<(Input, String)>> {
    let mut out = Vec::new();
    for a in args {
        if a.as_os_str() == "-" {
            out.push((Input::Stdin, "stdin".to_string()));
            continue;
        }
        let meta = std::fs::metadata(a).map_err(|e| Error::OpenInput {
            path: a.clone(),
            source: e,
        })?;
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(a, &mut files).map_err(|e| Error::OpenInput {
                path: a.clone(),
                source: e,
            })?;
            files.sort();
            for f in files {
                let rel = f.strip_prefix(a).unwrap_or(&f);
                let name = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("__");
                out.push((Input::File(f), name));
            }
        } else {
            let name = a
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "input".into());
            out.push((Input::File(a.clone()), name));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if Format::from_path(&path).is_some()
            && !path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.') || n.contains(".errors."))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Open an input, undoing gzip or zstd compression (recognised by magic bytes).
pub fn open(input: &Input) -> Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = match input {
        Input::Stdin => Box::new(io::stdin()),
        Input::File(p) => Box::new(File::open(p).map_err(|e| Error::OpenInput {
            path: p.clone(),
            source: e,
        })?),
    };
    let mut buf = BufReader::with_capacity(1 << 16, raw);
    let head = buf.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let dec = flate2::bufread::MultiGzDecoder::new(buf);
        Ok(Box::new(BufReader::with_capacity(1 << 16, dec)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let dec = zstd::stream::read::Decoder::with_buffer(buf)?;
        Ok(Box::new(BufReader::with_capacity(1 << 16, dec)))
    } else {
        Ok(Box::new(buf))
    }
}

/// The format of an input: forced, from its name, or sniffed from its first byte
/// (`{` means JSONL) for stdin and unknown names.
pub fn format_of(
    input: &Input,
    forced: Option<Format>,
    reader: &mut dyn BufRead,
) -> Result<Format> {
    if let Some(f) = forced {
        return Ok(f);
    }
    if let Input::File(p) = input
        && let Some(f) = Format::from_path(p)
    {
        return Ok(f);
    }
    let head = reader.fill_buf()?;
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(Format::Jsonl),
        Some(b'P') if head.starts_with(b"PAR1") => Ok(Format::Parquet),
        None if matches!(input, Input::Stdin) => Ok(Format::Jsonl),
        _ => Err(Error::UnknownFormat(input.name())),
    }
}

/// A reader of one input's records.
pub enum RecordReader {
    Csv(csv_input::CsvRecords),
    Jsonl(jsonl_input::JsonlRecords),
    Parquet(Box<parquet::ParquetRecords>),
}

impl RecordReader {
    /// Open `input` and prepare to read its records. Fails when the input cannot be opened,
    /// its format cannot be told, or (CSV) the text column is missing.
    pub fn open(input: &Input, opts: &ReadOptions) -> Result<RecordReader> {
        let named = match input {
            Input::File(p) => Format::from_path(p),
            Input::Stdin => None,
        };
        if opts.format.or(named) == Some(Format::Parquet) {
            let Input::File(path) = input else {
                return Err(Error::Usage(
                    "Parquet cannot be read from stdin (it needs a seekable file): name the file"
                        .into(),
                ));
            };
            let name: Arc<str> = Arc::from(input.name());
            return Ok(RecordReader::Parquet(Box::new(
                parquet::ParquetRecords::open(path, name, opts)?,
            )));
        }
        let mut reader = open(input)?;
        let format = format_of(input, opts.format, &mut *reader)?;
        let name: Arc<str> = Arc::from(input.name());
        Ok(match format {
            Format::Csv => RecordReader::Csv(csv_input::CsvRecords::new(reader, name, opts)?),
            Format::Jsonl => {
                RecordReader::Jsonl(jsonl_input::JsonlRecords::new(reader, name, opts))
            }
            Format::Parquet => {
                return Err(Error::Usage(format!(
                    "{name} is Parquet: name it .parquet so that it is opened as a file"
                )));
            }
        })
    }

    /// The input's format.
    pub fn format(&self) -> Format {
        match self {
            RecordReader::Csv(_) => Format::Csv,
            RecordReader::Jsonl(_) => Format::Jsonl,
            RecordReader::Parquet(_) => Format::Parquet,
        }
    }

    /// The Arrow schema, for Parquet inputs.
    pub fn arrow_schema(&self) -> Option<arrow_schema::SchemaRef> {
        match self {
            RecordReader::Parquet(p) => Some(p.schema().clone()),
            _ => None,
        }
    }

    /// The CSV header, for CSV inputs.
    pub fn csv_header(&self) -> Option<&csv::StringRecord> {
        match self {
            RecordReader::Csv(c) => Some(c.header()),
            RecordReader::Jsonl(_) | RecordReader::Parquet(_) => None,
        }
    }
}

impl Iterator for RecordReader {
    type Item = Item;
    fn next(&mut self) -> Option<Item> {
        match self {
            RecordReader::Csv(r) => r.next(),
            RecordReader::Jsonl(r) => r.next(),
            RecordReader::Parquet(r) => r.next(),
        }
    }
}

/// FNV-1a of the bytes, mixed: the same on every machine and every run (the sharding
/// contract: changing it reshuffles shards).
pub fn stable_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    crate::features::tokenize::mix64(h)
}

impl Item {
    /// The key that assigns the item to a record shard: its id, or file and line for an
    /// unreadable record.
    pub fn shard_key(&self) -> String {
        match self {
            Item::Record(r) => r.id.clone(),
            Item::Error(e) => format!("{}:{}", e.file, e.line),
        }
    }
}

/// Describe an I/O error that ended a stream early, in words a user can act on.
pub(crate) fn stream_error_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => {
            "input ends early (truncated or corrupt compressed stream); records after this point are lost: re-fetch the file".into()
        }
        _ => format!("read error: {e}; records after this point are not read"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names() {
        assert_eq!(Format::from_path(Path::new("a.csv")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("a.CSV.gz")), Some(Format::Csv));
        assert_eq!(
            Format::from_path(Path::new("a.jsonl.zst")),
            Some(Format::Jsonl)
        );
        assert_eq!(
            Format::from_path(Path::new("a.ndjson")),
            Some(Format::Jsonl)
        );
        assert_eq!(Format::from_path(Path::new("a.txt")), None);
    }

    #[test]
    fn missing_input_is_an_error() {
        let e = expand_inputs(&[PathBuf::from("/no/such/file.csv")]).unwrap_err();
        assert!(matches!(e, Error::OpenInput { .. }));
    }
}
