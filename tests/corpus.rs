//! The written genre corpus (`data/genre/genre.csv`): schema, labels, balance, spread and the
//! near-duplicate bound promised in its README.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use common::*;

struct Doc {
    text: String,
    label: String,
    lang: String,
    topic: String,
    page_type: String,
}

fn load() -> Vec<Doc> {
    let mut r = csv::Reader::from_path(root().join("data/genre/genre.csv")).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        h,
        ["id", "text", "label", "lang", "source"],
        "same schema as ../shared/data"
    );
    let mut ids = HashSet::new();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert!(ids.insert(rec[0].to_string()), "duplicate id {}", &rec[0]);
            assert!(rec[0].starts_with("written-"));
            let parts: Vec<&str> = rec[4].split(':').collect();
            assert_eq!(
                parts.len(),
                3,
                "source is written:<topic>:<page type>: {}",
                &rec[4]
            );
            assert_eq!(parts[0], "written");
            Doc {
                text: rec[1].to_string(),
                label: rec[2].to_string(),
                lang: rec[3].to_string(),
                topic: parts[1].to_string(),
                page_type: parts[2].to_string(),
            }
        })
        .collect()
}

#[test]
fn size_labels_balance_and_spread() {
    let docs = load();
    assert!(docs.len() >= 1200);
    let mut cells: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut types: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for d in &docs {
        assert!(["informative", "promotional"].contains(&d.label.as_str()));
        assert!(["en", "zh"].contains(&d.lang.as_str()));
        assert!(!d.text.trim().is_empty());
        *cells.entry((&d.lang, &d.label)).or_default() += 1;
        types.entry(&d.label).or_default().insert(&d.page_type);
    }
    let zh = cells[&("zh", "informative")] + cells[&("zh", "promotional")];
    assert!(
        (zh as f64 / docs.len() as f64 - 0.5).abs() < 0.1,
        "about half Chinese"
    );
    for lang in ["en", "zh"] {
        let (i, p) = (cells[&(lang, "informative")], cells[&(lang, "promotional")]);
        assert!(
            (i as f64 / p as f64 - 1.0).abs() < 0.1,
            "{lang}: {i} vs {p}"
        );
    }
    let topics: BTreeSet<&str> = docs.iter().map(|d| d.topic.as_str()).collect();
    assert!(topics.len() >= 40);
    assert!(types["promotional"].len() >= 8 && types["informative"].len() >= 8);
}

#[test]
fn lengths_are_matched_between_labels() {
    let docs = load();
    for lang in ["en", "zh"] {
        let median = |label: &str| {
            let mut v: Vec<usize> = docs
                .iter()
                .filter(|d| d.lang == lang && d.label == label)
                .map(|d| d.text.chars().count())
                .collect();
            v.sort();
            v[v.len() / 2] as f64
        };
        let (i, p) = (median("informative"), median("promotional"));
        assert!((i / p - 1.0).abs() < 0.15, "{lang} medians {i} vs {p}");
    }
}

/// Character 5-gram shingles, whitespace folded.
fn shingles(t: &str) -> HashSet<u64> {
    let chars: Vec<char> = t
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    chars
        .windows(5)
        .map(|w| {
            let mut h = contentq::features::tokenize::WordHash::new();
            w.iter().for_each(|c| h.push_char(*c));
            h.finish()
        })
        .collect()
}

#[test]
fn no_near_duplicates() {
    let docs = load();
    let sets: Vec<HashSet<u64>> = docs.iter().map(|d| shingles(&d.text)).collect();
    // MinHash signatures find candidate pairs; candidates get the exact Jaccard.
    const K: usize = 48;
    let sigs: Vec<[u64; K]> = sets
        .iter()
        .map(|s| {
            let mut sig = [u64::MAX; K];
            for &x in s {
                for (k, slot) in sig.iter_mut().enumerate() {
                    let h = contentq::features::tokenize::combine(k as u64, x);
                    if h < *slot {
                        *slot = h;
                    }
                }
            }
            sig
        })
        .collect();
    let mut worst = 0.0f64;
    for i in 0..docs.len() {
        for j in i + 1..docs.len() {
            let same = sigs[i].iter().zip(&sigs[j]).filter(|(a, b)| a == b).count();
            if same as f64 / K as f64 >= 0.25 {
                let inter = sets[i].intersection(&sets[j]).count() as f64;
                let jac = inter / (sets[i].len() as f64 + sets[j].len() as f64 - inter);
                worst = worst.max(jac);
                assert!(jac <= 0.5, "near-duplicates: {} and {} ({jac:.2})", i, j);
            }
        }
    }
    eprintln!("largest candidate Jaccard: {worst:.3}");
}
