//! Training, evaluation and model files, through the binary and the library.

mod common;

use common::*;
use contentq::model::Model;
use contentq::model::train::{Example, TrainParams};

fn sample_csv() -> std::path::PathBuf {
    root().join("data/sample.csv")
}

fn genre_csv() -> std::path::PathBuf {
    root().join("data/genre/genre.csv")
}

#[test]
fn train_on_the_written_corpus_reaches_a_floor_and_round_trips() {
    let w = Workdir::new();
    let genre = genre_csv();
    let o = w.run(&[
        "train",
        genre.to_str().unwrap(),
        "--group-column",
        "source",
        "-o",
        "m.json",
        "--cv-predictions",
        "oof.csv",
    ]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("cross-validation"), "{out}");
    let m: serde_json::Value = serde_json::from_str(&w.read("m.json")).unwrap();
    let auc = m["training"]["cv"]["roc_auc"].as_f64().unwrap();
    assert!(auc > 0.9, "cross-validated ROC-AUC {auc}");
    assert_eq!(m["training"]["converged"], true);
    assert_eq!(m["version"], 1);
    assert_eq!(csv_rows(&w.path("oof.csv")).len(), 1280);
    // Save, load, score: the model file gives the numbers it was trained to give.
    let model = Model::load(&w.path("m.json")).unwrap();
    let reparsed =
        Model::from_json(&serde_json::to_string(model.file()).unwrap(), "again").unwrap();
    let e = contentq::Extractor::new();
    for text in [
        "Call now for a free consultation!",
        "Side effects may include nausea.",
        "",
    ] {
        let a = model.analyze(&e, text);
        assert_eq!(model.score(&a, 0), reparsed.score(&a, 0));
    }
    // eval on the same file with a report.
    let o = w.run(&[
        "eval",
        genre.to_str().unwrap(),
        "--model",
        "m.json",
        "--report",
        "rep",
    ]);
    assert_code(&o, 0);
    let html = w.read("rep/report.html");
    assert!(html.contains("<svg") && html.contains("ROC"));
    assert!(stdout(&o).contains("lang=zh"));
    assert!(stdout(&o).contains("group=written:"));
}

#[test]
fn training_data_errors_name_the_row() {
    let w = Workdir::new();
    w.write("bad_label.csv", "text,label\na,informative\nb,spam\n");
    let o = w.run(&["train", "bad_label.csv", "-o", "m.json"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("bad_label.csv:3") && stderr(&o).contains("`spam`"));

    let mut one = String::from("text,label\n");
    for i in 0..20 {
        one.push_str(&format!("doc {i},informative\n"));
    }
    w.write("one_class.csv", &one);
    let o = w.run(&["train", "one_class.csv", "-o", "m.json"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("only one class"));

    w.write(
        "few.csv",
        "text,label\na,informative\nb,promotional\nc,informative\n",
    );
    let o = w.run(&["train", "few.csv", "-o", "m.json"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("too few"));

    let o = w.run(&[
        "train",
        "few.csv",
        "--label-column",
        "klass",
        "-o",
        "m.json",
    ]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("--label-column"));

    w.write(
        "weights.csv",
        "text,label,w\na,informative,1\nb,promotional,0\n",
    );
    let o = w.run(&[
        "train",
        "weights.csv",
        "--weight-column",
        "w",
        "-o",
        "m.json",
    ]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("weight `0`"));
    assert!(!w.path("m.json").exists(), "no model is written on error");
}

#[test]
fn empty_texts_are_skipped_and_counted() {
    let w = Workdir::new();
    let mut s = String::from("text,label\n");
    for i in 0..30 {
        let (t, l) = if i % 2 == 0 {
            (
                format!("Call now! Free consultation {i}, best clinic, 100% cure."),
                "promotional",
            )
        } else {
            (
                format!("Studies suggest it may help; side effects {i} vary."),
                "informative",
            )
        };
        s.push_str(&format!("\"{t}\",{l}\n"));
    }
    s.push_str("\"   \",informative\n,promotional\n");
    w.write("t.csv", &s);
    let o = w.run(&["train", "t.csv", "--no-lexical", "-o", "m.json"]);
    assert_code(&o, 0);
    assert!(stderr(&o).contains("skipped 2 rows with empty text"));
}

#[test]
fn model_files_that_cannot_be_used_say_how_to_fix_them() {
    let w = Workdir::new();
    let json = contentq::model::DEFAULT_MODEL_JSON;
    w.write("truncated.json", &json[..json.len() / 3]);
    w.write("in.csv", "text\nhello\n");
    let o = w.run(&["label", "in.csv", "--model", "truncated.json"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("not a contentq model") && stderr(&o).contains("retrain"));
    let renamed = json.replacen("\"claim_cure\"", "\"claim_cure_v0\"", 1);
    w.write("renamed.json", renamed);
    let o = w.run(&["label", "in.csv", "--model", "renamed.json"]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("unknown feature `claim_cure_v0`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn model_show_prints_weights() {
    let w = Workdir::new();
    let o = w.run(&["model", "show"]);
    assert_code(&o, 0);
    let s = stdout(&o);
    assert!(s.contains("boilerplate_ratio") && s.contains("threshold"));
    assert!(s.contains("lexical table"));
}

#[test]
fn library_training_is_deterministic() {
    let texts = [
        (
            "Call now for a free consultation, best clinic in town, 100% cure!",
            true,
        ),
        (
            "Research suggests the drug may reduce symptoms; side effects include nausea.",
            false,
        ),
        ("限时优惠！免费咨询热线400-123-4567，根治不复发。", true),
        (
            "研究表明，该药物可能减轻症状，但效果因人而异，请遵医嘱。",
            false,
        ),
    ];
    let examples: Vec<Example> = (0..80)
        .map(|i| {
            let (t, p) = texts[i % 4];
            Example {
                id: format!("r{i}"),
                text: format!("{t} {i}"),
                positive: p,
                group: Some(format!("g{}", i % 8)),
                lang: None,
                weight: 1,
            }
        })
        .collect();
    let e = contentq::Extractor::new();
    let a = TrainParams::default().fit(&examples, &e).unwrap();
    let b = TrainParams::default().fit(&examples, &e).unwrap();
    assert_eq!(
        serde_json::to_string(a.model.file()).unwrap(),
        serde_json::to_string(b.model.file()).unwrap()
    );
    assert!(a.cv.roc_auc.unwrap() > 0.9);
}

/// The ROC-AUC of `eval`'s `all:` line, and the line.
fn overall_auc(o: &std::process::Output) -> (f64, String) {
    let line = stdout(o)
        .lines()
        .find(|l| l.starts_with("all:"))
        .unwrap()
        .to_string();
    let auc: f64 = line
        .split("ROC-AUC=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (auc, line)
}

#[test]
fn sample_is_labeled_sensibly_by_the_default_model() {
    let w = Workdir::new();
    let sample = sample_csv();
    let o = w.run(&["eval", sample.to_str().unwrap()]);
    assert_code(&o, 0);
    // A floor, not an exact figure: the sample is small and written to be hard in places.
    let (auc, line) = overall_auc(&o);
    assert!(auc >= 0.75, "{line}");
}

#[test]
fn default_model_quality_on_dev() {
    let Some(data) = shared_data() else { return };
    let w = Workdir::new();
    let o = w.run(&["eval", data.join("dev.csv").to_str().unwrap()]);
    assert_code(&o, 0);
    let (auc, line) = overall_auc(&o);
    assert!(auc >= 0.9, "dev ROC-AUC fell: {line}");
}

#[test]
fn make_model_reproduces_the_shipped_default_model() {
    let Some(data) = shared_data() else { return };
    let w = Workdir::new();
    let table = std::process::Command::new("python3")
        .arg(root().join("models/training_set.py"))
        .arg(&data)
        .arg(genre_csv())
        .output()
        .expect("python3 runs");
    assert!(
        table.status.success(),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    w.write("train.csv", &table.stdout);
    let o = w.run(&[
        "train",
        "train.csv",
        "--group-column",
        "group",
        "--weight-column",
        "weight",
        "-o",
        "default.json",
        "-q",
    ]);
    assert_code(&o, 0);
    let shipped = std::fs::read_to_string(root().join("models/default.json")).unwrap();
    assert!(
        w.read("default.json") == shipped,
        "models/default.json is not what `make model` produces: run `make model` and commit"
    );
}
