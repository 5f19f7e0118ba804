//! The bad-input corpus (`tests/data/bad/`, plus two large inputs generated here): every file
//! has a stated outcome. Records are labeled or reported in the errors file with line and
//! reason; labeled + errors = records; the run goes on unless `--strict`.

mod common;

use common::*;

fn bad(name: &str) -> String {
    root()
        .join("tests/data/bad")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

struct Outcome {
    code: i32,
    labeled: Vec<csv::StringRecord>,
    errors: Vec<serde_json::Value>,
    stderr: String,
}

fn label(name: &str) -> Outcome {
    let w = Workdir::new();
    let o = w.run(&["label", &bad(name), "-o", "out.csv", "-q"]);
    let labeled = if w.path("out.csv").exists() {
        csv_rows(&w.path("out.csv"))
    } else {
        Vec::new()
    };
    let errors = if w.path("out.csv.errors.jsonl").exists() {
        json_lines(&w.read("out.csv.errors.jsonl"))
    } else {
        Vec::new()
    };
    Outcome {
        code: o.status.code().unwrap_or(-1),
        labeled,
        errors,
        stderr: stderr(&o),
    }
}

/// (line, reason fragment) of each error.
fn errs(o: &Outcome) -> Vec<(u64, String)> {
    o.errors
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn invalid_utf8_is_one_error_per_record() {
    let o = label("invalid_utf8.csv");
    assert_eq!((o.code, o.labeled.len()), (1, 2));
    assert_eq!(errs(&o)[0].0, 3);
    assert!(errs(&o)[0].1.contains("invalid UTF-8 in column `text`"));
    let o = label("invalid_utf8.jsonl");
    assert_eq!((o.code, o.labeled.len()), (1, 2));
    assert_eq!(errs(&o)[0].0, 2);
    assert!(errs(&o)[0].1.contains("invalid UTF-8"));
}

#[test]
fn nul_bytes() {
    // An escaped NUL is valid JSON and is scored (it becomes a space); a raw NUL inside a
    // JSON string is not JSON.
    let o = label("nul_bytes.jsonl");
    assert_eq!((o.code, o.labeled.len()), (1, 2));
    assert_eq!(errs(&o)[0].0, 2);
    assert!(errs(&o)[0].1.contains("malformed JSON"));
    // CSV has no such rule: the field is read and scored.
    let o = label("nul_bytes.csv");
    assert_eq!((o.code, o.labeled.len(), o.errors.len()), (0, 2, 0));
}

#[test]
fn byte_order_marks_are_ignored() {
    for f in ["bom.csv", "bom.jsonl"] {
        let o = label(f);
        assert_eq!((o.code, o.labeled.len()), (0, 1), "{f}: {}", o.stderr);
        assert_eq!(
            &o.labeled[0][0], "1",
            "{f}: the id column is found despite the BOM"
        );
    }
}

#[test]
fn line_ends() {
    let o = label("crlf.csv");
    assert_eq!((o.code, o.labeled.len()), (0, 2));
    let o = label("lone_cr.csv");
    assert_eq!((o.code, o.labeled.len()), (0, 2));
    assert_eq!(&o.labeled[1][0], "2");
    let o = label("crlf.jsonl");
    assert_eq!((o.code, o.labeled.len()), (0, 2));
}

#[test]
fn unbalanced_quote_runs_to_the_end_of_the_file() {
    // RFC 4180: a quote opens a field that only a quote closes, so the rest of the file is
    // one field. The record is labeled (nothing is dropped); the other rows are inside it.
    let o = label("unbalanced_quotes.csv");
    assert_eq!((o.code, o.labeled.len(), o.errors.len()), (0, 1, 0));
    assert_eq!(&o.labeled[0][0], "1");
}

#[test]
fn rows_with_extra_or_missing_fields_are_errors() {
    let o = label("extra_columns.csv");
    assert_eq!((o.code, o.labeled.len()), (1, 2));
    assert_eq!(
        errs(&o),
        vec![(
            3,
            "CSV row has 4 fields, the header has 2: check quoting on this line".to_string()
        )]
    );
    let o = label("missing_columns.csv");
    assert_eq!((o.code, o.labeled.len()), (1, 2));
    assert_eq!(errs(&o)[0].0, 3);
    assert!(errs(&o)[0].1.contains("has 2 fields, the header has 3"));
}

#[test]
fn json_lines_that_are_not_objects() {
    let o = label("not_object.jsonl");
    assert_eq!((o.code, o.labeled.len()), (1, 2));
    let e = errs(&o);
    assert_eq!(e.iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 3, 4]);
    assert!(e[0].1.contains("an array but not an object"));
    assert!(e[1].1.contains("a string but not an object"));
    assert!(e[2].1.contains("a number but not an object"));
}

#[test]
fn text_that_is_not_a_string() {
    let o = label("text_types.jsonl");
    assert_eq!((o.code, o.labeled.len()), (1, 1));
    let e = errs(&o);
    assert_eq!(e.len(), 5);
    assert!(e[0].1.contains("`text` is a number"));
    assert!(e[1].1.contains("`text` is null"));
    assert!(e[2].1.contains("`text` is an array"));
    assert!(e[3].1.contains("`text` is a boolean"));
    assert!(e[4].1.contains("no `text` field"));
}

#[test]
fn empty_inputs() {
    // An empty JSONL file has no records: an empty output and success.
    let o = label("empty.jsonl");
    assert_eq!((o.code, o.labeled.len(), o.errors.len()), (0, 0, 0));
    // A CSV file with a header and no rows likewise.
    let o = label("header_only.csv");
    assert_eq!((o.code, o.labeled.len()), (0, 0));
    // An empty CSV file has no header, so no text column: a clear error, nothing written.
    let o = label("empty.csv");
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("no column named `text` (columns: none: the file is empty)")
    );
    assert!(o.labeled.is_empty());
    // Blank lines in JSONL are not records.
    let o = label("blank_lines.jsonl");
    assert_eq!((o.code, o.labeled.len(), o.errors.len()), (0, 2, 0));
}

#[test]
fn truncated_compressed_streams_keep_what_was_readable() {
    // The gzip stream ends mid-way: the documents before the cut are labeled, and the cut is
    // one error that says records after it are lost.
    let o = label("truncated.jsonl.gz");
    assert_eq!(o.code, 1);
    assert!(!o.labeled.is_empty() && o.labeled.len() < 200);
    assert_eq!(o.errors.len(), 1);
    assert!(errs(&o)[0].1.contains("input ends early"), "{:?}", errs(&o));
    // The zstd file is one small frame cut short: nothing decodes, one error.
    let o = label("truncated.jsonl.zst");
    assert_eq!(o.code, 1);
    assert_eq!(o.errors.len(), 1);
    assert!(
        errs(&o)[0].1.contains("ends early") || errs(&o)[0].1.contains("read error"),
        "{:?}",
        errs(&o)
    );
}

#[test]
fn strict_stops_at_each_kind_of_bad_record() {
    for f in [
        "invalid_utf8.csv",
        "extra_columns.csv",
        "not_object.jsonl",
        "text_types.jsonl",
        "truncated.jsonl.gz",
    ] {
        let w = Workdir::new();
        let o = w.run(&["label", &bad(f), "--strict", "-o", "out.csv"]);
        assert_code(&o, 2);
        assert!(stderr(&o).contains("--strict"), "{f}");
        assert!(!w.path("out.csv").exists(), "{f}: no output under --strict");
    }
}

#[test]
fn a_100_mb_document_on_one_line() {
    let w = Workdir::new();
    let text = "Call now for a free consultation. ".repeat(3 * 1024 * 1024 + 100_000); // > 100 MB
    assert!(text.len() > 100 * 1024 * 1024);
    let line = serde_json::json!({"id": "huge", "text": text}).to_string();
    w.write(
        "huge.jsonl",
        format!("{line}\n{{\"id\":\"after\",\"text\":\"small\"}}\n"),
    );
    drop(text);
    let o = w.run(&["label", "huge.jsonl", "-o", "out.csv", "-q"]);
    assert_code(&o, 0);
    let rows = csv_rows(&w.path("out.csv"));
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][0], "huge");
    assert_eq!(
        &rows[0][8], "true",
        "flagged truncated: features read the first 1 MiB"
    );
    assert_eq!(&rows[1][8], "false");
}

#[test]
fn a_million_tiny_documents() {
    let w = Workdir::new();
    let mut s = String::with_capacity(20 * 1_000_000);
    for i in 0..1_000_000 {
        s.push_str(if i % 2 == 0 {
            "{\"text\":\"a\"}\n"
        } else {
            "{\"text\":\"buy\"}\n"
        });
    }
    w.write("tiny.jsonl", s);
    let o = w.run(&[
        "label",
        "tiny.jsonl",
        "-o",
        "out.jsonl",
        "-q",
        "--threads",
        "2",
    ]);
    assert_code(&o, 0);
    let out = w.read("out.jsonl");
    assert_eq!(out.lines().count(), 1_000_000);
    // Ids default to file:line, in order.
    let last = out.lines().last().unwrap();
    assert!(last.contains("tiny.jsonl:1000000"), "{last}");
}
