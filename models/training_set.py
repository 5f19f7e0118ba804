#!/usr/bin/env python3
"""Build the training table of the default model (stdlib only, deterministic).

Usage: python3 models/training_set.py SHARED_DATA_DIR GENRE_CSV > OUT.csv

Rows: train.csv and extra_train.csv from SHARED_DATA_DIR (real data) and the written genre
corpus. dev.csv is never read: it stays held out for `contentq eval`.

Columns added:
- group: what cross-validation keeps together, so that its estimate is leave-sources-out:
  the ReCOVery site for English news, the source for extra_train rows, the topic for written
  rows. HRDE rumours carry no publisher, so they are split into 10 pseudo-groups by a hash
  of their id (a single group would put every Chinese rumour in one fold).
- weight: written rows count twice (1,280 written rows against 4,884 real ones), so that
  the genre the tool exists for, where page furniture appears under both labels, is not
  drowned by sources in which boilerplate happens to go with one label.
"""
import csv
import hashlib
import sys
from pathlib import Path

csv.field_size_limit(1 << 30)
WRITTEN_WEIGHT = 2
HRDE_GROUPS = 10


def group_of(row: dict) -> str:
    source = row["source"]
    if source.startswith("written:"):
        return "written:" + source.split(":")[1]
    if source == "hrde:dev_data":
        h = int(hashlib.sha1(row["id"].encode("utf-8")).hexdigest(), 16)
        return f"hrde:{h % HRDE_GROUPS}"
    return source


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    shared, genre = Path(sys.argv[1]), Path(sys.argv[2])
    inputs = [shared / "train.csv", shared / "extra_train.csv", genre]
    for p in inputs:
        if not p.exists():
            sys.exit(f"training_set.py: {p} is missing (the default model needs ../shared/data beside the project)")
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["id", "text", "label", "lang", "source", "group", "weight"])
    for p in inputs:
        with open(p, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                weight = WRITTEN_WEIGHT if row["source"].startswith("written:") else 1
                out.writerow([row["id"], row["text"], row["label"], row["lang"], row["source"],
                              group_of(row), weight])


if __name__ == "__main__":
    main()
