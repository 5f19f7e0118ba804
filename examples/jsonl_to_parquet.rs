//! Convert JSONL documents (`id`, `text`) to a Parquet file with the same two columns, for
//! the Parquet benchmarks: `cargo run --release --example jsonl_to_parquet -- IN.jsonl OUT.parquet`.
use std::io::BufRead;
use std::sync::Arc;

use arrow_array::{RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = (&args[1], &args[2]);
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, false),
    ]));
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_max_row_group_row_count(Some(16_384))
        .build();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(output).unwrap(),
        schema.clone(),
        Some(props),
    )
    .unwrap();
    let (mut ids, mut texts) = (Vec::new(), Vec::new());
    let flush =
        |ids: &mut Vec<String>, texts: &mut Vec<String>, w: &mut ArrowWriter<std::fs::File>| {
            let batch = RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(StringArray::from(std::mem::take(ids))),
                    Arc::new(StringArray::from(std::mem::take(texts))),
                ],
            )
            .unwrap();
            w.write(&batch).unwrap();
        };
    for line in std::io::BufReader::new(std::fs::File::open(input).unwrap()).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        ids.push(v["id"].as_str().unwrap_or_default().to_string());
        texts.push(v["text"].as_str().unwrap_or_default().to_string());
        if ids.len() == 8192 {
            flush(&mut ids, &mut texts, &mut w);
        }
    }
    if !ids.is_empty() {
        flush(&mut ids, &mut texts, &mut w);
    }
    w.close().unwrap();
}
