#!/usr/bin/env bash
# Parquet against JSONL, in and out, on the resampled corpus (bench/e2e.sh builds it):
# the whole `label` pass at 2 threads, wall time, MB/s of text and peak memory.
#
# Usage: bench/parquet.sh [SIZE_MB]    (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
BIN=target/release/contentq
SIZE=${1:-200}
mkdir -p "$OUT"
[ -x "$BIN" ] || cargo build --release
[ -f "$OUT/corpus$SIZE.jsonl" ] || python3 bench/make_corpus.py "$OUT/corpus$SIZE.jsonl" "$SIZE"
[ -f "$OUT/corpus$SIZE.parquet" ] || cargo run -q --release --example jsonl_to_parquet -- "$OUT/corpus$SIZE.jsonl" "$OUT/corpus$SIZE.parquet"
echo "| input | output | seconds | MB/s of text | peak RSS (MB) |"
echo "|---|---|---|---|---|"
for in in jsonl parquet; do
  for out in jsonl parquet; do
    /usr/bin/time -f "%e %M" -o "$OUT/time.txt" \
      "$BIN" label "$OUT/corpus$SIZE.$in" -o "$OUT/labeled.$out" --threads 2 --quiet
    read -r secs kb < "$OUT/time.txt"
    python3 -c "import sys; s=float('$secs'); print(f'| {\"$in\"} | {\"$out\"} | {s:.1f} | {$SIZE/s:.1f} | {$kb/1024:.0f} |')"
  done
done
ls -l "$OUT/corpus$SIZE.jsonl" "$OUT/corpus$SIZE.parquet" | awk '{print "# " $5/1e6 " MB " $9}'
rm -f "$OUT/labeled.jsonl" "$OUT/labeled.parquet" "$OUT/time.txt"
