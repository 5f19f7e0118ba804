//! The scoring pass over batches of 1,000 and 10,000 documents, serial against parallel on a
//! local rayon pool (features, lexical n-grams and the default model).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;

fn docs(n: usize) -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/genre/genre.csv");
    let mut r = csv::Reader::from_path(path).expect("data/genre/genre.csv");
    let all: Vec<String> = r.records().map(|r| r.unwrap()[1].to_string()).collect();
    // Resample with a fixed stride so every size is a deterministic mix of both languages.
    (0..n)
        .map(|i| all[(i * 7919) % all.len()].clone())
        .collect()
}

fn scoring(c: &mut Criterion) {
    let model = contentq::Model::default_model().unwrap();
    let ex = contentq::Extractor::new();
    contentq::features::tokenize::jieba();
    let mut g = c.benchmark_group("pipeline/score");
    g.sample_size(10);
    for n in [1_000usize, 10_000] {
        let batch = docs(n);
        let bytes: usize = batch.iter().map(|t| t.len()).sum();
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_with_input(BenchmarkId::new("serial", n), &batch, |b, batch| {
            b.iter(|| {
                for t in batch {
                    black_box(model.score(&model.analyze(&ex, t), 0));
                }
            })
        });
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        g.bench_with_input(BenchmarkId::new("parallel-2", n), &batch, |b, batch| {
            b.iter(|| {
                pool.install(|| {
                    batch
                        .par_iter()
                        .map(|t| model.score(&model.analyze(&ex, t), 0).p)
                        .collect::<Vec<_>>()
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, scoring);
criterion_main!(benches);
