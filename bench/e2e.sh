#!/usr/bin/env bash
# End-to-end benchmark of the whole `label` pass (reading, every feature, the default model,
# writing): MB/s of text, documents/s and peak memory, at 1 and 2 threads, on two corpus
# sizes resampled from ../shared/data (built on first use, never committed).
#
# Usage: bench/e2e.sh [SIZE_MB ...]    (default: 200 400)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
BIN=target/release/contentq
mkdir -p "$OUT"
[ -x "$BIN" ] || cargo build --release
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(200 400)
for size in "${SIZES[@]}"; do
  [ -f "$OUT/corpus$size.jsonl" ] || python3 bench/make_corpus.py "$OUT/corpus$size.jsonl" "$size"
done
echo "| input | threads | seconds | MB/s | docs/s | cores busy | peak RSS (MB) |"
echo "|---|---|---|---|---|---|---|"
for size in "${SIZES[@]}"; do
  corpus="$OUT/corpus$size.jsonl"
  docs=$(wc -l < "$corpus")
  for threads in 1 2; do
    # Cores busy: user + system CPU seconds over wall seconds. Unlike the ratio of two runs'
    # wall times, it does not move with the VM's speed between runs.
    /usr/bin/time -f "%e %M %U %S" -o "$OUT/time.txt" \
      "$BIN" label "$corpus" -o "$OUT/labeled.csv" --threads "$threads" --quiet
    read -r secs kb user sys < "$OUT/time.txt"
    python3 - "$size" "$threads" "$secs" "$kb" "$docs" "$user" "$sys" <<'PY'
import sys
size, threads, secs, kb, docs = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
cpu = float(sys.argv[6]) + float(sys.argv[7])
print(f"| {size} MB ({docs} docs) | {threads} | {secs:.1f} | {float(size) / secs:.1f} | {docs / secs:.0f} | {cpu / secs:.2f} | {kb / 1024:.0f} |")
PY
  done
done
rm -f "$OUT/labeled.csv" "$OUT/time.txt"
