//! JSONL input: one JSON object per line (datatrove/Dolma documents: `text`, `id`, optional
//! `metadata`, any other fields kept as they are).
//!
//! Lines are read as bytes, so invalid UTF-8, a line that is not JSON, a JSON value that is
//! not an object, or a `text` that is missing, null or not a string each cost one record and
//! are reported with the line number. Blank lines are not records and are skipped. A line
//! ending in `\r\n` and a UTF-8 byte-order mark on the first line are accepted.

use std::io::BufRead;
use std::sync::Arc;

use serde_json::Value;

use super::{Item, Origin, Original, ReadOptions, Record, RecordError, stream_error_reason};

/// Records of one JSONL input.
pub struct JsonlRecords {
    reader: Box<dyn BufRead + Send>,
    file: Arc<str>,
    text_field: String,
    id_field: String,
    blank_is_record: bool,
    line: u64,
    record: u64,
    buf: Vec<u8>,
    done: bool,
}

impl JsonlRecords {
    pub fn new(reader: Box<dyn BufRead + Send>, file: Arc<str>, opts: &ReadOptions) -> Self {
        JsonlRecords {
            reader,
            file,
            text_field: opts.text_field.clone(),
            id_field: opts.id_field.clone(),
            blank_is_record: opts.blank_lines_are_records,
            line: 0,
            record: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    fn error(&self, reason: String) -> Item {
        Item::Error(RecordError {
            file: self.file.to_string(),
            line: self.line,
            record: self.record,
            reason,
        })
    }

    fn parse_line(&self, bytes: &[u8]) -> Item {
        // simdutf8 checks valid text several times faster than the standard library (this
        // runs on the one reader thread); the standard library says where invalid text breaks.
        let checked = simdutf8::basic::from_utf8(bytes).map_err(|_| std::str::from_utf8(bytes));
        let text = match checked {
            Ok(t) => t,
            Err(Err(e)) => {
                return self.error(format!(
                    "invalid UTF-8 at byte {} of the line: re-encode the file as UTF-8",
                    e.valid_up_to()
                ));
            }
            // Both checkers accept exactly valid UTF-8.
            Err(Ok(t)) => t,
        };
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return self.error(format!("malformed JSON: {e}")),
        };
        let Value::Object(obj) = value else {
            return self.error(format!(
                "line is JSON {} but not an object: each line must be an object with a `{}` field",
                kind(&value),
                self.text_field
            ));
        };
        let doc_text = match obj.get(&self.text_field) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return self.error(format!(
                    "field `{}` is {}, expected a string",
                    self.text_field,
                    kind(other)
                ));
            }
            None => {
                return self.error(format!(
                    "no `{}` field (pass --text-column to read another field)",
                    self.text_field
                ));
            }
        };
        let id = match obj.get(&self.id_field) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => format!("{}:{}", self.file, self.line),
        };
        Item::Record(Record {
            origin: Origin {
                file: self.file.clone(),
                line: self.line,
                record: self.record,
            },
            id,
            text: doc_text,
            original: Original::Json(obj),
        })
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Iterator for JsonlRecords {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if self.done {
                return None;
            }
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    self.line += 1;
                    self.record += 1;
                    return Some(self.error(stream_error_reason(&e)));
                }
            }
            self.line += 1;
            let mut start = 0;
            if self.line == 1 && self.buf.starts_with(b"\xef\xbb\xbf") {
                start = 3;
            }
            let mut end = self.buf.len();
            while end > start && matches!(self.buf[end - 1], b'\n' | b'\r') {
                end -= 1;
            }
            if self.buf[start..end].iter().all(|b| b.is_ascii_whitespace()) {
                if self.blank_is_record {
                    self.record += 1;
                    return Some(self.error("blank line".into()));
                }
                continue;
            }
            self.record += 1;
            // Parse from the buffer itself, lent out for the call, rather than from a copy.
            let buf = std::mem::take(&mut self.buf);
            let item = self.parse_line(&buf[start..end]);
            self.buf = buf;
            return Some(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(data: &'static [u8]) -> Vec<Item> {
        JsonlRecords::new(
            Box::new(data),
            Arc::from("t.jsonl"),
            &ReadOptions::default(),
        )
        .collect()
    }

    #[test]
    fn reads_objects_and_keeps_fields() {
        let items = read(b"{\"id\":\"a\",\"text\":\"hi\",\"metadata\":{\"k\":1}}\r\n\n{\"text\":\"x\",\"id\":7}\n");
        assert_eq!(items.len(), 2);
        let Item::Record(r) = &items[0] else { panic!() };
        assert_eq!(r.id, "a");
        let Original::Json(o) = &r.original else {
            panic!()
        };
        assert!(o.contains_key("metadata"));
        let Item::Record(r) = &items[1] else { panic!() };
        assert_eq!(r.id, "7");
        assert_eq!(r.origin.line, 3);
    }

    #[test]
    fn every_kind_of_bad_line_is_reported() {
        let items = read(
            b"{\"text\":\"ok\"}\n{bad json\n[1,2]\n{\"text\":null}\n{\"text\":5}\n{\"id\":\"x\"}\n{\"text\":\"\xff\"}\n{\"text\":\"end\"}",
        );
        assert_eq!(items.len(), 8);
        let reasons: Vec<String> = items
            .iter()
            .filter_map(|i| match i {
                Item::Error(e) => Some(format!("{}:{}", e.line, e.reason)),
                _ => None,
            })
            .collect();
        assert_eq!(reasons.len(), 6, "{reasons:?}");
        assert!(reasons[0].starts_with("2:malformed JSON"));
        assert!(reasons[1].contains("not an object"));
        assert!(reasons[2].contains("null"));
        assert!(reasons[3].contains("a number"));
        assert!(reasons[4].contains("no `text` field"));
        assert!(
            reasons[5].contains("invalid UTF-8 at byte 9"),
            "{}",
            reasons[5]
        );
        assert!(matches!(&items[7], Item::Record(r) if r.text == "end"));
    }

    #[test]
    fn id_defaults_to_file_and_line() {
        let items = read(b"{\"text\":\"x\"}\n");
        assert!(matches!(&items[0], Item::Record(r) if r.id == "t.jsonl:1"));
    }

    #[test]
    fn bom_on_first_line() {
        let items = read(b"\xef\xbb\xbf{\"text\":\"x\"}\n");
        assert!(matches!(&items[0], Item::Record(_)));
    }
}
