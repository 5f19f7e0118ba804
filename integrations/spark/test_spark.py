#!/usr/bin/env python3
"""Run contentq_spark.py for real on Spark in local mode and check it against a single run.

A multi-file dataset is generated from the written corpus (data/genre/genre.csv) plus a row
with a null text; the Spark job labels it (once from JSON lines, once from Parquet); the
union of its output must hold every input row exactly once, with the same label and
probability as `contentq label` run alone on the same files.

Usage: integrations/spark/.venv/bin/python integrations/spark/test_spark.py [--docs N]
Prints the timings of the Spark runs and of the bare binary (BENCHMARKS.md quotes them).
"""
import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "target" / "release" / "contentq"
JOB = ROOT / "integrations" / "spark" / "contentq_spark.py"


def make_dataset(directory: Path, docs: int, files: int) -> int:
    csv.field_size_limit(1 << 30)
    with open(ROOT / "data" / "genre" / "genre.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    directory.mkdir(parents=True)
    handles = [open(directory / f"part-{i:03d}.jsonl", "w", encoding="utf-8") for i in range(files)]
    n = 0
    for i in range(docs):
        r = rows[i % len(rows)]
        doc = {"id": f"doc-{i:06d}", "text": r["text"], "url": f"https://example.org/{i}", "n": i}
        handles[i % files].write(json.dumps(doc, ensure_ascii=False) + "\n")
        n += 1
    # A row contentq cannot read: it must come out once, with the error column set.
    handles[0].write(json.dumps({"id": "doc-null", "text": None, "url": "x", "n": -1}) + "\n")
    for h in handles:
        h.close()
    return n + 1


def run_job(spark_input: Path, fmt: str, output: Path) -> float:
    t = time.time()
    subprocess.run(
        [sys.executable, str(JOB), "--master", "local[2]", "--input", str(spark_input),
         "--input-format", fmt, "--output", str(output), "--binary", str(BIN), "--partitions", "4"],
        check=True,
    )
    return time.time() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--files", type=int, default=5)
    args = ap.parse_args()
    from pyspark.sql import SparkSession

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        n = make_dataset(data, args.docs, args.files)
        size_mb = sum(p.stat().st_size for p in data.iterdir()) / 1e6

        # The reference: contentq alone on the same files.
        t = time.time()
        subprocess.run([str(BIN), "label", str(data), "-o", str(tmp / "single.jsonl"), "-q"],
                       check=False)
        bare = time.time() - t
        single = {}
        for line in open(tmp / "single.jsonl", encoding="utf-8"):
            d = json.loads(line)
            single[d["id"]] = (d["label"], d["p_promotional"])

        # Spark from JSON lines, then from Parquet written by Spark.
        secs_json = run_job(data, "json", tmp / "out_json")
        spark = SparkSession.builder.master("local[2]").appName("contentq-test").config("spark.ui.showConsoleProgress", "false").getOrCreate()
        spark.read.json(str(data)).repartition(3).write.parquet(str(tmp / "parquet_in"))
        spark.stop()
        secs_parquet = run_job(tmp / "parquet_in", "parquet", tmp / "out_parquet")

        spark = SparkSession.builder.master("local[2]").appName("contentq-check").config("spark.ui.showConsoleProgress", "false").getOrCreate()
        problems = []
        for name in ["out_json", "out_parquet"]:
            out = spark.read.parquet(str(tmp / name))
            cols = set(out.columns)
            for c in ["id", "text", "url", "n", "contentq_label", "contentq_p_promotional",
                      "contentq_reasons", "contentq_error"]:
                if c not in cols:
                    problems.append(f"{name}: missing column {c}")
            rows = out.select("id", "url", "contentq_label", "contentq_p_promotional",
                              "contentq_error").collect()
            ids = [r["id"] for r in rows]
            if len(rows) != n:
                problems.append(f"{name}: {len(rows)} rows, expected {n}")
            dup = len(ids) - len(set(ids))
            if dup:
                problems.append(f"{name}: {dup} duplicated ids")
            for r in rows:
                if r["id"] == "doc-null":
                    if not r["contentq_error"] or r["contentq_label"] is not None:
                        problems.append(f"{name}: the null-text row has no error: {r}")
                    continue
                ref = single.get(r["id"])
                if ref is None:
                    problems.append(f"{name}: {r['id']} not in the single run")
                elif ref[0] != r["contentq_label"] or abs(ref[1] - r["contentq_p_promotional"]) > 1e-9:
                    problems.append(f"{name}: {r['id']} differs: {ref} vs {r['contentq_label']}, {r['contentq_p_promotional']}")
            missing = set(single) - set(ids)
            if missing:
                problems.append(f"{name}: {len(missing)} documents lost, e.g. {sorted(missing)[:3]}")
        spark.stop()
        print(f"spark local[2]: {n} rows ({size_mb:.1f} MB) in {args.files} files; "
              f"JSON input {secs_json:.1f} s, Parquet input {secs_parquet:.1f} s; "
              f"bare contentq label {bare:.1f} s")
        for p in problems[:20]:
            print("PROBLEM:", p)
        if problems:
            return 1
        print("spark test: every input row exactly once, labels and probabilities equal to a single run")
        return 0


if __name__ == "__main__":
    sys.exit(main())
