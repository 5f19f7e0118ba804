//! Cost of language detection per document on the English pages of a CSV (`text` in column 1,
//! `lang` in column 3, as in data/genre/genre.csv): `cargo run --release --example lang_cost
//! -- data/genre/genre.csv`. whatlang's trigram model compares the sample with 300 trigrams
//! of every allowed language of its script, so its cost is per call, not per byte; contentq's
//! detector gives whatlang's answer with one look-up per text trigram (features::langid).
use std::hint::black_box;
use std::time::Instant;

use contentq::features::script::{LANG_SAMPLE_BYTES, LANGUAGES, detector, sample_prefix};

fn main() {
    let path = std::env::args().nth(1).expect("usage: lang_cost FILE.csv");
    let mut r = csv::Reader::from_path(&path).expect("open");
    let texts: Vec<String> = r
        .records()
        .map(|r| r.expect("record"))
        .filter(|r| &r[3] == "en")
        .map(|r| r[1].to_string())
        .collect();
    let n = texts.len().max(1) as f64;
    let per_doc = |f: &mut dyn FnMut(&str)| {
        let t = Instant::now();
        for x in &texts {
            f(sample_prefix(x, LANG_SAMPLE_BYTES));
        }
        t.elapsed().as_secs_f64() * 1e6 / n
    };
    let ours = detector();
    let list = whatlang::Detector::with_allowlist(LANGUAGES.to_vec());
    let all = whatlang::Detector::new();
    let bytes: usize = texts
        .iter()
        .map(|x| sample_prefix(x, LANG_SAMPLE_BYTES).len())
        .sum();
    println!(
        "{} English documents, mean sample {} bytes",
        texts.len(),
        bytes / texts.len().max(1)
    );
    println!(
        "sample only:                {:6.1} us/doc",
        per_doc(&mut |s| {
            black_box(s);
        })
    );
    println!(
        "contentq's detector:        {:6.1} us/doc",
        per_doc(&mut |s| {
            black_box(ours.detect(s));
        })
    );
    println!(
        "whatlang, contentq's list:  {:6.1} us/doc",
        per_doc(&mut |s| {
            black_box(list.detect(s));
        })
    );
    println!(
        "whatlang, every language:   {:6.1} us/doc",
        per_doc(&mut |s| {
            black_box(all.detect(s));
        })
    );
}
