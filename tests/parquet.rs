//! Parquet in and out: every input column kept, contentq columns added, every record once.

mod common;

use std::fs::File;
use std::sync::Arc;

use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::*;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

const TEXTS: [&str; 4] = [
    "Best clinic in Leeds! Call 0113 496 0000 now for a free consultation, 100% cure guaranteed.",
    "Migraine is common. Studies suggest some medicines may help; side effects vary, ask your doctor.",
    "郑州哪个医院治疗偏头痛好？我院专家根治偏头痛，免费咨询热线400-123-4567，加微信预约。",
    "偏头痛是一种常见的头痛疾病。研究表明，部分药物可能减少发作，但效果因人而异。",
];

/// Write `n` rows (doc_id, text, url, label) in batches of 7 rows, with one null text.
fn write_input(path: &std::path::Path, n: usize) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("doc_id", DataType::Int64, false),
        Field::new("text", DataType::Utf8, true),
        Field::new("url", DataType::Utf8, false),
        Field::new("label", DataType::Utf8, false),
    ]));
    let mut w = ArrowWriter::try_new(File::create(path).unwrap(), schema.clone(), None).unwrap();
    let mut i = 0;
    while i < n {
        let rows: Vec<usize> = (i..(i + 7).min(n)).collect();
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(
                    rows.iter().map(|&r| r as i64).collect::<Vec<_>>(),
                )),
                Arc::new(StringArray::from(
                    rows.iter()
                        .map(|&r| {
                            if r == 5 {
                                None
                            } else {
                                Some(format!("{} #{r}", TEXTS[r % 4]))
                            }
                        })
                        .collect::<Vec<_>>(),
                )),
                Arc::new(StringArray::from(
                    rows.iter()
                        .map(|r| format!("https://x/{r}"))
                        .collect::<Vec<_>>(),
                )),
                Arc::new(StringArray::from(
                    rows.iter()
                        .map(|r| {
                            if r % 2 == 0 {
                                "promotional"
                            } else {
                                "informative"
                            }
                        })
                        .collect::<Vec<_>>(),
                )),
            ],
        )
        .unwrap();
        w.write(&batch).unwrap();
        i += 7;
    }
    w.close().unwrap();
}

fn read_all(path: &std::path::Path) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

fn column_strings(batches: &[RecordBatch], name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        let i = b.schema().index_of(name).unwrap();
        let c = b.column(i);
        for r in 0..c.len() {
            out.push(contentq::io::parquet::cell_string(c.as_ref(), r).unwrap_or_default());
        }
    }
    out
}

#[test]
fn label_parquet_keeps_every_column_and_adds_contentq_columns() {
    let w = Workdir::new();
    write_input(&w.path("in.parquet"), 40);
    let o = w.run(&[
        "label",
        "in.parquet",
        "--id-column",
        "doc_id",
        "-o",
        "out.parquet",
    ]);
    assert_code(&o, 1); // the null text is an unreadable record
    let batches = read_all(&w.path("out.parquet"));
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(&names[..4], ["doc_id", "text", "url", "label"]);
    assert!(names.contains(&"contentq_label") && names.contains(&"contentq_p_promotional"));
    assert!(names.contains(&"contentq_reasons"));
    let ids = column_strings(&batches, "doc_id");
    assert_eq!(ids.len(), 39);
    assert!(!ids.contains(&"5".to_string()));
    let labels = column_strings(&batches, "contentq_label");
    assert_eq!(labels[0], "promotional");
    assert_eq!(labels[1], "informative");
    let errors = json_lines(&w.read("out.parquet.errors.jsonl"));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["line"], 6, "row numbers count from 1");
}

#[test]
fn parquet_to_jsonl_and_csv() {
    let w = Workdir::new();
    write_input(&w.path("in.parquet"), 10);
    assert_code(
        &w.run(&["label", "in.parquet", "--annotate", "-o", "out.jsonl", "-q"]),
        1,
    );
    let lines = json_lines(&w.read("out.jsonl"));
    assert_eq!(lines.len(), 9);
    assert_eq!(lines[0]["url"], "https://x/0");
    assert!(lines[0]["metadata"]["contentq"]["p_promotional"].is_number());
    assert_code(
        &w.run(&["label", "in.parquet", "--annotate", "-o", "out.csv", "-q"]),
        1,
    );
    assert_eq!(
        &csv_header(&w.path("out.csv"))[..4],
        ["doc_id", "text", "url", "label"]
    );
}

#[test]
fn jsonl_to_parquet_has_ids_and_labels() {
    let w = Workdir::new();
    let input: String = (0..12)
        .map(|i| {
            serde_json::json!({"id": format!("d{i}"), "text": TEXTS[i % 4]}).to_string() + "\n"
        })
        .collect();
    w.write("in.jsonl", input);
    assert_code(
        &w.run(&["label", "in.jsonl", "-o", "out.parquet", "--all-features"]),
        0,
    );
    let batches = read_all(&w.path("out.parquet"));
    assert_eq!(column_strings(&batches, "id")[11], "d11");
    assert_eq!(column_strings(&batches, "label").len(), 12);
    assert!(batches[0].schema().index_of("claim_cure").is_ok());
    // features to Parquet too.
    assert_code(&w.run(&["features", "in.jsonl", "-o", "f.parquet"]), 0);
    assert_eq!(
        column_strings(&read_all(&w.path("f.parquet")), "boilerplate_ratio").len(),
        12
    );
}

#[test]
fn filter_parquet_splits_rows_whole() {
    let w = Workdir::new();
    write_input(&w.path("in.parquet"), 60);
    let o = w.run(&[
        "filter",
        "in.parquet",
        "--keep",
        "informative",
        "-o",
        "kept.parquet",
        "--rejected",
        "rej.parquet",
    ]);
    assert_code(&o, 1);
    let kept = read_all(&w.path("kept.parquet"));
    let rej = read_all(&w.path("rej.parquet"));
    let (k, r) = (
        column_strings(&kept, "doc_id"),
        column_strings(&rej, "doc_id"),
    );
    assert_eq!(k.len() + r.len(), 59);
    assert_eq!(
        kept[0].schema().fields().len(),
        4,
        "kept rows are the input rows"
    );
    let reasons = column_strings(&rej, "contentq_filter_reason");
    assert!(reasons.iter().all(|x| x.starts_with("promotional")));
    // Parquet output from JSONL input is refused: the records have no columns to keep.
    w.write("in.jsonl", "{\"text\":\"x\"}\n");
    let o = w.run(&[
        "filter",
        "in.jsonl",
        "--keep",
        "informative",
        "-o",
        "k.parquet",
        "--rejected",
        "r.parquet",
    ]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("only from Parquet input"));
}

#[test]
fn train_and_eval_from_parquet() {
    let w = Workdir::new();
    write_input(&w.path("in.parquet"), 80);
    // The null text row makes the labeled data unclean: train refuses and names it.
    let o = w.run(&["train", "in.parquet", "-o", "m.json"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("in.parquet:6"), "{}", stderr(&o));
    // A clean file trains.
    write_clean(&w.path("clean.parquet"), 80);
    let o = w.run(&["train", "clean.parquet", "-o", "m.json", "--no-lexical"]);
    assert_code(&o, 0);
    let o = w.run(&["eval", "clean.parquet", "--model", "m.json"]);
    assert_code(&o, 0);
    assert!(stdout(&o).contains("all: n=80"));
}

fn write_clean(path: &std::path::Path, n: usize) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("text", DataType::Utf8, false),
        Field::new("label", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(
                (0..n)
                    .map(|r| format!("{} #{r}", TEXTS[r % 4]))
                    .collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from(
                (0..n)
                    .map(|r| {
                        if r % 2 == 0 {
                            "promotional"
                        } else {
                            "informative"
                        }
                    })
                    .collect::<Vec<_>>(),
            )),
        ],
    )
    .unwrap();
    let mut w = ArrowWriter::try_new(File::create(path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn parquet_from_stdin_is_refused() {
    let w = Workdir::new();
    let o = w.run_stdin(&["label", "-", "--format", "parquet"], Some(b"PAR1"));
    assert_code(&o, 2);
    assert!(stderr(&o).contains("stdin"));
}
