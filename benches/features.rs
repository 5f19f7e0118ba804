//! Throughput of each feature stage and of the whole extractor, in bytes per second, on the
//! written genre corpus (English and Chinese, in the repository, so the bench needs no
//! external data).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use contentq::features::{boilerplate, claims, lines, normalize, quality, script, tokenize};

fn corpus(lang: &str) -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/genre/genre.csv");
    let mut r = csv::Reader::from_path(path).expect("data/genre/genre.csv");
    r.records()
        .map(|r| r.unwrap())
        .filter(|r| &r[3] == lang)
        .map(|r| r[1].to_string())
        .collect()
}

fn stages(c: &mut Criterion) {
    tokenize::jieba();
    for lang in ["en", "zh"] {
        let texts = corpus(lang);
        let norm: Vec<String> = texts
            .iter()
            .map(|t| normalize::normalize(t).into_owned())
            .collect();
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        let mut g = c.benchmark_group(format!("features/{lang}"));
        g.throughput(Throughput::Bytes(bytes as u64));
        g.sample_size(20);
        g.bench_function("normalize", |b| {
            b.iter(|| {
                texts
                    .iter()
                    .for_each(|t| drop(black_box(normalize::normalize(t))))
            })
        });
        let det = script::detector();
        g.bench_function("script+language", |b| {
            b.iter(|| {
                for t in &norm {
                    let counts = script::ScriptCounts::count(t);
                    black_box(script::detect_language(&det, t, &counts));
                }
            })
        });
        let mut toks = Vec::new();
        g.bench_function("tokenize", |b| {
            b.iter(|| norm.iter().for_each(|t| tokenize::tokenize(t, &mut toks)))
        });
        let bc = boilerplate::BoilerplateClassifier::new();
        let mut seen = contentq::features::table::CountTable::default();
        let (mut ls, mut cls) = (Vec::new(), Vec::new());
        g.bench_function("lines+boilerplate", |b| {
            b.iter(|| {
                for t in &norm {
                    lines::split_lines(t, &mut ls);
                    bc.classify(t, &ls, &mut cls, &mut seen);
                    black_box(boilerplate::BoilerplateClassifier::stats(&ls, &cls));
                }
            })
        });
        let cm = claims::ClaimMatcher::new();
        g.bench_function("claims", |b| {
            b.iter(|| {
                for t in &norm {
                    black_box(cm.count(t));
                }
            })
        });
        let mut qs = quality::QualityScratch::new();
        let prepared: Vec<(Vec<lines::Line>, Vec<tokenize::Token>)> = norm
            .iter()
            .map(|t| {
                let (mut l, mut k) = (Vec::new(), Vec::new());
                lines::split_lines(t, &mut l);
                tokenize::tokenize(t, &mut k);
                (l, k)
            })
            .collect();
        g.bench_function("quality", |b| {
            b.iter(|| {
                for (t, (l, k)) in norm.iter().zip(&prepared) {
                    black_box(quality::quality(t, l, k, lang == "zh", &mut qs));
                }
            })
        });
        let ex = contentq::Extractor::new();
        g.bench_function("extract (all stages)", |b| {
            b.iter(|| {
                for t in &texts {
                    black_box(ex.extract(t));
                }
            })
        });
        g.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
