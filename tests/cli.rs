//! The binary end to end: labeling, filtering, features, inputs and outputs, bad input and
//! exit codes.

mod common;

use common::*;

const PROMO_EN: &str = "Best clinic in Leeds! Our doctors cure migraine for good. Call 0113 496 0000 now for a free consultation, only 3 places left this month.";
const INFO_EN: &str = "Migraine is a common headache disorder. Studies suggest that some preventive medicines may reduce attacks in some people; side effects vary, so talk to your doctor.";
const PROMO_ZH: &str = "郑州哪个医院治疗偏头痛好？我院专家团队根治偏头痛，不复发！免费咨询热线：400-123-4567，加微信预约，限时优惠。";
const INFO_ZH: &str = "偏头痛是一种常见的头痛疾病。研究表明，部分预防性药物可能减少发作次数，但效果因人而异，用药前请咨询医生。";

fn docs_jsonl(n: usize) -> String {
    let texts = [PROMO_EN, INFO_EN, PROMO_ZH, INFO_ZH];
    (0..n)
        .map(|i| {
            serde_json::json!({"id": format!("d{i}"), "text": format!("{} {i}", texts[i % 4]), "metadata": {"k": i}})
                .to_string()
                + "\n"
        })
        .collect()
}

fn docs_csv(n: usize) -> String {
    let texts = [PROMO_EN, INFO_EN, PROMO_ZH, INFO_ZH];
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "text", "extra"]).unwrap();
    for i in 0..n {
        w.write_record([
            format!("d{i}"),
            format!("{}\nline two {i}", texts[i % 4]),
            format!("x{i}"),
        ])
        .unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn label_writes_one_row_per_document_with_reasons() {
    let w = Workdir::new();
    w.write("in.csv", docs_csv(8));
    let o = w.run(&["label", "in.csv", "-o", "out.csv"]);
    assert_code(&o, 0);
    let header = csv_header(&w.path("out.csv"));
    assert_eq!(
        header,
        [
            "id",
            "label",
            "p_promotional",
            "lang",
            "lang_confidence",
            "boilerplate_ratio",
            "claim_density",
            "reasons",
            "truncated"
        ]
    );
    let rows = csv_rows(&w.path("out.csv"));
    assert_eq!(rows.len(), 8);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(&r[0], format!("d{i}"));
        assert!(["informative", "promotional"].contains(&&r[1]));
        let p: f64 = r[2].parse().unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert!(!r[7].is_empty(), "every label comes with reasons");
    }
    // The obvious advert and the obvious leaflet are told apart, in both languages.
    assert_eq!(&rows[0][1], "promotional", "{:?}", rows[0]);
    assert_eq!(&rows[1][1], "informative", "{:?}", rows[1]);
    assert_eq!(&rows[2][1], "promotional", "{:?}", rows[2]);
    assert_eq!(&rows[3][1], "informative", "{:?}", rows[3]);
    assert_eq!(&rows[2][3], "cmn");
    assert_eq!(&rows[1][3], "eng");
    assert!(stderr(&o).contains("labeled 8 documents"));
}

#[test]
fn all_features_and_jsonl_explain() {
    let w = Workdir::new();
    w.write("in.jsonl", docs_jsonl(4));
    let o = w.run(&["label", "in.jsonl", "--all-features", "-o", "out.csv"]);
    assert_code(&o, 0);
    let header = csv_header(&w.path("out.csv"));
    assert!(header.contains(&"claim_cure".to_string()));
    assert!(header.contains(&"dup_10gram_char_frac".to_string()));
    let o = w.run(&["label", "in.jsonl", "--explain", "-o", "out.jsonl"]);
    assert_code(&o, 0);
    let lines = json_lines(&w.read("out.jsonl"));
    assert_eq!(lines.len(), 4);
    let c = lines[0]["contributions"].as_array().unwrap();
    assert!(c.len() > 20, "explain lists every model input");
    assert!(c[0]["name"].is_string() && c[0]["contribution"].is_number());
}

#[test]
fn annotate_keeps_the_record_and_adds_metadata() {
    let w = Workdir::new();
    w.write(
        "in.jsonl",
        "{\"id\":\"a\",\"text\":\"Call now!\",\"url\":\"http://x\",\"metadata\":{\"k\":1}}\n",
    );
    let o = w.run(&["label", "in.jsonl", "--annotate", "-o", "out.jsonl"]);
    assert_code(&o, 0);
    let v = &json_lines(&w.read("out.jsonl"))[0];
    assert_eq!(v["url"], "http://x");
    assert_eq!(v["metadata"]["k"], 1);
    assert!(v["metadata"]["contentq"]["p_promotional"].is_number());
    // CSV annotate keeps the original columns first.
    w.write("in.csv", docs_csv(2));
    let o = w.run(&["label", "in.csv", "--annotate", "-o", "out.csv"]);
    assert_code(&o, 0);
    let h = csv_header(&w.path("out.csv"));
    assert_eq!(&h[..3], ["id", "text", "extra"]);
    assert!(h.contains(&"reasons".to_string()));
}

#[test]
fn output_is_identical_at_any_thread_count() {
    let w = Workdir::new();
    w.write("in.jsonl", docs_jsonl(300));
    for (threads, out) in [("1", "a.csv"), ("2", "b.csv"), ("7", "c.csv")] {
        let o = w.run(&[
            "label",
            "in.jsonl",
            "-j",
            threads,
            "--all-features",
            "-o",
            out,
        ]);
        assert_code(&o, 0);
    }
    let a = std::fs::read(w.path("a.csv")).unwrap();
    assert_eq!(a, std::fs::read(w.path("b.csv")).unwrap());
    assert_eq!(a, std::fs::read(w.path("c.csv")).unwrap());
}

#[test]
fn dev_set_labels_every_record_identically_at_one_and_two_threads() {
    let Some(data) = shared_data() else { return };
    let w = Workdir::new();
    let dev = data.join("dev.csv");
    let dev = dev.to_str().unwrap();
    assert_code(
        &w.run(&["label", dev, "-o", "one.csv", "--threads", "1"]),
        0,
    );
    assert_code(
        &w.run(&["label", dev, "-o", "two.csv", "--threads", "2"]),
        0,
    );
    assert_eq!(csv_rows(&w.path("one.csv")).len(), 788);
    assert_eq!(
        std::fs::read(w.path("one.csv")).unwrap(),
        std::fs::read(w.path("two.csv")).unwrap()
    );
}

#[test]
fn filter_accounts_for_every_record() {
    let w = Workdir::new();
    let mut input = docs_jsonl(10);
    input.push_str("{not json\n");
    input.push_str("{\"id\":\"no-text\",\"body\":\"x\"}\n");
    input.push_str(&docs_jsonl(2));
    w.write("in.jsonl", &input);
    let o = w.run(&[
        "filter",
        "in.jsonl",
        "--keep",
        "informative",
        "-o",
        "kept.jsonl",
        "--rejected",
        "rej.jsonl",
        "--stats",
        "stats.json",
    ]);
    assert_code(&o, 1);
    let kept = json_lines(&w.read("kept.jsonl"));
    let rej = json_lines(&w.read("rej.jsonl"));
    let errors = json_lines(&w.read("kept.jsonl.errors.jsonl"));
    assert_eq!(kept.len() + rej.len() + errors.len(), 14);
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["line"], 11);
    assert!(
        errors[0]["reason"]
            .as_str()
            .unwrap()
            .contains("malformed JSON")
    );
    assert_eq!(errors[1]["line"], 12);
    assert!(
        errors[1]["reason"]
            .as_str()
            .unwrap()
            .contains("no `text` field")
    );
    assert!(errors[0]["file"].as_str().unwrap().ends_with("in.jsonl"));
    // Kept records are unchanged; rejected ones carry the reason.
    assert!(
        kept.iter()
            .all(|k| k.get("metadata").unwrap().get("contentq").is_none())
    );
    assert!(!rej.is_empty());
    for r in &rej {
        let reason = r["metadata"]["filter_reason"].as_str().unwrap();
        assert!(reason.starts_with("promotional"), "{reason}");
        assert!(
            r["metadata"]["contentq"]["reason"]
                .as_str()
                .unwrap()
                .contains("p_promotional=")
        );
        assert!(r["metadata"]["k"].is_number(), "original metadata is kept");
    }
    let stats: serde_json::Value = serde_json::from_str(&w.read("stats.json")).unwrap();
    assert_eq!(stats["input_records"], 14);
    assert_eq!(stats["errors"], 2);
    assert_eq!(stats["kept"].as_u64().unwrap() as usize, kept.len());
    assert_eq!(
        stats["dropped"]["dropped_promotional"].as_u64().unwrap() as usize,
        rej.len()
    );
}

#[test]
fn filter_csv_keeps_original_columns() {
    let w = Workdir::new();
    w.write("in.csv", docs_csv(8));
    let o = w.run(&[
        "filter",
        "in.csv",
        "--keep",
        "promotional",
        "-o",
        "k.csv",
        "--rejected",
        "r.csv",
    ]);
    assert_code(&o, 0);
    assert_eq!(csv_header(&w.path("k.csv")), ["id", "text", "extra"]);
    assert_eq!(
        csv_header(&w.path("r.csv")),
        ["id", "text", "extra", "filter_reason", "p_promotional"]
    );
    let k = csv_rows(&w.path("k.csv"));
    let r = csv_rows(&w.path("r.csv"));
    assert_eq!(k.len() + r.len(), 8);
    assert!(r.iter().all(|row| row[3].starts_with("informative")));
    assert!(
        k.iter().any(|row| row[1].contains("line two")),
        "text kept whole"
    );
}

#[test]
fn features_outputs_every_feature() {
    let w = Workdir::new();
    w.write("in.jsonl", docs_jsonl(3));
    let o = w.run(&["features", "in.jsonl", "-o", "f.csv"]);
    assert_code(&o, 0);
    let h = csv_header(&w.path("f.csv"));
    assert_eq!(&h[..3], ["id", "lang", "truncated"]);
    assert_eq!(h.len(), 3 + contentq::features::FEATURES.len());
    let o = w.run(&["features", "--list"]);
    assert_code(&o, 0);
    assert!(stdout(&o).contains("| `boilerplate_ratio` |"));
}

#[test]
fn compressed_inputs_and_directories() {
    use std::io::Write;
    let w = Workdir::new();
    std::fs::create_dir(w.path("dir")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(docs_jsonl(5).as_bytes()).unwrap();
    w.write("dir/a.jsonl.gz", gz.finish().unwrap());
    w.write(
        "dir/b.csv.zst",
        zstd::encode_all(docs_csv(3).as_bytes(), 3).unwrap(),
    );
    w.write("dir/notes.txt", "not a document file");
    let o = w.run(&["label", "dir", "-o", "out.jsonl"]);
    assert_code(&o, 0);
    assert_eq!(json_lines(&w.read("out.jsonl")).len(), 8);
}

#[test]
fn stdin_to_stdout() {
    let w = Workdir::new();
    let input = docs_jsonl(3);
    let o = w.run_stdin(
        &["label", "-", "--output-format", "jsonl", "-q"],
        Some(input.as_bytes()),
    );
    assert_code(&o, 0);
    assert_eq!(json_lines(&stdout(&o)).len(), 3);
    assert!(stderr(&o).is_empty(), "quiet means quiet: {}", stderr(&o));
    // CSV on stdin needs --format; errors then go to stderr.
    let o = w.run_stdin(
        &["label", "-", "--format", "csv", "-q"],
        Some(b"id,text\n1,hello\n2,\"\xff\"\n"),
    );
    assert_code(&o, 1);
    assert_eq!(csv_rows_from(&stdout(&o)).len(), 1);
    assert!(stderr(&o).contains("invalid UTF-8"));
}

fn csv_rows_from(s: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(s.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn strict_stops_at_the_first_bad_record_and_writes_nothing() {
    let w = Workdir::new();
    w.write(
        "in.jsonl",
        format!("{}{{bad\n{}", docs_jsonl(2), docs_jsonl(2)),
    );
    let o = w.run(&["label", "in.jsonl", "--strict", "-o", "out.csv"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("in.jsonl:3"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--strict"));
    assert_eq!(w.files(), ["in.jsonl"], "no partial output left behind");
}

#[test]
fn fatal_errors_name_the_thing_exit_2_and_leave_nothing() {
    let w = Workdir::new();
    w.write("in.csv", docs_csv(2));
    // Missing input.
    let o = w.run(&["label", "missing.csv", "-o", "out.csv"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("missing.csv"));
    // Missing text column.
    let o = w.run(&["label", "in.csv", "--text-column", "body", "-o", "out.csv"]);
    assert_code(&o, 2);
    let e = stderr(&o);
    assert!(
        e.contains("no column named `body`") && e.contains("--text-column"),
        "{e}"
    );
    // Unwritable output.
    let o = w.run(&["label", "in.csv", "-o", "no/such/dir/out.csv"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("no/such/dir/out.csv"));
    // Unknown model version.
    w.write("model.json", r#"{"format":"contentq-model","version":99}"#);
    let o = w.run(&["label", "in.csv", "--model", "model.json", "-o", "out.csv"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("version 99") && stderr(&o).contains("retrain"));
    // No INPUT at all.
    let o = w.run(&["label"]);
    assert_code(&o, 2);
    assert_eq!(
        w.files(),
        ["in.csv", "model.json"],
        "no partial output left behind"
    );
}

#[test]
fn odd_documents_are_scored_not_fatal() {
    let w = Workdir::new();
    let big = "word ".repeat(10 * 1024 * 1024); // 50 MB on one line
    let docs = [
        String::new(),
        "   \n\t  ".to_string(),
        "😀😀😀🎉".to_string(),
        "\u{200b}\u{200b}".to_string(),
        "中".to_string(),
        big,
    ];
    let mut input = String::new();
    for (i, d) in docs.iter().enumerate() {
        input.push_str(&serde_json::json!({"id": i, "text": d}).to_string());
        input.push('\n');
    }
    w.write("odd.jsonl", input);
    let o = w.run(&["label", "odd.jsonl", "--all-features", "-o", "out.csv"]);
    assert_code(&o, 0);
    let rows = csv_rows(&w.path("out.csv"));
    assert_eq!(rows.len(), docs.len());
    for r in &rows {
        for (k, f) in r.iter().enumerate() {
            if [2, 4, 5, 6].contains(&k) || k > 8 {
                let x: f64 = f
                    .parse()
                    .unwrap_or_else(|_| panic!("column {k} is a number: {r:?}"));
                assert!(x.is_finite(), "{r:?}");
            }
        }
    }
    assert_eq!(
        &rows[5][8], "true",
        "the 50 MB document is flagged truncated"
    );
    assert_eq!(&rows[0][8], "false");
}

#[test]
fn errors_file_is_removed_when_a_rerun_has_no_errors() {
    let w = Workdir::new();
    w.write("in.jsonl", format!("{}{{bad\n", docs_jsonl(2)));
    assert_code(&w.run(&["label", "in.jsonl", "-o", "out.csv"]), 1);
    assert!(w.path("out.csv.errors.jsonl").exists());
    w.write("in.jsonl", docs_jsonl(2));
    assert_code(&w.run(&["label", "in.jsonl", "-o", "out.csv"]), 0);
    assert!(
        !w.path("out.csv.errors.jsonl").exists(),
        "a stale errors file would mislead"
    );
}

#[test]
fn broken_pipe_is_success() {
    let w = Workdir::new();
    w.write("in.jsonl", docs_jsonl(4000));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_contentq"))
        .args(["label", "in.jsonl", "-q"])
        .current_dir(w.dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Read;
        let mut out = child.stdout.take().unwrap();
        let mut buf = [0u8; 100];
        out.read_exact(&mut buf).unwrap();
        // Dropping `out` closes the pipe, like `| head`.
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn help_teaches_by_example() {
    let w = Workdir::new();
    for cmd in ["label", "filter", "train", "eval", "features"] {
        let o = w.run(&[cmd, "--help"]);
        assert_code(&o, 0);
        assert!(
            stdout(&o).contains("Examples:"),
            "{cmd} --help has examples"
        );
    }
    let o = w.run(&["--help"]);
    assert!(stdout(&o).contains("Exit codes"));
}

#[test]
fn stream_mode_gives_one_line_per_input_line() {
    let w = Workdir::new();
    let mut input = docs_jsonl(5);
    input.push('\n'); // a blank line
    input.push_str("{not json\n");
    input.push_str("{\"id\":\"n\",\"text\":null}\n");
    input.push_str(&docs_jsonl(600));
    let lines_in = input.lines().count();
    let o = w.run_stdin(&["label", "--stream"], Some(input.as_bytes()));
    assert_code(&o, 0);
    let out = stdout(&o);
    let lines = json_lines(&out);
    assert_eq!(
        out.lines().count(),
        lines_in,
        "one output line per input line"
    );
    assert_eq!(lines[5]["error"], "blank line");
    assert!(
        lines[6]["error"]
            .as_str()
            .unwrap()
            .contains("malformed JSON")
    );
    assert!(lines[7]["error"].as_str().unwrap().contains("null"));
    assert_eq!(lines[8]["id"], "d0");
    assert!(lines.last().unwrap()["label"].is_string());
    // Files are refused: streaming is stdin to stdout.
    w.write("in.jsonl", docs_jsonl(2));
    assert_code(&w.run(&["label", "in.jsonl", "--stream"]), 2);
}
