#!/usr/bin/env python3
"""Throughput on one core: contentq beside fastText, TF-IDF + LR and datatrove's FineWeb filters.

Run through bench/throughput (which sets up bench/.venv, pins this process to core 0 with
`taskset -c 0` and sets every thread pool to one thread). Prints a Markdown report and writes it
to bench/out/throughput.md. Scratch: bench/out/throughput/.

Every system reads the same corpus (bench/make_corpus.py OUT.jsonl SIZE_MB) and is timed by wall
clock over the whole of it, one system after the other. Model training, model loading, library
start-up and a warm-up pass over the first WARMUP documents are not timed. The Python systems get
the texts already parsed from the JSONL (that parsing is not timed); contentq's time is the whole
process: reading the JSONL, scoring and writing the CSV.
"""
from __future__ import annotations

import csv
import gc
import json
import os
import platform
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

csv.field_size_limit(1 << 30)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SCRATCH = OUT / "throughput"
SHARED = ROOT.parent / "shared" / "data"  # where bench/make_corpus.py reads from
BUILT = ROOT / "target" / "release" / "contentq"
BIN = SCRATCH / "contentq"  # a copy taken at start, so a rebuild during the run changes nothing
SEED = 20240917
WARMUP = 200
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")


def log(msg: str) -> None:
    print(f"[throughput {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def no_network() -> None:
    """Refuse every non-Unix socket connection in this process: nothing timed may download."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(real):
        def connect(self, address):
            if self.family != socket.AF_UNIX:
                raise RuntimeError(f"bench/throughput: network access attempted ({address!r})")
            return real(self, address)
        return connect

    socket.socket.connect = guard(real_connect)
    socket.socket.connect_ex = guard(real_connect_ex)


def pkg_version(name: str) -> str:
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return "not installed"


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --------------------------------------------------------------------------------------------
# Timing


@dataclass
class Result:
    system: str
    seconds: float
    cpu: float
    docs: int
    nbytes: int
    load: float  # 1-minute load average when the system started
    outcome: str
    included: str


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(fn, *args):
    """Wall clock and CPU time (this process) of fn(*args)."""
    gc.collect()
    c0, t0 = cpu_self(), time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0, cpu_self() - c0


# --------------------------------------------------------------------------------------------
# Preprocessing


def one_line(text: str) -> str:
    """What DCLM does before fastText: newlines to spaces (predict takes one line)."""
    return text.replace("\n", " ")


def jieba_line(text: str) -> str:
    """One line; Han text segmented with jieba into space-separated words."""
    t = text.replace("\n", " ")
    if HAN.search(t):
        t = " ".join(jieba.cut(t))
    return t


def tfidf_text(text: str) -> str:
    """As bench/compare: one line, jieba words when there is Han, whitespace collapsed."""
    t = text.replace("\r", " ").replace("\n", " ")
    if HAN.search(t):
        t = " ".join(jieba.cut(t))
    return " ".join(t.split())


# --------------------------------------------------------------------------------------------
# Systems


def run_contentq(corpus: Path, out: Path) -> tuple[float, float]:
    cmd = ["taskset", "-c", "0", str(BIN), "label", str(corpus), "-o", str(out), "--threads", "1", "--quiet"]
    c0, t0 = cpu_children(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    secs, cpu = time.perf_counter() - t0, cpu_children() - c0
    if proc.returncode != 0:
        sys.exit(f"throughput.py: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    if proc.stderr.strip():
        log(f"contentq printed: {proc.stderr.strip()}")
    return secs, cpu


def ft_train(rows: list[dict], prep, name: str):
    idx = list(range(len(rows)))
    random.Random(SEED).shuffle(idx)  # fastText reads the file in order: do not feed it sorted
    path = SCRATCH / f"{name}.train.txt"
    with open(path, "w", encoding="utf-8") as f:
        for i in idx:
            # Training lines must be single lines; any \r left would only be whitespace to fastText.
            f.write(f"__label__{rows[i]['label']} {' '.join(prep(rows[i]['text']).split())}\n")
    model = fasttext.train_supervised(str(path), wordNgrams=2, thread=1, seed=SEED, verbose=0)
    path.unlink()
    return model


def ft_predict(model, texts: list[str], prep) -> list[str]:
    """fastText's FastText.predict(text) for each document, k=1 (DCLM's call).

    The body of FastText.predict for one string, with np.array(probs) instead of its
    np.array(probs, copy=False), which numpy 2 rejects."""
    out = []
    for text in texts:
        line = prep(text)
        if line.find("\n") != -1:
            raise ValueError("predict processes one line at a time")
        predictions = model.f.predict(line + "\n", 1, 0.0, "strict")
        probs, labels = zip(*predictions) if predictions else ([], ())
        np.array(probs)
        out.append(labels[0] if labels else "")
    return out


def tfidf_train(rows: list[dict]):
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, token_pattern=r"(?u)\b\w+\b")
    X = vec.fit_transform([tfidf_text(r["text"]) for r in rows])
    y = np.array([1 if r["label"] == "promotional" else 0 for r in rows])
    clf = LogisticRegression(max_iter=2000).fit(X, y)
    return vec, clf


def tfidf_predict(model, texts: list[str]):
    vec, clf = model
    return clf.predict_proba(vec.transform([tfidf_text(t) for t in texts]))[:, 1]


def fineweb_filters(language: str) -> list:
    # As FineWeb's pipeline builds them (exclusion writers aside).
    return [GopherRepetitionFilter(language=language), GopherQualityFilter(language=language),
            C4QualityFilter(filter_no_terminal_punct=False, language=language),
            FineWebQualityFilter(language=language)]


def passes(f, doc) -> bool:
    r = f.filter(doc)
    return bool(r[0] if isinstance(r, tuple) else r)


def datatrove_all(filters_en, filters_zh, ids: list[str], texts: list[str]) -> int:
    """Every document through all four filters in sequence (C4's line removal carries on to the
    next filter, as in the pipeline); returns how many all four keep. filters_zh: used for texts
    with Han characters (None: the English filters for everything, as FineWeb)."""
    kept = 0
    for i, t in zip(ids, texts):
        doc = Document(text=t, id=i)
        fs = filters_zh if filters_zh is not None and HAN.search(t) else filters_en
        ok = True
        for f in fs:
            ok &= passes(f, doc)
        kept += ok
    return kept


def datatrove_first_drop(filters_en, ids: list[str], texts: list[str]) -> int:
    """As a datatrove pipeline runs them: a document dropped by one filter skips the rest."""
    kept = 0
    for i, t in zip(ids, texts):
        doc = Document(text=t, id=i)
        kept += all(passes(f, doc) for f in filters_en)
    return kept


# --------------------------------------------------------------------------------------------


def main() -> None:
    size_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    started = time.perf_counter()
    load_start = os.environ.get("THROUGHPUT_LOADAVG") or loadavg()
    nproc = os.environ.get("THROUGHPUT_NPROC") or str(os.cpu_count())
    affinity = sorted(os.sched_getaffinity(0))
    if affinity != [0]:
        log(f"warning: this process may run on cores {affinity}, not only core 0 (run it through bench/throughput)")
    if not BUILT.exists():
        sys.exit(f"throughput.py: {BUILT} is missing: run `cargo build --release` first")
    if not (SHARED / "train.csv").exists():
        sys.exit(f"throughput.py: {SHARED / 'train.csv'} is missing")
    no_network()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    shutil.copy2(BUILT, BIN)

    # ---- corpus ------------------------------------------------------------------------------
    corpus = SCRATCH / f"corpus-{size_mb:g}MB.jsonl"
    log(f"building {corpus.relative_to(ROOT)}")
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(corpus), f"{size_mb:g}"], check=True)
    ids, texts, truth = [], [], []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            ids.append(d["id"])
            texts.append(d["text"])
            truth.append(d.get("metadata", {}).get("label") == "promotional")
    ndocs = len(texts)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    han_docs = sum(1 for t in texts if HAN.search(t))
    han_bytes = sum(len(t.encode("utf-8")) for t in texts if HAN.search(t))
    warm = SCRATCH / "warmup.jsonl"
    with open(corpus, encoding="utf-8") as f, open(warm, "w", encoding="utf-8") as w:
        for _ in range(WARMUP):
            w.write(f.readline())
    # The warm-up slice, plus one English and one Chinese text so that every tokenizer is loaded.
    wi = ids[:WARMUP] + ["warm-en", "warm-zh"]
    wt = texts[:WARMUP] + ["This is a warm-up text. It has two sentences.", "这是一个预热文本。它有两个句子。"]
    log(f"corpus: {ndocs} documents, {nbytes / 1e6:.1f} MB of text ({han_docs} with Han characters)")

    # ---- training, not timed -----------------------------------------------------------------
    with open(SHARED / "train.csv", encoding="utf-8", newline="") as f:
        train = list(csv.DictReader(f))
    jieba.setLogLevel(60)
    jieba.initialize()
    log(f"training fastText (x2) and TF-IDF + LR on {len(train)} rows of train.csv (not timed)")
    ft_plain = ft_train(train, one_line, "ft-plain")
    ft_seg = ft_train(train, jieba_line, "ft-jieba")
    tfidf = tfidf_train(train)
    dt_en = fineweb_filters(Languages.english)
    dt_en2 = fineweb_filters(Languages.english)
    dt_zh = fineweb_filters(Languages.mandarin_chinese__hani)
    threads = threadpool_info()

    results: list[Result] = []

    def shares(pred: list[bool]) -> str:
        agree = sum(1 for a, b in zip(pred, truth) if a == b)
        return f"{sum(pred) / ndocs:.0%} promotional, {agree / ndocs:.0%} agree with the corpus labels"

    def record(system, secs, cpu, load, outcome, included):
        results.append(Result(system, secs, cpu, ndocs, nbytes, load, outcome, included))
        log(f"{system}: {secs:.1f} s wall, {cpu:.1f} s CPU, {nbytes / 1e6 / secs:.2f} MB/s")

    # ---- 1. contentq -------------------------------------------------------------------------
    log("contentq label (warm-up, then timed)")
    run_contentq(warm, SCRATCH / "warmup.contentq.csv")
    load = os.getloadavg()[0]
    out_csv = SCRATCH / "contentq.csv"
    secs, cpu = run_contentq(corpus, out_csv)
    with open(out_csv, encoding="utf-8", newline="") as f:
        got = list(csv.DictReader(f))
    if len(got) != ndocs:
        sys.exit(f"throughput.py: contentq wrote {len(got)} rows for {ndocs} documents")
    record("contentq `label --threads 1`", secs, cpu, load, shares([g["label"] == "promotional" for g in got]),
           "whole process (`taskset -c 0 contentq label CORPUS.jsonl -o OUT.csv --threads 1 --quiet`): "
           "start-up, embedded model, JSONL parsing, language detection, every feature, scoring, CSV writing")

    # ---- 2. fastText -------------------------------------------------------------------------
    for name, model, prep, what in [
        ("fastText `predict`, no segmentation", ft_plain, one_line,
         "newlines to spaces + `predict` (k=1) per document; model trained on unsegmented train.csv"),
        ("fastText `predict` + jieba", ft_seg, jieba_line,
         "newlines to spaces, Han check, jieba segmentation of Han texts + `predict` (k=1); "
         "model trained on segmented train.csv"),
    ]:
        log(f"{name} (warm-up, then timed)")
        ft_predict(model, wt, prep)
        load = os.getloadavg()[0]
        labels, secs, cpu = timed(ft_predict, model, texts, prep)
        record(name, secs, cpu, load, shares([lab == "__label__promotional" for lab in labels]), what)

    # ---- 3. TF-IDF + LR ----------------------------------------------------------------------
    log("TF-IDF + LR predict_proba (warm-up, then timed)")
    tfidf_predict(tfidf, wt)
    load = os.getloadavg()[0]
    p, secs, cpu = timed(tfidf_predict, tfidf, texts)
    record("TF-IDF + LogisticRegression `predict_proba`", secs, cpu, load,
           shares([bool(x >= 0.5) for x in p]),
           "newlines to spaces, jieba segmentation of Han texts, `TfidfVectorizer.transform` (1-2-grams), "
           "`predict_proba`, all documents in one batch")

    # ---- 4. datatrove ------------------------------------------------------------------------
    log("datatrove filters, English tokenizer, all four per document (warm-up, then timed)")
    datatrove_all(dt_en, None, wi, wt)
    load = os.getloadavg()[0]
    kept, secs, cpu = timed(datatrove_all, dt_en, None, ids, texts)
    record("datatrove FineWeb filters (4, English tokenizer)", secs, cpu, load, f"{kept / ndocs:.0%} kept",
           "`Document` creation + `filter(doc)` of GopherRepetition, GopherQuality, C4Quality"
           "(filter_no_terminal_punct=False), FineWebQuality on every document, English (spaCy) word "
           "tokenizer for all texts as FineWeb runs them")

    log("datatrove filters, stop at first drop (warm-up, then timed)")
    datatrove_first_drop(dt_en2, wi, wt)
    load = os.getloadavg()[0]
    kept, secs, cpu = timed(datatrove_first_drop, dt_en2, ids, texts)
    record("datatrove FineWeb filters, stop at first drop", secs, cpu, load, f"{kept / ndocs:.0%} kept",
           "as above, but a document dropped by one filter skips the later ones (what a datatrove "
           "pipeline does)")

    log("datatrove filters, Chinese tokenizer for Han texts (warm-up, then timed)")
    datatrove_all(dt_en, dt_zh, wi, wt)
    load = os.getloadavg()[0]
    kept, secs, cpu = timed(datatrove_all, dt_en, dt_zh, ids, texts)
    record("datatrove FineWeb filters (4), Chinese tokenizer for Han texts", secs, cpu, load,
           f"{kept / ndocs:.0%} kept",
           "as the first datatrove row, but texts with Han characters go to filters built with "
           "language `cmn_Hani` (datatrove's spaCy zh tokenizer, jieba segmenter)")

    # ---- report ------------------------------------------------------------------------------
    total = time.perf_counter() - started
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    cq_version = subprocess.run([str(BIN), "--version"], capture_output=True, text=True).stdout.strip()
    cpu_model = ""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join([
        f"{cq_version}{f' (git {commit})' if commit else ''}",
        f"fastText {pkg_version('fasttext-wheel') if pkg_version('fasttext-wheel') != 'not installed' else pkg_version('fasttext')}",
        f"scikit-learn {pkg_version('scikit-learn')}", f"numpy {pkg_version('numpy')}", f"scipy {pkg_version('scipy')}",
        f"jieba {pkg_version('jieba')}", f"datatrove {pkg_version('datatrove')}", f"spaCy {pkg_version('spacy')}",
        f"regex {pkg_version('regex')}", f"Python {platform.python_version()}",
    ])
    base = results[0]
    lines = ["| system | MB/s | docs/s | seconds | CPU s | load 1m at start | × contentq time | result | what is included |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in results:
        lines.append(f"| {r.system} | {r.nbytes / 1e6 / r.seconds:.2f} | {r.docs / r.seconds:,.0f} | "
                     f"{r.seconds:.1f} | {r.cpu:.1f} | {r.load:.2f} | {r.seconds / base.seconds:.1f} | "
                     f"{r.outcome} | {r.included} |")
    starved = [r.system for r in results if r.cpu < 0.9 * r.seconds]
    notes = [
        f"Corpus: `python3 bench/make_corpus.py {corpus.relative_to(ROOT)} {size_mb:g}` (seed {SEED}, rows of "
        f"train/dev/extra_train.csv drawn with replacement): {ndocs:,} documents, {nbytes / 1e6:.1f} MB of text "
        f"(MB = 10^6 bytes of UTF-8 document text; JSON and CSV overhead not counted); {han_docs:,} documents "
        f"({han_bytes / 1e6:.1f} MB) contain Han characters.",
        f"Machine: {cpu_model or platform.processor()}, `nproc` {nproc}, load average (1, 5, 15 min) {load_start} "
        f"at the start and {loadavg()} at the end. Other processes (fuzzing, other benchmarks) may share the "
        "machine: a CPU-seconds figure well below the wall-clock seconds means the system waited for the core.",
        "One core: this Python process runs under `taskset -c 0` (affinity "
        f"{affinity}) with OMP/OPENBLAS/MKL/BLIS/NUMEXPR/RAYON thread counts at 1 (threadpoolctl: "
        f"{threads}); contentq runs as `taskset -c 0 contentq label … --threads 1`. Systems run one after "
        "the other, never two at once.",
        "Wall clock over the whole corpus, one timed run per system. Not timed: corpus generation, model "
        f"training (fastText supervised, wordNgrams 2, other settings default, thread 1, seed {SEED}, on "
        "train.csv; TF-IDF(1-2-grams, sublinear_tf, min_df 2) + LogisticRegression(max_iter 2000) on jieba-"
        "segmented train.csv), models stay in memory (no load time), jieba's dictionary load, spaCy start-up, "
        f"and a warm-up pass over the first {WARMUP} documents per system (contentq: a separate process on a "
        f"{WARMUP}-document file). The Python systems start from texts already parsed from the JSONL; contentq's "
        "time includes its own JSONL reading and CSV writing, and process start-up.",
        "fastText `predict` is called as `FastText.predict(text)` does it (the binding's `f.predict(line + "
        "\"\\n\", 1, 0.0, 'strict')`); the Python wrapper's `np.array(..., copy=False)` fails under numpy 2, so "
        "the wrapper body is inlined with `np.array(probs)`.",
        "datatrove: the filters' `filter(doc)` called directly in this process (no pipeline executor, no "
        "readers/writers, no exclusion writer, stats kept in memory). FineWeb applies them to English text "
        "only, after language identification; here they run on the whole mixed corpus. The English rows use "
        "datatrove's English tokenizer (spaCy `blank('en')` + sentencizer, no model download) for every "
        "document, including Chinese ones, as FineWeb's configuration would; the last row gives Han texts "
        "the Chinese tokenizer. Installed: datatrove, spaCy, regex (not the `processing` extra, whose "
        "fasttext-numpy2-wheel would replace the fastText module; NLTK is not used by these filters with "
        "datatrove's default tokenizer assignment). Network connections are refused inside this process, so "
        "nothing was downloaded while timing.",
        "Result column: share of documents labelled promotional (threshold 0.5 for TF-IDF, top label for "
        "fastText, contentq's own label) and agreement with the labels the corpus carries "
        f"({sum(truth) / ndocs:.0%} promotional), or the share kept by all four datatrove filters. A sanity check "
        "that each system ran, not a quality measure: the corpus is resampled from train, dev and extra_train, "
        "fastText and TF-IDF were trained on train.csv and contentq's embedded model on train and extra_train "
        "(models/training_set.py), so most rows are in-sample; fastText with the DCLM settings (5 epochs) underfits "
        "this small training set. bench/compare measures quality on held-out data.",
    ]
    if starved:
        notes.append("CPU time was under 90% of wall time for: " + ", ".join(starved)
                     + ". These numbers are likely slowed by other load on core 0.")
    doc = "\n\n".join([
        "# Throughput on one core: contentq beside fastText, TF-IDF + LR and datatrove's FineWeb filters",
        f"Command: `{os.environ.get('THROUGHPUT_CMD', 'bench/throughput')}` (output: this file, bench/out/throughput.md). "
        f"Finished {time.strftime('%Y-%m-%d %H:%M %Z')}, total {total / 60:.1f} min.",
        f"Versions: {versions}.",
        f"Corpus: {ndocs:,} documents, {nbytes / 1e6:.1f} MB of text. `nproc` {nproc}; load average at the start "
        f"{load_start}.",
        "\n".join(lines),
        "## Notes\n\n" + "\n".join(f"- {n}" for n in notes),
    ]) + "\n"
    (OUT / "throughput.md").write_text(doc, encoding="utf-8")
    sys.stdout.write(doc)
    log(f"done in {total:.0f} s; report in {OUT / 'throughput.md'}")


def threadpool_info() -> str:
    try:
        from threadpoolctl import threadpool_info as info
        pools = info()
        return ", ".join(f"{p.get('internal_api')} {p.get('num_threads')}" for p in pools) or "no native pools"
    except Exception as e:  # threadpoolctl comes with scikit-learn; report rather than fail
        return f"unavailable ({e})"


if __name__ == "__main__":
    import fasttext
    import jieba
    import numpy as np
    from datatrove.data import Document
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
                                            GopherRepetitionFilter)
    from datatrove.utils.typeshelper import Languages
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    main()
