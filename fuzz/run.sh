#!/usr/bin/env bash
# Fuzz every target for a bounded time each, on the stable toolchain.
#
#   fuzz/run.sh [SECONDS] [TARGET...]      (default: 60 s each, all targets)
#   fuzz/run.sh 120 model                  (one target)
#
# Targets (fuzz/fuzz_targets/*.rs): extract (feature extractor and normaliser), csv (CSV
# reader), jsonl (JSONL reader), model (model loader on mutated JSON text, then scoring with
# the loaded model), model_values (model loader on model files whose numbers, names and
# lexical entries the fuzzer chooses, then scoring).
#
# For each target it first replays the saved crash inputs tests/data/fuzz/<target>-* (and,
# for `model`, the real models/default.json), then fuzzes for SECONDS with libFuzzer, from
# the committed seeds fuzz/seeds/<target>/ and the growing, git-ignored corpus
# fuzz/corpus/<target>/. A crash input found while fuzzing is copied to
# tests/data/fuzz/<target>-crash-<sha1 prefix>, so it becomes a regression input from then on.
# Logs are in fuzz/artifacts/<target>.log. Exits 1 if any target crashed (in the replay or
# while fuzzing), 2 on a build or usage error. FUZZ_NO_BUILD=1 skips the build and fuzzes
# the binaries already in fuzz/target (say, while the library is mid-edit and won't compile).
#
# What it takes to run on stable Rust: cargo-fuzz builds with `-Zsanitizer=address` by
# default, which only a nightly compiler accepts, and this project's machines have only the
# stable toolchain. With `--sanitizer none` (`-s none`) cargo-fuzz passes no -Z flag at all:
# the SanitizerCoverage instrumentation libFuzzer needs comes from the stable flags
# `-C passes=sancov-module` and `-C llvm-args=...`, so no RUSTC_BOOTSTRAP is needed. What is lost is AddressSanitizer,
# which matters for unsafe code; contentq has no unsafe code, and panics, overflows (`-a`:
# debug assertions and overflow checks, in dependencies too), timeouts and out-of-memory are
# all still caught. Set FUZZ_SANITIZER=address on a machine with a nightly toolchain
# (e.g. `FUZZ_SANITIZER=address FUZZ_TOOLCHAIN=nightly fuzz/run.sh`) to get ASan back.
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${1:-60}
shift || true
ALL_TARGETS=(extract csv jsonl model model_values)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")
SANITIZER=${FUZZ_SANITIZER:-none}
TOOLCHAIN=${FUZZ_TOOLCHAIN:-stable}
REGRESSION_DIR=tests/data/fuzz

if ! [[ $SECONDS_EACH =~ ^[0-9]+$ ]] || [ "$SECONDS_EACH" -lt 1 ]; then
    echo "usage: fuzz/run.sh [SECONDS] [TARGET...]   (targets: ${ALL_TARGETS[*]})" >&2
    exit 2
fi
for t in "${TARGETS[@]}"; do
    if [ ! -f "fuzz/fuzz_targets/$t.rs" ]; then
        echo "fuzz/run.sh: no target '$t' (targets: ${ALL_TARGETS[*]})" >&2
        exit 2
    fi
done

# Options per target: the longest input to try, and the dictionary.
max_len() {
    case $1 in
        model) echo 32768 ;;
        *) echo 4096 ;;
    esac
}
dict() {
    case $1 in
        jsonl | model) echo "-dict=$ROOT/fuzz/json.dict" ;;
    esac
}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz (cargo install cargo-fuzz --locked)"
    cargo install cargo-fuzz --locked || exit 2
fi

FUZZ_FLAGS=(-s "$SANITIZER" -a) # -a: debug assertions and overflow checks
BUILD_TARGET=()
[ ${#TARGETS[@]} -eq 1 ] && BUILD_TARGET=("${TARGETS[0]}") # no target: all of them
mkdir -p fuzz/artifacts
if [ -n "${FUZZ_NO_BUILD:-}" ]; then
    echo "== FUZZ_NO_BUILD set: using the fuzz binaries already built"
else
    echo "== building (cargo +$TOOLCHAIN fuzz build ${FUZZ_FLAGS[*]} ${BUILD_TARGET[*]})"
    if ! cargo "+$TOOLCHAIN" fuzz build "${FUZZ_FLAGS[@]}" "${BUILD_TARGET[@]}" 2>fuzz/artifacts/build.log; then
        tail -40 fuzz/artifacts/build.log >&2
        echo "fuzz/run.sh: build failed (full log: fuzz/artifacts/build.log)" >&2
        exit 2
    fi
fi
BIN_DIR=fuzz/target/x86_64-unknown-linux-gnu/release

failed=()
summary=()
for t in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    log=fuzz/artifacts/$t.log
    : >"$log"
    status=ok

    # 1. Replay the saved crash inputs: each is run once.
    replay=()
    known=() # panic locations the saved inputs still reach: the bugs not fixed yet
    for f in "$REGRESSION_DIR/$t"-*; do
        [ -f "$f" ] && replay+=("$f")
    done
    [ "$t" = model ] && replay+=(models/default.json)
    if [ ${#replay[@]} -gt 0 ]; then
        echo "== $t: replaying ${#replay[@]} saved input(s)"
        for f in "${replay[@]}"; do
            out=$("$BIN_DIR/$t" -rss_limit_mb=4096 -timeout=60 "$f" 2>&1)
            rc=$?
            echo "$out" >>"$log"
            if [ $rc -ne 0 ]; then
                where=$(echo "$out" | grep -m1 -o 'panicked at [^ ]*' | cut -d' ' -f3 | sed 's/:$//')
                echo "   CRASH on saved input $f${where:+ (panic at $where)} (see $log)"
                known+=("${where:-?}")
                status=crash
            fi
        done
    fi

    # 2. Fuzz.
    echo "== $t: fuzzing for ${SECONDS_EACH}s"
    before=$(ls "fuzz/artifacts/$t" | sort)
    fuzz_start=$(wc -l <"$log")
    # The binary built above is run directly, not through `cargo fuzz run`, which would
    # rebuild (or fail to) whenever the sources change while the script runs.
    # shellcheck disable=SC2046
    "$BIN_DIR/$t" -artifact_prefix="fuzz/artifacts/$t/" \
        -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$t")" -timeout=20 \
        -rss_limit_mb=4096 -print_final_stats=1 $(dict "$t") \
        "fuzz/corpus/$t" "fuzz/seeds/$t" >>"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    if [ $rc -ne 0 ]; then
        status=crash
        # Keep every new crash, timeout or out-of-memory input as a regression input.
        new=$(comm -13 <(echo "$before") <(ls "fuzz/artifacts/$t" | sort))
        [ -z "$new" ] && status="failed (exit $rc, no crash input: see $log)"
        # ... unless it panics where a saved input already does (the same bug, not fixed yet).
        where=$(tail -n +"$((fuzz_start + 1))" "$log" | grep -m1 -o 'panicked at [^ ]*' | cut -d' ' -f3 | sed 's/:$//')
        for a in $new; do
            if [ -n "$where" ] && [[ " ${known[*]} " == *" $where "* ]]; then
                echo "   CRASH: panic at $where, as a saved input already does: not saved again" \
                    "(input: fuzz/artifacts/$t/$a)"
                continue
            fi
            kind=${a%%-*}
            hash=${a#*-}
            dest="$REGRESSION_DIR/$t-$kind-${hash:0:12}"
            mkdir -p "$REGRESSION_DIR"
            cp "fuzz/artifacts/$t/$a" "$dest"
            echo "   CRASH: input saved as $dest"
        done
        tail -n +"$((fuzz_start + 1))" "$log" | grep -m1 -A1 "panicked at" | cut -c1-300 | sed 's/^/   /'
    fi
    echo "   $t: $status, ${execs:-?} executions, coverage ${cov:-?}, corpus $(ls "fuzz/corpus/$t" | wc -l) inputs (log: $log)"
    summary+=("$t: $status, ${execs:-?} executions in ${SECONDS_EACH}s")
    [ "$status" = ok ] || failed+=("$t")
done

echo "== summary"
printf '   %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz/run.sh: crashes in: ${failed[*]} (inputs in $REGRESSION_DIR/)" >&2
    exit 1
fi
echo "fuzz/run.sh: no crashes"
