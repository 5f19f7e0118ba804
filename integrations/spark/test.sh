#!/usr/bin/env bash
# The Spark test: installs pyspark in integrations/spark/.venv (first run only), then runs
# integrations/spark/test_spark.py in local mode. Skips, saying why, when Java or PyPI is not
# available; fails when Spark runs and the check fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=integrations/spark/.venv
PYSPARK_VERSION=4.3.0
if ! command -v java >/dev/null 2>&1; then
  echo "SKIPPED spark test: no java on PATH (Spark needs Java 17)"
  exit 0
fi
[ -x target/release/contentq ] || cargo build --release
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import pyspark" 2>/dev/null; then
  echo "spark test: installing pyspark into $VENV (first run only)"
  python3 -m venv "$VENV"
  if ! "$VENV/bin/pip" install -q "pyspark==$PYSPARK_VERSION" >"$VENV.install.log" 2>&1 &&
     ! "$VENV/bin/pip" install -q pyspark >>"$VENV.install.log" 2>&1; then
    echo "SKIPPED spark test: cannot install pyspark from PyPI (see $VENV.install.log)"
    exit 0
  fi
fi
"$VENV/bin/python" integrations/spark/test_spark.py "$@" 2> >(grep -v -E "WARN|WARNING|Setting default log level|To adjust logging level|Using incubator" >&2)
