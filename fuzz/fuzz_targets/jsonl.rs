//! The JSONL reader on arbitrary bytes.
//!
//! Invariants: iteration never panics, and every non-blank line (blank: only ASCII white
//! space, after a UTF-8 byte-order mark on the first line) yields exactly one item, a record
//! or an error, carrying that line's number and the next record number.
#![no_main]

use std::io::Cursor;
use std::sync::Arc;

use contentq::io::jsonl_input::JsonlRecords;
use contentq::io::{Item, ReadOptions};
use libfuzzer_sys::fuzz_target;

/// 1-based numbers of the lines that are not blank.
fn non_blank_lines(data: &[u8]) -> Vec<u64> {
    let mut out = Vec::new();
    if data.is_empty() {
        return out;
    }
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        let line = if i == 0 {
            line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line)
        } else {
            line
        };
        if !line.iter().all(|b| b.is_ascii_whitespace()) {
            out.push(i as u64 + 1);
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let expected = non_blank_lines(data);
    let reader = JsonlRecords::new(
        Box::new(Cursor::new(data.to_vec())),
        Arc::from("fuzz.jsonl"),
        &ReadOptions::default(),
    );
    let mut got = Vec::new();
    for item in reader {
        assert!(
            got.len() < expected.len(),
            "more items than non-blank lines ({}), first extra: {item:?}",
            expected.len()
        );
        let (line, record) = match &item {
            Item::Record(r) => (r.origin.line, r.origin.record),
            Item::Error(e) => (e.line, e.record),
        };
        assert_eq!(
            record,
            got.len() as u64 + 1,
            "record numbers must count up by one"
        );
        got.push(line);
    }
    assert_eq!(got, expected, "lines of the items != non-blank lines");
});
