#!/usr/bin/env python3
"""Regenerate the feature table in FEATURES.md from `contentq features --list`.

The table sits between the markers <!-- features:begin --> and <!-- features:end -->; a test
(tests/docs.rs) fails when it is out of date.
"""
import subprocess
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
doc = root / "FEATURES.md"
table = subprocess.run([str(root / "target/release/contentq"), "features", "--list"],
                       check=True, capture_output=True, text=True).stdout
text = doc.read_text(encoding="utf-8")
begin, end = "<!-- features:begin -->\n", "<!-- features:end -->"
i, j = text.index(begin) + len(begin), text.index(end)
doc.write_text(text[:i] + table + text[j:], encoding="utf-8")
print(f"updated {doc}", file=sys.stderr)
