//! CSV input: RFC 4180 with a header row, read with the `csv` crate.
//!
//! Rows are read as bytes so that one field of invalid UTF-8 costs one record (reported in the
//! errors file), not the run. Rows with more or fewer fields than the header are reported too,
//! since a shifted row would put some other column in `text`. A UTF-8 byte-order mark before
//! the header is ignored.

use std::io::BufRead;
use std::sync::Arc;

use super::{Item, Origin, Original, ReadOptions, Record, RecordError, stream_error_reason};
use crate::error::{Error, Result};

/// Records of one CSV input.
pub struct CsvRecords {
    reader: csv::Reader<Box<dyn BufRead + Send>>,
    file: Arc<str>,
    header: csv::StringRecord,
    text_col: usize,
    id_col: Option<usize>,
    record: u64,
    row: csv::ByteRecord,
    done: bool,
}

impl CsvRecords {
    /// Read the header and find the text and id columns.
    pub fn new(input: Box<dyn BufRead + Send>, file: Arc<str>, opts: &ReadOptions) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(input);
        let raw = reader.byte_headers()?.clone();
        let mut fields: Vec<String> = Vec::with_capacity(raw.len());
        for (i, f) in raw.iter().enumerate() {
            let f = if i == 0 {
                f.strip_prefix(b"\xef\xbb\xbf").unwrap_or(f)
            } else {
                f
            };
            fields.push(String::from_utf8_lossy(f).into_owned());
        }
        let header = csv::StringRecord::from(fields);
        let find = |name: &str| header.iter().position(|h| h == name);
        let available = || {
            if header.is_empty() {
                "none: the file is empty".to_string()
            } else {
                header.iter().collect::<Vec<_>>().join(", ")
            }
        };
        let text_col = find(&opts.text_field).ok_or_else(|| Error::MissingColumn {
            file: file.to_string(),
            column: opts.text_field.clone(),
            available: available(),
            flag: "text-column",
        })?;
        let id_col = find(&opts.id_field);
        if id_col.is_none() && opts.id_field_explicit {
            return Err(Error::MissingColumn {
                file: file.to_string(),
                column: opts.id_field.clone(),
                available: available(),
                flag: "id-column",
            });
        }
        Ok(CsvRecords {
            reader,
            file,
            header,
            text_col,
            id_col,
            record: 0,
            row: csv::ByteRecord::new(),
            done: false,
        })
    }

    /// The header row.
    pub fn header(&self) -> &csv::StringRecord {
        &self.header
    }

    fn error(&self, line: u64, reason: String) -> Item {
        Item::Error(RecordError {
            file: self.file.to_string(),
            line,
            record: self.record,
            reason,
        })
    }
}

impl Iterator for CsvRecords {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if self.done {
            return None;
        }
        match self.reader.read_byte_record(&mut self.row) {
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.record += 1;
                let line = e.position().map_or(0, |p| p.line());
                // An I/O error ends the stream; a parse error is one record.
                let reason = match e.kind() {
                    csv::ErrorKind::Io(io) => {
                        self.done = true;
                        stream_error_reason(io)
                    }
                    _ => format!("malformed CSV record: {e}"),
                };
                Some(self.error(line, reason))
            }
            Ok(true) => {
                self.record += 1;
                let line = self.row.position().map_or(0, |p| p.line());
                if self.row.len() != self.header.len() {
                    return Some(self.error(
                        line,
                        format!(
                            "CSV row has {} fields, the header has {}: check quoting on this line",
                            self.row.len(),
                            self.header.len()
                        ),
                    ));
                }
                let row = match csv::StringRecord::from_byte_record(self.row.clone()) {
                    Ok(r) => r,
                    Err(e) => {
                        let field = self
                            .header
                            .get(e.utf8_error().field())
                            .unwrap_or("?")
                            .to_string();
                        return Some(self.error(
                            line,
                            format!(
                                "invalid UTF-8 in column `{field}`: re-encode the file as UTF-8"
                            ),
                        ));
                    }
                };
                let text = row.get(self.text_col).unwrap_or("").to_string();
                let id = match self.id_col.and_then(|c| row.get(c)) {
                    Some(id) if !id.is_empty() => id.to_string(),
                    _ => format!("{}:{}", self.file, self.record),
                };
                Some(Item::Record(Record {
                    origin: Origin {
                        file: self.file.clone(),
                        line,
                        record: self.record,
                    },
                    id,
                    text,
                    original: Original::Csv(row),
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(data: &'static [u8]) -> Result<Vec<Item>> {
        let r = CsvRecords::new(Box::new(data), Arc::from("t.csv"), &ReadOptions::default())?;
        Ok(r.collect())
    }

    #[test]
    fn reads_records_with_ids_and_lines() {
        let items = read(b"id,text\na,hello\nb,\"multi\nline\"\nc,x\n").unwrap();
        assert_eq!(items.len(), 3);
        let Item::Record(r) = &items[1] else { panic!() };
        assert_eq!(r.id, "b");
        assert_eq!(r.text, "multi\nline");
        assert_eq!(r.origin.line, 3);
        let Item::Record(r) = &items[2] else { panic!() };
        assert_eq!(r.origin.line, 5);
    }

    #[test]
    fn missing_id_column_gives_file_and_record() {
        let items = read(b"text\nhello\n").unwrap();
        let Item::Record(r) = &items[0] else { panic!() };
        assert_eq!(r.id, "t.csv:1");
    }

    #[test]
    fn missing_text_column_is_an_error() {
        let e = read(b"id,body\n1,x\n").err().unwrap();
        assert!(matches!(e, Error::MissingColumn { .. }));
        assert!(e.to_string().contains("--text-column"));
    }

    #[test]
    fn bad_rows_are_errors_and_reading_goes_on() {
        let items = read(b"id,text\n1,ok\n2,too,many\n3,\xff\xfe\n4,fine\n").unwrap();
        assert_eq!(items.len(), 4);
        assert!(
            matches!(&items[1], Item::Error(e) if e.reason.contains("3 fields") && e.line == 3)
        );
        assert!(matches!(&items[2], Item::Error(e) if e.reason.contains("UTF-8") && e.line == 4));
        assert!(matches!(&items[3], Item::Record(r) if r.id == "4"));
    }

    #[test]
    fn bom_is_ignored() {
        let items = read(b"\xef\xbb\xbfid,text\n1,x\n").unwrap();
        assert!(matches!(&items[0], Item::Record(r) if r.id == "1"));
    }
}
