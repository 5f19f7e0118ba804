//! Reading labeled documents for `train` and `eval`.
//!
//! Labeled data must be clean: a record that cannot be read, an unknown label or a missing
//! label stops the command with the file, line and what to do, rather than training on
//! whatever was readable. Empty texts are the one documented exception: they are skipped and
//! counted, since they carry no evidence either way.

use super::Labels;
use super::train::Example;
use crate::error::{Error, Result};
use crate::io::{Input, Item, Original, ReadOptions, RecordReader};

/// How to read labeled data.
#[derive(Debug, Clone)]
pub struct LabeledOptions {
    pub read: ReadOptions,
    /// Column with the label.
    pub label_field: String,
    /// Column with the group (source) for grouped folds or breakdowns; must exist if given.
    pub group_field: Option<String>,
    /// Use this column as the group when it exists (for breakdowns), if `group_field` is unset.
    pub group_fallback: Option<String>,
    /// Column with a language tag, used when present.
    pub lang_field: String,
    /// Column with integer row weights (1 to 100); must exist if given.
    pub weight_field: Option<String>,
    pub labels: Labels,
}

impl Default for LabeledOptions {
    fn default() -> Self {
        LabeledOptions {
            read: ReadOptions::default(),
            label_field: "label".into(),
            group_field: None,
            group_fallback: None,
            lang_field: "lang".into(),
            weight_field: None,
            labels: Labels::default(),
        }
    }
}

/// Labeled documents read from one or more inputs.
#[derive(Debug, Clone, Default)]
pub struct LabeledData {
    pub examples: Vec<Example>,
    /// Rows skipped because their text was empty (or only whitespace).
    pub skipped_empty: usize,
}

fn field(original: &Original, header: Option<&csv::StringRecord>, name: &str) -> Option<String> {
    original.field(header, name)
}

/// Read every input's labeled records.
pub fn read_labeled(inputs: &[Input], opts: &LabeledOptions) -> Result<LabeledData> {
    let mut out = LabeledData::default();
    for input in inputs {
        let reader = RecordReader::open(input, &opts.read)?;
        let header = reader.csv_header().cloned();
        let file = input.name();
        if let Some(h) = &header {
            let missing = |name: &str, flag: &'static str| Error::MissingColumn {
                file: file.clone(),
                column: name.to_string(),
                available: h.iter().collect::<Vec<_>>().join(", "),
                flag,
            };
            if !h.iter().any(|c| c == opts.label_field) {
                return Err(missing(&opts.label_field, "label-column"));
            }
            if let Some(g) = &opts.group_field
                && !h.iter().any(|c| c == g)
            {
                return Err(missing(g, "group-column"));
            }
            if let Some(w) = &opts.weight_field
                && !h.iter().any(|c| c == w)
            {
                return Err(missing(w, "weight-column"));
            }
        }
        let group_name = opts.group_field.as_ref().or(opts.group_fallback.as_ref());
        for item in reader {
            let r = match item {
                Item::Record(r) => r,
                Item::Error(e) => {
                    return Err(Error::Training(format!(
                        "{e}; labeled data must be clean: fix or remove the record"
                    )));
                }
            };
            let label = field(&r.original, header.as_ref(), &opts.label_field);
            let positive = match label.as_deref().map(str::trim) {
                Some(l) if l == opts.labels.positive => true,
                Some(l) if l == opts.labels.negative => false,
                other => {
                    return Err(Error::Training(format!(
                        "{}:{} (record {}): label {} is neither `{}` nor `{}`; fix the row, or name the classes with --positive-label and --negative-label",
                        file,
                        r.origin.line,
                        r.origin.record,
                        other.map_or("missing".to_string(), |l| format!("`{l}`")),
                        opts.labels.positive,
                        opts.labels.negative
                    )));
                }
            };
            if r.text.trim().is_empty() {
                out.skipped_empty += 1;
                continue;
            }
            let group = group_name.and_then(|g| field(&r.original, header.as_ref(), g));
            let lang =
                field(&r.original, header.as_ref(), &opts.lang_field).filter(|l| !l.is_empty());
            let weight = match &opts.weight_field {
                None => 1,
                Some(w) => {
                    let v = field(&r.original, header.as_ref(), w).unwrap_or_default();
                    match v.trim().parse::<u32>() {
                        Ok(x) if (1..=100).contains(&x) => x,
                        _ => {
                            return Err(Error::Training(format!(
                                "{}:{} (record {}): weight `{v}` is not a whole number from 1 to 100; fix the row",
                                file, r.origin.line, r.origin.record
                            )));
                        }
                    }
                }
            };
            out.examples.push(Example {
                id: r.id,
                text: r.text,
                positive,
                group,
                lang,
                weight,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(content: &str) -> (tempfile::TempDir, Input) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("l.csv");
        std::fs::write(&p, content).unwrap();
        (d, Input::File(p))
    }

    #[test]
    fn reads_labels_groups_and_skips_empty() {
        let (_d, i) = write(
            "id,text,label,lang,source\n1,a,promotional,en,s1\n2, ,informative,en,s2\n3,b,informative,zh,s2\n",
        );
        let opts = LabeledOptions {
            group_field: Some("source".into()),
            ..Default::default()
        };
        let d = read_labeled(&[i], &opts).unwrap();
        assert_eq!(d.examples.len(), 2);
        assert_eq!(d.skipped_empty, 1);
        assert!(d.examples[0].positive);
        assert_eq!(d.examples[1].group.as_deref(), Some("s2"));
        assert_eq!(d.examples[1].lang.as_deref(), Some("zh"));
    }

    #[test]
    fn unknown_label_names_the_row() {
        let (_d, i) = write("text,label\nok,informative\nx,spam\n");
        let e = read_labeled(&[i], &LabeledOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains(":3 (record 2)") && e.contains("`spam`"), "{e}");
    }

    #[test]
    fn missing_label_column() {
        let (_d, i) = write("text,class\nok,informative\n");
        let e = read_labeled(&[i], &LabeledOptions::default()).unwrap_err();
        assert!(matches!(
            e,
            Error::MissingColumn {
                flag: "label-column",
                ..
            }
        ));
    }
}
