#!/usr/bin/env python3
"""Transfer figures for the written genre corpus (data/genre/README.md), contentq only.

Usage: python3 bench/transfer.py      (from the repository root, after `cargo build --release`)

Trains contentq on three mixes with the default recipe's groups and weights
(models/training_set.py) and reports ROC-AUC out of fold (cv, grouped) for the sets trained
on and on held-out sets otherwise: R = train.csv, X = extra_train.csv, G = genre corpus
(written rows weight 2 when mixed with real data), dev = dev.csv.
"""
import bisect
import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

csv.field_size_limit(1 << 30)
ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target/release/contentq"
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench/out/transfer"

spec = importlib.util.spec_from_file_location("ts", ROOT / "models/training_set.py")
ts = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ts)


def auc(pairs):
    pos = [s for s, y in pairs if y]
    neg = sorted(s for s, y in pairs if not y)
    if not pos or not neg:
        return float("nan")
    t = 0.0
    for s in pos:
        lo, hi = bisect.bisect_left(neg, s), bisect.bisect_right(neg, s)
        t += lo + 0.5 * (hi - lo)
    return t / (len(pos) * len(neg))


def load(name):
    path = ROOT / "data/genre/genre.csv" if name == "G" else SHARED / {
        "R": "train.csv", "X": "extra_train.csv", "dev": "dev.csv"}[name]
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write(path, rows, weight_written):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "label", "lang", "source", "group", "weight"])
        for r in rows:
            wt = weight_written if r["source"].startswith("written:") else 1
            w.writerow([r["id"], r["text"], r["label"], r["lang"], r["source"], ts.group_of(r), wt])


def scores(model, rows, tag):
    path = OUT / f"{tag}.csv"
    write(path, rows, 1)
    out = OUT / f"{tag}.labeled.csv"
    subprocess.run([BIN, "label", path, "--model", model, "-o", out, "-q"], check=True)
    with open(out, encoding="utf-8") as f:
        return {r["id"]: float(r["p_promotional"]) for r in csv.DictReader(f)}


def report(p, rows, lang=None):
    pairs = [(p[r["id"]], r["label"] == "promotional") for r in rows if lang in (None, r["lang"])]
    return auc(pairs)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    data = {k: load(k) for k in ["R", "X", "G", "dev"]}
    print("| trained on | G | G en | G zh | dev | dev en | dev zh | X en |")
    print("|---|---|---|---|---|---|---|---|")
    for mix, weight in [(["R", "X"], 1), (["R", "X", "G"], ts.WRITTEN_WEIGHT), (["G"], 1)]:
        tag = "".join(mix)
        train = [r for k in mix for r in data[k]]
        path = OUT / f"train_{tag}.csv"
        write(path, train, weight)
        model, oof_path = OUT / f"model_{tag}.json", OUT / f"oof_{tag}.csv"
        subprocess.run([BIN, "train", path, "--group-column", "group", "--weight-column", "weight",
                        "-o", model, "--cv-predictions", oof_path, "-q"], check=True)
        with open(oof_path) as f:
            oof = {r["id"]: float(r["p"]) for r in csv.DictReader(f)}
        cells = []
        for k, langs in [("G", [None, "en", "zh"]), ("dev", [None, "en", "zh"]), ("X", ["en"])]:
            held_out = k not in mix
            p = scores(model, data[k], f"{tag}_{k}") if held_out else oof
            for lang in langs:
                cells.append(f"{report(p, data[k], lang):.3f}" + ("" if held_out else " (cv)"))
        print(f"| {' + '.join(mix)} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
