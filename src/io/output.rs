//! Outputs that appear whole or not at all.
//!
//! A file output is written to a temporary file in the same directory (`.NAME.XXXXXX.tmp`)
//! and renamed over the target by [`AtomicOutput::commit`], after an fsync. If the run fails
//! or is killed, the target is untouched and the temporary file is removed (or, after a
//! SIGKILL, left as a dot-file that no reader mistakes for the output). `-` writes to stdout.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A buffered output that is committed atomically.
pub struct AtomicOutput {
    inner: Sink,
}

enum Sink {
    Stdout(BufWriter<io::Stdout>),
    File {
        writer: BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
    },
}

impl AtomicOutput {
    /// Prepare an output at `path` (`-` for stdout). Fails at once when the directory does not
    /// exist or is not writable, before any work is done.
    pub fn create(path: &Path) -> Result<AtomicOutput> {
        if path.as_os_str() == "-" {
            return Ok(AtomicOutput {
                inner: Sink::Stdout(BufWriter::with_capacity(1 << 16, io::stdout())),
            });
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        if path.is_dir() {
            return Err(Error::Output {
                path: path.to_path_buf(),
                source: io::Error::new(io::ErrorKind::IsADirectory, "is a directory"),
            });
        }
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // Temporary files are private (0600) by default; the output is an ordinary file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let tmp = builder.tempfile_in(&dir).map_err(|e| Error::Output {
            path: path.to_path_buf(),
            source: e,
        })?;
        Ok(AtomicOutput {
            inner: Sink::File {
                writer: BufWriter::with_capacity(1 << 16, tmp),
                path: path.to_path_buf(),
            },
        })
    }

    /// Is this stdout?
    pub fn is_stdout(&self) -> bool {
        matches!(self.inner, Sink::Stdout(_))
    }

    /// Flush, sync and move the output into place.
    pub fn commit(self) -> Result<()> {
        match self.inner {
            Sink::Stdout(mut w) => Ok(w.flush()?),
            Sink::File { writer, path } => {
                let tmp = writer.into_inner().map_err(|e| Error::Output {
                    path: path.clone(),
                    source: e.into_error(),
                })?;
                tmp.as_file().sync_all().map_err(|e| Error::Output {
                    path: path.clone(),
                    source: e,
                })?;
                tmp.persist(&path).map_err(|e| Error::Output {
                    path: path.clone(),
                    source: e.error,
                })?;
                sync_dir(&path);
                Ok(())
            }
        }
    }
}

/// Make a rename durable (best effort: not every file system supports syncing a directory).
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

impl Write for AtomicOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Sink::Stdout(w) => w.write(buf),
            Sink::File { writer, .. } => writer.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.inner {
            Sink::Stdout(w) => w.write_all(buf),
            Sink::File { writer, .. } => writer.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Sink::Stdout(w) => w.flush(),
            Sink::File { writer, .. } => writer.flush(),
        }
    }
}

/// Rows out, as CSV (with a header) or as JSON lines.
pub enum TableWriter {
    Csv(Box<csv::Writer<AtomicOutput>>),
    Jsonl(AtomicOutput),
    Parquet(Box<super::parquet::ParquetWriter>),
}

impl TableWriter {
    /// A CSV writer; the header is written with the first [`TableWriter::write_csv`] call's
    /// caller (see [`TableWriter::header`]).
    pub fn csv(out: AtomicOutput) -> TableWriter {
        TableWriter::Csv(Box::new(csv::WriterBuilder::new().from_writer(out)))
    }

    pub fn jsonl(out: AtomicOutput) -> TableWriter {
        TableWriter::Jsonl(out)
    }

    /// A Parquet writer copying the input columns of `base` (when given), then `extra`.
    pub fn parquet(
        out: AtomicOutput,
        base: Option<arrow_schema::SchemaRef>,
        extra: Vec<arrow_schema::Field>,
    ) -> Result<TableWriter> {
        Ok(TableWriter::Parquet(Box::new(
            super::parquet::ParquetWriter::new(out, base, extra)?,
        )))
    }

    /// Write one Parquet row.
    pub fn write_parquet(
        &mut self,
        original: Option<(std::sync::Arc<arrow_array::RecordBatch>, usize)>,
        cells: Vec<super::parquet::Cell>,
    ) -> Result<()> {
        match self {
            TableWriter::Parquet(w) => w.push(original, cells),
            _ => unreachable!("write_parquet is only called on Parquet writers"),
        }
    }

    /// Write a CSV header row (no-op for JSONL).
    pub fn header<I, T>(&mut self, fields: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        if let TableWriter::Csv(w) = self {
            w.write_record(fields)?;
        }
        Ok(())
    }

    /// Write one CSV row.
    pub fn write_csv<I, T>(&mut self, fields: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        match self {
            TableWriter::Csv(w) => Ok(w.write_record(fields)?),
            _ => unreachable!("write_csv is only called on CSV writers"),
        }
    }

    /// Write one JSON line.
    pub fn write_json(&mut self, value: &serde_json::Value) -> Result<()> {
        match self {
            TableWriter::Jsonl(w) => {
                serde_json::to_writer(&mut *w, value)?;
                w.write_all(b"\n")?;
                Ok(())
            }
            _ => unreachable!("write_json is only called on JSONL writers"),
        }
    }

    /// Flush buffered rows to the output (for streaming; a file still appears only on
    /// commit).
    pub fn flush(&mut self) -> Result<()> {
        match self {
            TableWriter::Csv(w) => w.flush()?,
            TableWriter::Jsonl(w) => std::io::Write::flush(w)?,
            TableWriter::Parquet(w) => w.flush()?,
        }
        Ok(())
    }

    /// Flush and commit.
    pub fn commit(self) -> Result<()> {
        match self {
            TableWriter::Csv(w) => {
                let out = w.into_inner().map_err(|e| Error::Io(e.into_error()))?;
                out.commit()
            }
            TableWriter::Jsonl(out) => out.commit(),
            TableWriter::Parquet(w) => w.commit(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_until_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut o = AtomicOutput::create(&path).unwrap();
        o.write_all(b"hello\n").unwrap();
        assert!(!path.exists());
        o.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello\n");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o777,
                0o644,
                "outputs are ordinary files, not private temp files"
            );
        }
    }

    #[test]
    fn dropped_output_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        {
            let mut o = AtomicOutput::create(&path).unwrap();
            o.write_all(b"partial").unwrap();
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn missing_directory_fails_early() {
        let e = AtomicOutput::create(Path::new("/no/such/dir/out.csv"))
            .err()
            .unwrap();
        assert!(matches!(e, Error::Output { .. }));
    }
}
