//! Inputs the fuzzers found (`tests/data/fuzz/`), replayed: none may panic, and a model that
//! loads must give finite probabilities.

mod common;

use common::*;
use contentq::{Extractor, Model};

#[test]
fn saved_model_inputs_load_or_fail_cleanly() {
    let dir = root().join("tests/data/fuzz");
    let e = Extractor::new();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("model-") {
            continue;
        }
        n += 1;
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        if let Ok(m) = Model::from_json(&text, &name) {
            for doc in [
                "",
                "Call now for a free consultation!",
                "研究表明可能有副作用。",
            ] {
                let p = m.score(&m.analyze(&e, doc), 0).p;
                assert!(p.is_finite() && (0.0..=1.0).contains(&p), "{name}: p = {p}");
            }
        }
    }
    assert!(n >= 1, "the saved model inputs are replayed");
}

#[test]
fn saved_reader_and_text_inputs_do_not_panic() {
    let dir = root().join("tests/data/fuzz");
    let e = Extractor::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        // Every saved input goes through the extractor and both readers, whatever target
        // found it.
        let f = e.extract(&text);
        assert!(f.values.iter().all(|v| v.is_finite()), "{name}");
        let opts = contentq::io::ReadOptions::default();
        let cursor = || Box::new(std::io::Cursor::new(bytes.clone()));
        let _ = contentq::io::jsonl_input::JsonlRecords::new(cursor(), name.as_str().into(), &opts)
            .count();
        if let Ok(r) =
            contentq::io::csv_input::CsvRecords::new(cursor(), name.as_str().into(), &opts)
        {
            let _ = r.count();
        }
    }
}
