//! Crash safety: per-file outputs with done markers, `--resume` after SIGKILL, sharding.

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

fn make_inputs(w: &Workdir, files: usize, docs: usize) -> usize {
    std::fs::create_dir_all(w.path("in/sub")).unwrap();
    let texts = [
        "Best clinic in town! Call now for a free consultation, 100% cure guaranteed.",
        "Studies suggest the treatment may help some patients; side effects include nausea.",
        "限时优惠！免费咨询热线400-123-4567，根治不复发，加微信预约。",
        "研究表明，该药物可能减轻症状，但效果因人而异，请遵医嘱。",
    ];
    let mut n = 0;
    for f in 0..files {
        let mut s = String::new();
        for d in 0..docs {
            let id = format!("f{f}-d{d}");
            let text = format!(
                "{} ({id}) {}",
                texts[(f + d) % 4],
                "filler words ".repeat(d % 40)
            );
            s.push_str(&serde_json::json!({"id": id, "text": text}).to_string());
            s.push('\n');
            n += 1;
        }
        // Half the files in a subdirectory, so names carry the relative path.
        let name = if f % 2 == 0 {
            format!("in/part-{f:03}.jsonl")
        } else {
            format!("in/sub/part-{f:03}.jsonl")
        };
        w.write(&name, s);
    }
    n
}

/// Ids in every labeled output of `dir`, with how often each appears.
fn output_ids(dir: &std::path::Path) -> HashMap<String, usize> {
    let mut ids = HashMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".labeled.jsonl") && !name.starts_with('.') {
            for v in json_lines(&std::fs::read_to_string(&p).unwrap()) {
                *ids.entry(v["id"].as_str().unwrap().to_string())
                    .or_insert(0) += 1;
            }
        }
    }
    ids
}

#[test]
fn killed_runs_resume_with_every_document_exactly_once() {
    let w = Workdir::new();
    let total = make_inputs(&w, 24, 1500);
    // How long the whole job takes here, uninterrupted: kill points are fractions of it, so
    // that runs are really killed however fast the machine and the binary are (fixed points
    // in milliseconds let a faster build finish before enough kills).
    let started = std::time::Instant::now();
    let o = w.run(&[
        "label",
        "in",
        "--output-dir",
        "calib",
        "--resume",
        "-j",
        "2",
        "-q",
    ]);
    assert_code(&o, 0);
    let whole = started.elapsed().as_secs_f64();
    // Deterministic "random" kill points, each between 5% and 30% of the whole job: three
    // kills take at most 90% of it, so the first three runs are always killed.
    let mut seed: u64 = 20240917;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let u = ((seed >> 33) % 1000) as f64 / 1000.0;
        Duration::from_secs_f64(whole * (0.05 + 0.25 * u))
    };
    let mut kills = 0;
    let mut runs = 0;
    for _ in 0..6 {
        runs += 1;
        let mut child = Command::new(env!("CARGO_BIN_EXE_contentq"))
            .args([
                "label",
                "in",
                "--output-dir",
                "out",
                "--resume",
                "-j",
                "2",
                "-q",
            ])
            .current_dir(w.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(next());
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
    }
    let done_before = std::fs::read_dir(w.path("out"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".done")
        })
        .count();
    // Finish the job.
    runs += 1;
    let o = w.run(&["label", "in", "--output-dir", "out", "--resume", "-q"]);
    assert_code(&o, 0);
    let ids = output_ids(&w.path("out"));
    let duplicates = ids.values().filter(|&&c| c > 1).count();
    let lost = total - ids.len();
    eprintln!(
        "kill-and-resume: {runs} runs, {kills} killed with SIGKILL, {done_before} of 24 files done before the last run, {total} documents, {} in the outputs, duplicates {duplicates}, lost {lost}",
        ids.len()
    );
    assert!(kills >= 3, "the test must really kill runs ({kills})");
    assert_eq!(duplicates, 0);
    assert_eq!(lost, 0);
    assert_eq!(ids.len(), total);
    let leftovers: Vec<String> = std::fs::read_dir(w.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let done = std::fs::read_to_string(w.path("out/sub__part-001.jsonl.done")).unwrap();
    let done: serde_json::Value = serde_json::from_str(&done).unwrap();
    assert_eq!(done["records"], 1500);
    // A further --resume run does nothing.
    let o = w.run(&["label", "in", "--output-dir", "out", "--resume"]);
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("0 files, 24 skipped as done"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn shards_cover_every_file_once() {
    let w = Workdir::new();
    let total = make_inputs(&w, 10, 20);
    for k in 0..3 {
        let shard = format!("{k}/3");
        let o = w.run(&[
            "label",
            "in",
            "--output-dir",
            "out",
            "--shard",
            &shard,
            "-q",
        ]);
        assert_code(&o, 0);
    }
    let ids = output_ids(&w.path("out"));
    assert_eq!(ids.len(), total);
    assert!(ids.values().all(|&c| c == 1));
}

#[test]
fn filter_per_file_outputs_account_for_every_record() {
    let w = Workdir::new();
    let total = make_inputs(&w, 4, 50);
    let o = w.run(&[
        "filter",
        "in",
        "--keep",
        "informative",
        "--output-dir",
        "out",
        "-q",
    ]);
    assert_code(&o, 0);
    let mut n = 0;
    for e in std::fs::read_dir(w.path("out")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".kept.jsonl") || name.ends_with(".rejected.jsonl") {
            n += json_lines(&std::fs::read_to_string(&p).unwrap()).len();
        }
    }
    assert_eq!(n, total);
    let stats: serde_json::Value =
        serde_json::from_str(&w.read("out/part-000.jsonl.stats.json")).unwrap();
    assert_eq!(stats["input_records"], 50);
}

#[test]
fn per_file_mode_refuses_stdin_and_name_clashes() {
    let w = Workdir::new();
    let o = w.run_stdin(
        &["label", "-", "--output-dir", "out"],
        Some(b"{\"text\":\"x\"}\n"),
    );
    assert_code(&o, 2);
    assert!(stderr(&o).contains("stdin"));
    std::fs::create_dir_all(w.path("a")).unwrap();
    std::fs::create_dir_all(w.path("b")).unwrap();
    w.write("a/x.jsonl", "{\"text\":\"x\"}\n");
    w.write("b/x.jsonl", "{\"text\":\"y\"}\n");
    let o = w.run(&["label", "a/x.jsonl", "b/x.jsonl", "--output-dir", "out"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("both named `x.jsonl`"));
}

#[test]
fn one_huge_file_is_sharded_by_record() {
    let w = Workdir::new();
    let total = make_inputs(&w, 1, 300);
    for k in 0..4 {
        let shard = format!("{k}/4");
        let o = w.run(&[
            "label",
            "in",
            "--output-dir",
            "out",
            "--shard",
            &shard,
            "-q",
        ]);
        assert_code(&o, 0);
        assert!(
            w.path(&format!("out/part-000.jsonl.shard-{k}-of-4.labeled.jsonl"))
                .exists()
        );
        assert!(
            w.path(&format!("out/part-000.jsonl.shard-{k}-of-4.done"))
                .exists()
        );
    }
    let ids = output_ids(&w.path("out"));
    assert_eq!(ids.len(), total);
    assert!(ids.values().all(|&c| c == 1));
    // Each shard got a share, not everything.
    for k in 0..4 {
        let n = w
            .read(&format!("out/part-000.jsonl.shard-{k}-of-4.labeled.jsonl"))
            .lines()
            .count();
        assert!(n > 30 && n < 150, "shard {k} has {n}");
    }
}

#[test]
fn stats_merge_sums_per_file_stats() {
    let w = Workdir::new();
    make_inputs(&w, 5, 30);
    let o = w.run(&[
        "filter",
        "in",
        "--keep",
        "informative",
        "--output-dir",
        "out",
        "-q",
    ]);
    assert_code(&o, 0);
    let files: Vec<String> = std::fs::read_dir(w.path("out"))
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".stats.json"))
        .collect();
    assert_eq!(files.len(), 5);
    let mut args = vec!["stats", "merge"];
    args.extend(files.iter().map(|s| s.as_str()));
    args.extend(["-o", "merged.json"]);
    assert_code(&w.run(&args), 0);
    let m: serde_json::Value = serde_json::from_str(&w.read("merged.json")).unwrap();
    assert_eq!(m["input_records"], 150);
    assert_eq!(
        m["kept"].as_u64().unwrap() + m["rejected"].as_u64().unwrap(),
        150
    );
    assert_eq!(m["keep"], "informative");
    assert_eq!(m["merged_files"], 5);
}
