//! Parquet input and output (arrow-rs), streamed by record batch with bounded memory.
//!
//! Reading decodes one batch of at most [`BATCH_ROWS`] rows at a time; each record keeps a
//! shared handle on its batch and its row number ([`Original::Arrow`]), so that outputs can
//! copy the input row whole. The text column must be a string column (`Utf8`, `LargeUtf8` or
//! `Utf8View`); ids may be strings or integers.
//!
//! Writing buffers at most [`FLUSH_ROWS`] rows, builds a record batch from them (input
//! columns taken row by row from the input batches with arrow's `interleave`, then the
//! contentq columns) and hands it to parquet's `ArrowWriter`, which writes row groups of at
//! most [`ROW_GROUP_ROWS`] rows, Snappy-compressed (Spark's default), into an atomic output.

use std::fs::File;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::output::AtomicOutput;
use super::{Item, Origin, Original, ReadOptions, Record, RecordError};
use crate::error::{Error, Result};

/// Rows decoded per batch.
pub const BATCH_ROWS: usize = 1024;
/// Rows buffered by the writer before a batch is built and written.
pub const FLUSH_ROWS: usize = 4096;
/// Rows per row group written.
pub const ROW_GROUP_ROWS: usize = 16_384;

/// A string view of one cell, for ids, labels and groups (strings, integers, floats and
/// booleans; `None` for nulls and other types).
pub fn cell_string(array: &dyn Array, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(row).to_string(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row).to_string(),
        DataType::Utf8View => array.as_string_view().value(row).to_string(),
        DataType::Int8 => array.as_primitive::<Int8Type>().value(row).to_string(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::UInt8 => array.as_primitive::<UInt8Type>().value(row).to_string(),
        DataType::UInt16 => array.as_primitive::<UInt16Type>().value(row).to_string(),
        DataType::UInt32 => array.as_primitive::<UInt32Type>().value(row).to_string(),
        DataType::UInt64 => array.as_primitive::<UInt64Type>().value(row).to_string(),
        DataType::Float32 => array.as_primitive::<Float32Type>().value(row).to_string(),
        DataType::Float64 => array.as_primitive::<Float64Type>().value(row).to_string(),
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        _ => return None,
    })
}

fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Records of one Parquet file.
pub struct ParquetRecords {
    reader: ParquetRecordBatchReader,
    file: Arc<str>,
    schema: SchemaRef,
    text_col: usize,
    id_col: Option<usize>,
    batch: Option<Arc<RecordBatch>>,
    row: usize,
    record: u64,
    done: bool,
}

impl ParquetRecords {
    /// Open a Parquet file and find its text and id columns.
    pub fn open(path: &std::path::Path, file: Arc<str>, opts: &ReadOptions) -> Result<Self> {
        let f = File::open(path).map_err(|e| Error::OpenInput {
            path: path.to_path_buf(),
            source: e,
        })?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(f).map_err(|e| {
            Error::Usage(format!(
                "{file}: not a readable Parquet file ({e}); check the file or pass --format"
            ))
        })?;
        let schema = builder.schema().clone();
        let names = || {
            schema
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text_col = schema
            .index_of(&opts.text_field)
            .map_err(|_| Error::MissingColumn {
                file: file.to_string(),
                column: opts.text_field.clone(),
                available: names(),
                flag: "text-column",
            })?;
        let t = schema.field(text_col).data_type();
        if !is_string(t) {
            return Err(Error::Usage(format!(
                "{file}: column `{}` is {t}, not a string column; pass --text-column with the text",
                opts.text_field
            )));
        }
        let id_col = schema.index_of(&opts.id_field).ok();
        if id_col.is_none() && opts.id_field_explicit {
            return Err(Error::MissingColumn {
                file: file.to_string(),
                column: opts.id_field.clone(),
                available: names(),
                flag: "id-column",
            });
        }
        let reader = builder
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| Error::Usage(format!("{file}: cannot read Parquet ({e})")))?;
        Ok(ParquetRecords {
            reader,
            file,
            schema,
            text_col,
            id_col,
            batch: None,
            row: 0,
            record: 0,
            done: false,
        })
    }

    /// The file's schema.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }
}

impl Iterator for ParquetRecords {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if self.done {
                return None;
            }
            if let Some(b) = &self.batch
                && self.row < b.num_rows()
            {
                let batch = b.clone();
                let row = self.row;
                self.row += 1;
                self.record += 1;
                let text_array = batch.column(self.text_col);
                let origin = Origin {
                    file: self.file.clone(),
                    line: self.record,
                    record: self.record,
                };
                let Some(text) = cell_string(text_array.as_ref(), row) else {
                    return Some(Item::Error(RecordError {
                        file: self.file.to_string(),
                        line: self.record,
                        record: self.record,
                        reason: "the text is null".into(),
                    }));
                };
                let id = self
                    .id_col
                    .and_then(|c| cell_string(batch.column(c).as_ref(), row))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| format!("{}:{}", self.file, self.record));
                return Some(Item::Record(Record {
                    origin,
                    id,
                    text,
                    original: Original::Arrow { batch, row },
                }));
            }
            match self.reader.next() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(Ok(b)) => {
                    self.batch = Some(Arc::new(b));
                    self.row = 0;
                }
                Some(Err(e)) => {
                    self.done = true;
                    self.record += 1;
                    return Some(Item::Error(RecordError {
                        file: self.file.to_string(),
                        line: self.record,
                        record: self.record,
                        reason: format!(
                            "Parquet read error ({e}); rows after this point are not read: re-fetch the file"
                        ),
                    }));
                }
            }
        }
    }
}

/// A value of an added column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Str(String),
    F64(f64),
    Bool(bool),
}

/// A Parquet output: optionally the input's columns (row by row), then added columns.
pub struct ParquetWriter {
    out: Option<AtomicOutput>,
    writer: Option<ArrowWriter<AtomicOutput>>,
    /// Input schema whose rows are copied, if any.
    base: Option<SchemaRef>,
    extra: Vec<Field>,
    schema: Option<SchemaRef>,
    rows: Vec<Option<(Arc<RecordBatch>, usize)>>,
    cells: Vec<Vec<Cell>>,
}

impl ParquetWriter {
    /// A writer whose rows carry the columns of `base` (when given) and then `extra`.
    pub fn new(out: AtomicOutput, base: Option<SchemaRef>, extra: Vec<Field>) -> Result<Self> {
        let mut fields: Vec<Arc<Field>> = base
            .as_ref()
            .map(|s| s.fields().iter().cloned().collect())
            .unwrap_or_default();
        for f in &extra {
            if fields.iter().any(|g| g.name() == f.name()) {
                return Err(Error::Usage(format!(
                    "the input already has a column named `{}`; rename it before writing Parquet",
                    f.name()
                )));
            }
            fields.push(Arc::new(f.clone()));
        }
        let schema = Arc::new(Schema::new(fields));
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let writer = ArrowWriter::try_new(out, schema.clone(), Some(props))
            .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
        Ok(ParquetWriter {
            out: None,
            writer: Some(writer),
            base,
            extra,
            schema: Some(schema),
            rows: Vec::new(),
            cells: Vec::new(),
        })
    }

    /// The schema of the rows copied from the input, if any.
    pub fn base(&self) -> Option<&SchemaRef> {
        self.base.as_ref()
    }

    /// Add a row: the input row (when the writer copies input columns) and the added cells.
    pub fn push(
        &mut self,
        original: Option<(Arc<RecordBatch>, usize)>,
        cells: Vec<Cell>,
    ) -> Result<()> {
        debug_assert_eq!(cells.len(), self.extra.len(), "one cell per added column");
        self.rows.push(original);
        self.cells.push(cells);
        if self.rows.len() >= FLUSH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Write the buffered rows as one batch.
    pub fn flush(&mut self) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let schema = self.schema.clone().expect("schema is set at creation");
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        if let Some(base) = &self.base {
            // Distinct input batches, by pointer, and (batch, row) indices into them.
            let mut batches: Vec<Arc<RecordBatch>> = Vec::new();
            let mut indices = Vec::with_capacity(self.rows.len());
            for r in &self.rows {
                let (b, row) = r
                    .as_ref()
                    .expect("rows of a copying writer carry their input row");
                let i = match batches.iter().position(|x| Arc::ptr_eq(x, b)) {
                    Some(i) => i,
                    None => {
                        batches.push(b.clone());
                        batches.len() - 1
                    }
                };
                indices.push((i, *row));
            }
            for c in 0..base.fields().len() {
                let arrays: Vec<&dyn Array> =
                    batches.iter().map(|b| b.column(c).as_ref()).collect();
                columns.push(
                    arrow_select::interleave::interleave(&arrays, &indices)
                        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?,
                );
            }
        }
        for (k, f) in self.extra.iter().enumerate() {
            let col: ArrayRef = match f.data_type() {
                DataType::Float64 => Arc::new(Float64Array::from_iter_values(
                    self.cells.iter().map(|c| match &c[k] {
                        Cell::F64(x) => *x,
                        _ => f64::NAN,
                    }),
                )),
                DataType::Boolean => Arc::new(BooleanArray::from_iter(
                    self.cells
                        .iter()
                        .map(|c| Some(matches!(&c[k], Cell::Bool(true)))),
                )),
                _ => Arc::new(StringArray::from_iter_values(self.cells.iter().map(
                    |c| match &c[k] {
                        Cell::Str(s) => s.as_str(),
                        _ => "",
                    },
                ))),
            };
            columns.push(col);
        }
        let batch = RecordBatch::try_new(schema, columns)
            .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
        self.writer
            .as_mut()
            .expect("writer is open until commit")
            .write(&batch)
            .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
        self.rows.clear();
        self.cells.clear();
        Ok(())
    }

    /// Write what is buffered, the Parquet footer, and commit the file.
    pub fn commit(mut self) -> Result<()> {
        self.flush()?;
        let writer = self.writer.take().expect("writer is open until commit");
        let out = writer
            .into_inner()
            .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
        let _ = self.out.take();
        out.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_input(path: &std::path::Path) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("doc_id", DataType::Int64, false),
            Field::new("text", DataType::Utf8, true),
            Field::new("url", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(arrow_array::Int64Array::from(vec![1, 2, 3])),
                Arc::new(StringArray::from(vec![
                    Some("Call now!"),
                    None,
                    Some("Side effects vary."),
                ])),
                Arc::new(StringArray::from(vec!["u1", "u2", "u3"])),
            ],
        )
        .unwrap();
        let mut w = ArrowWriter::try_new(File::create(path).unwrap(), schema, None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }

    #[test]
    fn reads_records_and_writes_them_back_with_added_columns() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.parquet");
        write_input(&input);
        let opts = ReadOptions {
            id_field: "doc_id".into(),
            ..Default::default()
        };
        let recs = ParquetRecords::open(&input, Arc::from("in.parquet"), &opts).unwrap();
        let schema = recs.schema().clone();
        let items: Vec<Item> = recs.collect();
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[0], Item::Record(r) if r.id == "1" && r.text == "Call now!"));
        assert!(matches!(&items[1], Item::Error(e) if e.reason.contains("null") && e.line == 2));
        let out_path = dir.path().join("out.parquet");
        let mut w = ParquetWriter::new(
            AtomicOutput::create(&out_path).unwrap(),
            Some(schema),
            vec![
                Field::new("p", DataType::Float64, false),
                Field::new("label", DataType::Utf8, false),
            ],
        )
        .unwrap();
        for it in &items {
            if let Item::Record(r) = it {
                let Original::Arrow { batch, row } = &r.original else {
                    panic!()
                };
                w.push(
                    Some((batch.clone(), *row)),
                    vec![Cell::F64(0.5), Cell::Str("x".into())],
                )
                .unwrap();
            }
        }
        w.commit().unwrap();
        let back: Vec<RecordBatch> =
            ParquetRecordBatchReaderBuilder::try_new(File::open(&out_path).unwrap())
                .unwrap()
                .build()
                .unwrap()
                .map(|b| b.unwrap())
                .collect();
        let b = &back[0];
        assert_eq!(b.num_rows(), 2);
        assert_eq!(b.schema().field(0).name(), "doc_id");
        assert_eq!(b.schema().field(4).name(), "label");
        assert_eq!(cell_string(b.column(2).as_ref(), 1).unwrap(), "u3");
    }

    #[test]
    fn missing_or_non_string_text_column() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.parquet");
        write_input(&input);
        let opts = ReadOptions {
            text_field: "body".into(),
            ..Default::default()
        };
        assert!(matches!(
            ParquetRecords::open(&input, Arc::from("x"), &opts),
            Err(Error::MissingColumn { .. })
        ));
        let opts = ReadOptions {
            text_field: "doc_id".into(),
            ..Default::default()
        };
        let e = ParquetRecords::open(&input, Arc::from("x"), &opts)
            .err()
            .unwrap();
        assert!(e.to_string().contains("not a string column"));
    }
}
