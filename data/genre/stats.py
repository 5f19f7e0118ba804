#!/usr/bin/env python3
"""Statistics of the written genre corpus: counts, length quartiles per language and label,
distinct character 5-gram ratios, and the most similar pairs (Jaccard on character 5-grams).

Usage: python3 data/genre/stats.py [data/genre/genre.csv]   (prints Markdown)
"""
import csv
import statistics
import sys
from collections import Counter, defaultdict
from itertools import combinations

path = sys.argv[1] if len(sys.argv) > 1 else "data/genre/genre.csv"
csv.field_size_limit(1 << 30)
rows = list(csv.DictReader(open(path, encoding="utf-8", newline="")))


def grams(t, n=5):
    t = " ".join(t.split())
    return {t[i:i + n] for i in range(max(0, len(t) - n + 1))}


print(f"## Counts\n\n{len(rows)} documents, "
      f"{len({r['source'].split(':')[1] for r in rows})} topics, "
      f"{len({r['source'].split(':')[2] for r in rows})} page types.\n")
print("| lang | label | documents | page types | p25 chars | median | p75 |")
print("|---|---|---|---|---|---|---|")
by = defaultdict(list)
for r in rows:
    by[(r["lang"], r["label"])].append(r)
for (lang, label), rs in sorted(by.items()):
    lens = sorted(len(r["text"]) for r in rs)
    q = statistics.quantiles(lens, n=4)
    types = len({r["source"].split(":")[2] for r in rs})
    print(f"| {lang} | {label} | {len(rs)} | {types} | {q[0]:.0f} | {q[1]:.0f} | {q[2]:.0f} |")

print("\n## Repetition\n")
print("| lang | distinct 5-grams / all 5-grams | largest pair (Jaccard) |")
print("|---|---|---|")
worst_all = []
for lang in sorted({r["lang"] for r in rows}):
    rs = [r for r in rows if r["lang"] == lang]
    sets = [grams(r["text"]) for r in rs]
    total = Counter()
    for s in sets:
        total.update(s)
    distinct_ratio = len(total) / sum(total.values())
    best = (0.0, None, None)
    pairs = []
    for i, j in combinations(range(len(rs)), 2):
        a, b = sets[i], sets[j]
        inter = len(a & b)
        if not inter:
            continue
        jac = inter / len(a | b)
        pairs.append((jac, rs[i]["source"], rs[j]["source"]))
    pairs.sort(reverse=True)
    worst_all.extend(pairs[:3])
    top = pairs[0] if pairs else (0, "-", "-")
    print(f"| {lang} | {distinct_ratio:.3f} | {top[0]:.3f} ({top[1]} ~ {top[2]}) |")
print("\nMost similar pairs overall:\n")
for jac, a, b in sorted(worst_all, reverse=True)[:5]:
    print(f"- {jac:.3f}: {a} ~ {b}")
