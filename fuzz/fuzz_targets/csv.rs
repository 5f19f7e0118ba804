//! The CSV reader on arbitrary bytes.
//!
//! Invariants: `CsvRecords::new` and iteration never panic; the reader ends (at most one item
//! per input byte, plus one); record numbers count 1, 2, 3, ... over records and errors alike;
//! a record's `text` is its text column and its fields match the header's length. (An
//! explicit id column that is missing is a plain error in `new`; it is not fuzzed.)
#![no_main]

use std::io::Cursor;
use std::sync::Arc;

use contentq::io::csv_input::CsvRecords;
use contentq::io::{Item, Original, ReadOptions};
use libfuzzer_sys::fuzz_target;

fn read(data: &[u8], opts: &ReadOptions) {
    let Ok(reader) = CsvRecords::new(
        Box::new(Cursor::new(data.to_vec())),
        Arc::from("fuzz.csv"),
        opts,
    ) else {
        return;
    };
    let header_len = reader.header().len();
    let text_col = reader
        .header()
        .iter()
        .position(|h| h == opts.text_field)
        .expect("a reader was made, so the header has the text column");
    let mut n: u64 = 0;
    for item in reader {
        n += 1;
        assert!(
            n <= data.len() as u64 + 1,
            "more items ({n}) than input bytes ({}): the reader does not end",
            data.len()
        );
        match item {
            Item::Record(r) => {
                assert_eq!(r.origin.record, n, "record numbers must count up by one");
                let Original::Csv(fields) = &r.original else {
                    panic!("a CSV reader yielded a non-CSV original");
                };
                assert_eq!(fields.len(), header_len);
                assert_eq!(fields.get(text_col), Some(r.text.as_str()));
                assert!(!r.id.is_empty());
            }
            Item::Error(e) => {
                assert_eq!(e.record, n, "record numbers must count up by one");
                assert!(!e.reason.is_empty());
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // One read per input: building the csv crate's parser is most of the cost of a run.
    read(data, &ReadOptions::default());
});
