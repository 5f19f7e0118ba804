//! Property tests: features are finite and inside their documented ranges for any string;
//! CSV and JSONL round trips; labeling is a pure function of (text, model).

use std::io::Cursor;
use std::sync::Arc;

use contentq::features::{FEATURES, N_FEATURES};
use contentq::io::{Item, ReadOptions};
use contentq::{Extractor, Model};
use proptest::prelude::*;

/// Strings that look like web text more often than `any::<String>()` does: Latin and Han
/// words, punctuation of both scripts, line breaks, URLs, digits, invisible characters.
fn webish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z]{1,12}",
        "[\u{4e00}-\u{9fff}]{1,8}",
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("...".to_string()),
        Just("…".to_string()),
        "[,.!?;:，。！？、]",
        "[0-9]{1,12}",
        Just("https://example.com/x".to_string()),
        Just("\u{200b}".to_string()),
        Just("ｃｕｒｅ".to_string()),
        Just("&amp;".to_string()),
        Just("Call now".to_string()),
        Just("免费咨询".to_string()),
        "\\PC{1,4}",
    ];
    prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

fn extractor() -> &'static Extractor {
    static E: std::sync::OnceLock<Extractor> = std::sync::OnceLock::new();
    E.get_or_init(Extractor::new)
}

fn model() -> &'static Model {
    static M: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
    M.get_or_init(|| Model::default_model().unwrap())
}

fn upper_bound(range: &str) -> Option<f64> {
    let hi = range
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .nth(1)?
        .trim();
    hi.parse().ok()
}

fn lower_bound(range: &str) -> f64 {
    range
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .next()
        .and_then(|x| x.trim().parse().ok())
        .unwrap_or(0.0)
}

fn check_features(text: &str) {
    let f = extractor().extract(text);
    assert_eq!(f.values.len(), N_FEATURES);
    for (v, info) in f.values.iter().zip(FEATURES) {
        assert!(v.is_finite(), "{} is {v} for {text:?}", info.name);
        assert!(
            *v >= lower_bound(info.range),
            "{} = {v} below {} for {text:?}",
            info.name,
            info.range
        );
        if let Some(hi) = upper_bound(info.range) {
            assert!(
                *v <= hi + 1e-9,
                "{} = {v} above {} for {text:?}",
                info.name,
                info.range
            );
        }
    }
}

/// (id, text) of every record a reader yields; a read error fails the test.
fn ids_and_texts(reader: impl Iterator<Item = Item>) -> Vec<(String, String)> {
    reader
        .map(|i| match i {
            Item::Record(r) => (r.id, r.text),
            Item::Error(e) => panic!("{e}"),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_string_gives_finite_features_in_range(s in any::<String>()) {
        check_features(&s);
    }

    #[test]
    fn web_like_text_gives_finite_features_in_range(s in webish()) {
        check_features(&s);
    }

    #[test]
    fn csv_round_trips(rows in prop::collection::vec(("[a-z0-9]{1,8}", any::<String>()), 1..20)) {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["id", "text"]).unwrap();
        for (id, text) in &rows {
            w.write_record([id.as_str(), text.as_str()]).unwrap();
        }
        let data = w.into_inner().unwrap();
        let reader = contentq::io::csv_input::CsvRecords::new(
            Box::new(Cursor::new(data)),
            Arc::from("t.csv"),
            &ReadOptions::default(),
        ).unwrap();
        let got = ids_and_texts(reader);
        // A text of only "\r" or starting a line oddly may legally change under CSV quoting
        // only in line ends; everything else is exact.
        prop_assert_eq!(got.len(), rows.len());
        for ((id, text), (gid, gtext)) in rows.iter().zip(&got) {
            prop_assert_eq!(id, gid);
            prop_assert_eq!(text, gtext);
        }
    }

    #[test]
    fn jsonl_round_trips(rows in prop::collection::vec(("[a-z0-9]{1,8}", any::<String>()), 1..20)) {
        let mut data = String::new();
        for (id, text) in &rows {
            data.push_str(&serde_json::json!({"id": id, "text": text, "metadata": {"k": 1}}).to_string());
            data.push('\n');
        }
        let reader = contentq::io::jsonl_input::JsonlRecords::new(
            Box::new(Cursor::new(data.into_bytes())),
            Arc::from("t.jsonl"),
            &ReadOptions::default(),
        );
        let got = ids_and_texts(reader);
        prop_assert_eq!(got.len(), rows.len());
        for ((id, text), (gid, gtext)) in rows.iter().zip(&got) {
            prop_assert_eq!(id, gid);
            prop_assert_eq!(text, gtext);
        }
    }

    #[test]
    fn labeling_is_a_pure_function_of_text_and_model(batch in prop::collection::vec(webish(), 1..12)) {
        let model = model();
        let e = extractor();
        let score = |t: &str| {
            let s = model.score(&model.analyze(e, t), 0);
            (s.p, s.contributions.iter().map(|c| c.contribution).collect::<Vec<_>>())
        };
        // Alone, each on a fresh thread (fresh scratch buffers).
        let alone: Vec<_> = batch
            .iter()
            .map(|t| {
                let t = t.clone();
                std::thread::spawn(move || {
                    let m = self::model();
                    let s = m.score(&m.analyze(extractor(), &t), 0);
                    (s.p, s.contributions.iter().map(|c| c.contribution).collect::<Vec<_>>())
                })
                .join()
                .unwrap()
            })
            .collect();
        // In a batch on one thread (scratch reused), forwards and backwards.
        let forward: Vec<_> = batch.iter().map(|t| score(t)).collect();
        let mut backward: Vec<_> = batch.iter().rev().map(|t| score(t)).collect();
        backward.reverse();
        // On a pool of three threads.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let pooled: Vec<_> = pool.install(|| {
            use rayon::prelude::*;
            batch.par_iter().map(|t| score(t)).collect()
        });
        prop_assert_eq!(&alone, &forward);
        prop_assert_eq!(&alone, &backward);
        prop_assert_eq!(&alone, &pooled);
    }
}
