#!/usr/bin/env python3
"""Build a large benchmark corpus by resampling ../shared/data (never committed).

Usage: bench/make_corpus.py OUT.jsonl SIZE_MB [--seed N] [--csv] [--docs N]

Rows of train.csv, dev.csv and extra_train.csv are drawn with replacement (fixed seed) and
written as JSONL documents ({"id", "text", "metadata": {"source", "lang"}}) until the text
reaches SIZE_MB megabytes. Ids get a running suffix so that every document is distinct.
"""
import csv
import json
import random
import sys
from pathlib import Path

csv.field_size_limit(1 << 30)


def main() -> None:
    args = [a for i, a in enumerate(sys.argv[1:], 1)
            if not a.startswith("--") and sys.argv[i - 1] not in ("--seed", "--docs")]
    if len(args) != 2:
        sys.exit(__doc__)
    out, size_mb = Path(args[0]), float(args[1])
    seed = 20240917
    if "--seed" in sys.argv:
        seed = int(sys.argv[sys.argv.index("--seed") + 1])
    data = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    rows = []
    for name in ["train.csv", "dev.csv", "extra_train.csv"]:
        with open(data / name, newline="", encoding="utf-8") as f:
            rows.extend(csv.DictReader(f))
    rng = random.Random(seed)
    target = size_mb * 1e6
    max_docs = int(sys.argv[sys.argv.index("--docs") + 1]) if "--docs" in sys.argv else None
    written = 0
    n = 0
    as_csv = "--csv" in sys.argv
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f) if as_csv else None
        if w:
            w.writerow(["id", "text", "label", "source", "lang"])
        while written < target and (max_docs is None or n < max_docs):
            r = rng.choice(rows)
            n += 1
            doc_id = f"{r['id']}-{n}"
            if w:
                w.writerow([doc_id, r["text"], r["label"], r["source"], r["lang"]])
            else:
                f.write(json.dumps({"id": doc_id, "text": r["text"],
                                    "metadata": {"source": r["source"], "lang": r["lang"],
                                                 "label": r["label"]}},
                                   ensure_ascii=False) + "\n")
            written += len(r["text"].encode("utf-8"))
    print(f"wrote {n} documents, {written / 1e6:.1f} MB of text to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
