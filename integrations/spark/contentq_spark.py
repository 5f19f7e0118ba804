#!/usr/bin/env python3
"""Label a dataset with contentq on Apache Spark and write labeled Parquet.

Every partition is streamed through one `contentq label --stream` process (mapPartitions
around the binary): rows go in as JSON lines (id and text), one result line comes back per
row, in order, and is zipped with the row. The output keeps every input column and adds
`contentq_label`, `contentq_p_promotional`, `contentq_lang`, `contentq_boilerplate_ratio`,
`contentq_claim_density`, `contentq_reasons`, `contentq_truncated` and `contentq_error`
(set, with the other contentq columns null, when contentq could not read the row, e.g. a
null text).

Local mode:

    python3 integrations/spark/contentq_spark.py --master 'local[2]' \\
        --input data/ --input-format json --output labeled.parquet

A cluster: the same script, with the cluster's master URL; the binary is shipped to the
executors with the job (SparkContext.addFile), so it only needs to exist on the driver:

    spark-submit --master spark://HOST:7077 integrations/spark/contentq_spark.py \\
        --binary target/release/contentq --input s3a://bucket/docs/ --output s3a://bucket/labeled/

(`--master` is only needed when running the script with plain python; spark-submit sets it.)
"""
import argparse
import json
import os
import queue
import subprocess
import threading

CONTENTQ_COLUMNS = [
    ("contentq_label", "string"),
    ("contentq_p_promotional", "double"),
    ("contentq_lang", "string"),
    ("contentq_boilerplate_ratio", "double"),
    ("contentq_claim_density", "double"),
    ("contentq_reasons", "string"),
    ("contentq_truncated", "boolean"),
    ("contentq_error", "string"),
]
# Fields of contentq's JSONL output, in CONTENTQ_COLUMNS order (without the error column).
RESULT_FIELDS = ["label", "p_promotional", "lang", "boilerplate_ratio", "claim_density",
                 "reasons", "truncated"]


def label_partition(rows, binary, text_col, id_col, extra_args):
    """Stream one partition through a contentq process; yield each row with its result."""
    proc = subprocess.Popen(
        [binary, "label", "--stream", *extra_args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    # Rows written but not yet answered, in order. Bounded, so a partition never has to fit
    # in memory: the writer waits while the reader catches up.
    pending = queue.Queue(maxsize=4096)
    failure = []

    def feed():
        try:
            for row in rows:
                d = row.asDict()
                doc = {"text": d.get(text_col)}
                if id_col and d.get(id_col) is not None:
                    doc["id"] = str(d[id_col])
                pending.put(row)
                proc.stdin.write((json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8"))
            proc.stdin.close()
        except Exception as e:  # noqa: BLE001 - reported to the reader below
            failure.append(e)
            try:
                proc.stdin.close()
            except OSError:
                pass
        finally:
            pending.put(None)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    while True:
        row = pending.get()
        if row is None:
            break
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("contentq ended early: " + proc.stderr.read().decode("utf-8", "replace"))
        out = json.loads(line)
        if "error" in out:
            values = [None] * len(RESULT_FIELDS) + [out["error"]]
        else:
            values = [out.get(k) for k in RESULT_FIELDS] + [None]
        yield tuple(row) + tuple(values)
    writer.join()
    if failure:
        raise failure[0]
    if proc.wait() != 0:
        raise RuntimeError("contentq failed: " + proc.stderr.read().decode("utf-8", "replace"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", required=True, help="input path (directory or files)")
    ap.add_argument("--input-format", default="parquet", choices=["parquet", "json"],
                    help="parquet, or json for JSON lines (default parquet)")
    ap.add_argument("--output", required=True, help="output directory (Parquet)")
    ap.add_argument("--binary", default="target/release/contentq", help="the contentq binary")
    ap.add_argument("--text-column", default="text")
    ap.add_argument("--id-column", default="id", help="passed to contentq as the document id")
    ap.add_argument("--model", help="a model file for contentq (default: its embedded model)")
    ap.add_argument("--master", help="Spark master URL when not using spark-submit, e.g. local[2]")
    ap.add_argument("--partitions", type=int, help="repartition the input first")
    args = ap.parse_args()

    from pyspark import SparkFiles
    from pyspark.sql import SparkSession
    from pyspark.sql.types import BooleanType, DoubleType, StringType, StructField, StructType

    builder = SparkSession.builder.appName("contentq").config("spark.ui.showConsoleProgress", "false")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("ERROR")
    sc.addFile(os.path.abspath(args.binary))
    binary_name = os.path.basename(args.binary)
    extra = ["--text-column", "text", "--id-column", "id"]
    if args.model:
        sc.addFile(os.path.abspath(args.model))
        extra_model = os.path.basename(args.model)
    else:
        extra_model = None

    df = spark.read.parquet(args.input) if args.input_format == "parquet" else spark.read.json(args.input)
    if args.partitions:
        df = df.repartition(args.partitions)
    id_col = args.id_column if args.id_column in df.columns else None
    types = {"string": StringType(), "double": DoubleType(), "boolean": BooleanType()}
    schema = StructType(df.schema.fields + [StructField(n, types[t], True) for n, t in CONTENTQ_COLUMNS])

    text_col = args.text_column

    def run(rows):
        binary = SparkFiles.get(binary_name)
        os.chmod(binary, 0o755)
        more = list(extra)
        if extra_model:
            more += ["--model", SparkFiles.get(extra_model)]
        return label_partition(rows, binary, text_col, id_col, more)

    labeled = spark.createDataFrame(df.rdd.mapPartitions(run), schema)
    labeled.write.mode("overwrite").parquet(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
