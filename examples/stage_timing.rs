//! Time each feature stage over a CSV's `text` column: `cargo run --release --example
//! stage_timing -- FILE.csv`.
use std::time::Instant;

use contentq::features::{boilerplate, claims, lines, normalize, quality, script, tokenize};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: stage_timing FILE.csv");
    let mut rdr = csv::Reader::from_path(&path).expect("open");
    let col = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "text")
        .expect("text column");
    let texts: Vec<String> = rdr.records().map(|r| r.unwrap()[col].to_string()).collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let mb = bytes as f64 / 1e6;
    // Best of three runs of each stage.
    let time = |name: &str, f: &mut dyn FnMut()| {
        let s = (0..3)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min);
        println!("{name:<14} {:>8.1} ms  {:>8.1} MB/s", s * 1e3, mb / s);
    };
    tokenize::jieba();
    let norm: Vec<String> = texts
        .iter()
        .map(|t| normalize::normalize(t).into_owned())
        .collect();
    time("normalize", &mut || {
        for t in &texts {
            std::hint::black_box(normalize::normalize(t));
        }
    });
    let det = script::detector();
    let all = whatlang::Detector::new();
    time("script", &mut || {
        for t in &norm {
            std::hint::black_box(script::ScriptCounts::count(t));
        }
    });
    time("language", &mut || {
        for t in &norm {
            let c = script::ScriptCounts::count(t);
            std::hint::black_box(script::detect_language(&det, t, &c));
        }
    });
    for n in [128usize, 192, 256, 384] {
        time(&format!("whatlang {n}"), &mut || {
            for t in &norm {
                std::hint::black_box(all.detect(script::sample_prefix(t, n)));
            }
        });
    }
    use whatlang::Lang::*;
    let allow = whatlang::Detector::with_allowlist(vec![
        Eng, Fra, Deu, Spa, Por, Ita, Nld, Pol, Tur, Vie, Ind, Swe, Rus, Ukr, Ara, Cmn, Jpn, Kor,
        Hin,
    ]);
    for n in [128usize, 256] {
        time(&format!("allow19 {n}"), &mut || {
            for t in &norm {
                std::hint::black_box(allow.detect(script::sample_prefix(t, n)));
            }
        });
        time(&format!("langid {n}"), &mut || {
            for t in &norm {
                std::hint::black_box(det.detect(script::sample_prefix(t, n)));
            }
        });
    }
    let mut toks = Vec::new();
    time("tokenize", &mut || {
        for t in &norm {
            tokenize::tokenize(t, &mut toks);
        }
    });
    let mut ls = Vec::new();
    time("lines", &mut || {
        for t in &norm {
            lines::split_lines(t, &mut ls);
        }
    });
    let bc = boilerplate::BoilerplateClassifier::new();
    let mut seen = contentq::features::table::CountTable::default();
    let mut cls = Vec::new();
    time("boilerplate", &mut || {
        for t in &norm {
            lines::split_lines(t, &mut ls);
            bc.classify(t, &ls, &mut cls, &mut seen);
        }
    });
    let cm = claims::ClaimMatcher::new();
    time("claims", &mut || {
        for t in &norm {
            std::hint::black_box(cm.count(t));
        }
    });
    let mut qs = quality::QualityScratch::new();
    // Quality alone, on texts tokenised and split beforehand.
    let split: Vec<_> = norm
        .iter()
        .map(|t| {
            let (mut toks, mut ls) = (Vec::new(), Vec::new());
            tokenize::tokenize(t, &mut toks);
            lines::split_lines(t, &mut ls);
            (toks, ls)
        })
        .collect();
    time("quality", &mut || {
        for (t, (toks, ls)) in norm.iter().zip(&split) {
            std::hint::black_box(quality::quality(t, ls, toks, false, &mut qs));
        }
    });
    let ex = contentq::Extractor::new();
    time("extract (all)", &mut || {
        for t in &texts {
            std::hint::black_box(ex.extract(t));
        }
    });
    let model = contentq::model::Model::default_model().expect("default model");
    time("label (model)", &mut || {
        for t in &texts {
            std::hint::black_box(contentq::cli::label::score_record(&model, &ex, t, 3, false));
        }
    });
}
