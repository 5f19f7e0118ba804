#!/usr/bin/env python3
"""Regenerate the small seed corpora in fuzz/seeds/ from the project's own data.

    python3 fuzz/make_seeds.py

extract: the texts of data/sample.csv plus a few edge cases; csv, jsonl: small files and
lines in the readers' formats, good and bad; model: a tiny model, a tiny lexical model and
the default model cut down to all its features and a few dozen lexical entries;
model_values: a few byte patterns (its input is raw choices, not text) (the full
2 MB models/default.json is given to the model target by run.sh, not copied here).
"""
import csv
import json
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")


def write(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    shutil.rmtree(SEEDS, ignore_errors=True)
    with open(os.path.join(ROOT, "data", "sample.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))

    # extract
    for r in rows:
        write("extract", r["id"], r["text"])
    edge = {
        "empty": "",
        "entities": "Cure&nbsp;guaranteed &amp; 100&#37; free &#x4E2D;&#25991; &bogus; &#99999999;",
        "invisible": "fr\u200bee con\u00adsul\u200dtation\ufeff call\u2060now",
        "lookalike": "Gu\u0430r\u0430nteed \u0441ure f\u043er vitiligo \uff26\uff32\uff25\uff25",
        "fullwidth-digits": "\u7535\u8bdd\uff14\uff10\uff10\uff0d\uff11\uff12\uff13\uff0d\uff14\uff15\uff16\uff17",
        "lines": "Home | About | Contact\n\n\n- a\n- b\n* c\nHome | About | Contact\r\n\u00a9 2024 Privacy Policy\n",
        "mixed-scripts": "Привет مرحبا こんにちは 안녕하세요 שלום नमस्ते 你好 hello 123 !!!",
        "control": "\u0000\u0001\t\u000b\u000c\r\u007f\u0085\u2028\u2029 x",
    }
    for k, v in edge.items():
        write("extract", "edge-" + k, v)

    # csv
    def short(r, n=300):
        return r["text"][:n]

    def to_csv(header, recs, crlf=False):
        import io
        s = io.StringIO()
        w = csv.writer(s, lineterminator="\r\n" if crlf else "\n")
        w.writerow(header)
        w.writerows(recs)
        return s.getvalue()

    write("csv", "sample-en", to_csv(["id", "text", "label"], [[r["id"], short(r), r["label"]] for r in rows[:3]]))
    write("csv", "sample-zh-crlf", to_csv(["id", "text", "label"], [[r["id"], short(r), r["label"]] for r in rows[12:15]], crlf=True))
    write("csv", "text-only", "text\nhello\n\"multi\nline, \"\"quoted\"\"\"\n")
    write("csv", "bom", b"\xef\xbb\xbfid,text\n1,x\n")
    write("csv", "bad-rows", b"id,text\n1,ok\n2,too,many\n3,\xff\xfe\n4\n\"5,unterminated\n")
    write("csv", "header-only", "id,text,lang\n")
    write("csv", "empty-id", "text,id\nabc,\n,\n")
    write("csv", "no-text-column", "id,body\n1,x\n")

    # jsonl
    def line(obj):
        return json.dumps(obj, ensure_ascii=False)

    write("jsonl", "sample", "\n".join(line({"id": r["id"], "text": short(r, 200), "metadata": {"lang": r["lang"]}}) for r in (rows[0], rows[13])) + "\n")
    write("jsonl", "numeric-id-crlf", '{"text":"x","id":7}\r\n\r\n{"text":"y","id":-1.5e3}\r\n')
    write("jsonl", "bad-lines", b'{"text":"ok"}\n{bad json\n[1,2]\n{"text":null}\n{"text":5}\n{"id":"x"}\n{"text":"\xff"}\n"str"\n{"text":"end"}')
    write("jsonl", "bom-blank", b'\xef\xbb\xbf{"text":"x"}\n   \n\t\n{"text":"\\u00e9\\ud83d\\ude00 \\n esc"}\n')
    write("jsonl", "nested", '{"text":"deep","id":"","metadata":{"a":[1,{"b":[null,true,{"c":"d"}]}]}}\n')

    # model
    with open(os.path.join(ROOT, "models", "default.json"), encoding="utf-8") as f:
        full = json.load(f)
    tiny = {
        "format": "contentq-model",
        "version": 1,
        "contentq_version": "0.1.0",
        "labels": {"positive": "promotional", "negative": "informative"},
        "threshold": 0.5,
        "intercept": 0.0,
        "features": [
            {"name": "claim_cta", "transform": "log1p", "mean": [0.0, 0.0], "std": [1.0, 1.0], "weight": 2.0}
        ],
        "training": None,
    }
    write("model", "tiny", json.dumps(tiny))
    wanted = {"free", "call", "now", "cure", "study", "patients", "治疗", "咨询", "免费", "预约", "专家"}
    entries = [e for e in full["lexical"]["entries"] if set(e["text"].split()) & wanted][:24]
    entries += full["lexical"]["entries"][:8]
    entries.sort(key=lambda e: e["hash"])
    lex = dict(tiny)
    lex["features"] = tiny["features"] + [
        {"name": "lexical_words", "transform": "identity", "mean": [0.0, 0.1], "std": [0.5, 0.5], "weight": 1.5}
    ]
    lex["lexical"] = {"params": full["lexical"]["params"], "entries": entries}
    write("model", "tiny-lexical", json.dumps(lex, ensure_ascii=False))
    small = dict(full)
    small["lexical"] = {"params": full["lexical"]["params"], "entries": entries}
    small["training"] = {"rows": 1}
    write("model", "default-small", json.dumps(small, ensure_ascii=False, indent=1))

    # model_values: the input is raw choices (see fuzz_targets/model_values.rs); a few
    # patterns so the first runs build models with one to six features.
    for i, seed in enumerate([bytes(range(64)), bytes([2, 5, 3, 9] * 40), bytes([7, 200, 1] * 60)]):
        write("model_values", "bytes-%d" % i, seed)


if __name__ == "__main__":
    main()
