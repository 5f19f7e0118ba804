#!/usr/bin/env bash
# The Slurm test: runs integrations/slurm/contentq-array.sbatch as a job array over a small
# generated dataset (7 JSONL files x 40 documents, N = 3 shards) and checks that the outputs
# hold every document exactly once, that every file has its .done marker, and that submitting
# the array again does nothing new. It also runs the filter subcommand as an array that does
# not start at 0 (--array=1-3) and merges the per-file stats.
#
# Where it runs, in this order:
#   1. a Slurm that is already there (sinfo answers): the array is submitted to it; the work
#      directory is then under the repository's target/ so that compute nodes can see it
#      (CONTENTQ_SLURM_TEST_SBATCH_ARGS adds sbatch options, e.g. "--partition=debug");
#   2. a single-node Slurm that this script sets up on localhost (root only): installs
#      slurm-wlm's daemons and munge with apt-get when they are missing (with a temporary
#      policy-rc.d so that the packages start no services), starts munged, slurmctld and
#      slurmd on free local ports with every file in a temporary directory (nothing written
#      under /etc), waits for the node to be idle, and stops the daemons it started on exit;
#   3. otherwise SIMULATED: the script is run N times with SLURM_ARRAY_* set by hand; the
#      checks are the same, and the run passes.
# The last line says REAL or SIMULATED with the counts.
#
# Environment:
#   CONTENTQ_SLURM_TEST=auto|real|sim   auto (default); real fails when no Slurm can be used;
#                                       sim skips Slurm altogether
#   CONTENTQ_SLURM_NO_INSTALL=1         never run apt-get (self-setup only with what is there)
#   CONTENTQ_SLURM_TEST_KEEP=1          keep the work directory (its path is printed)
#   CONTENTQ_SLURM_TEST_SBATCH_ARGS     extra sbatch options for an existing cluster
# shellcheck disable=SC2030,SC2031  # the SLURM_*/CONTENTQ_* exports in subshells are meant to be local
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SCRIPT=$HERE/contentq-array.sbatch
BIN=$REPO/target/release/contentq
MODE=${CONTENTQ_SLURM_TEST:-auto}
NFILES=7
NDOCS=40
N=3
T0=$SECONDS

log() { echo "slurm test: $*"; }
fail() {
  echo "slurm test: FAILED: $*" >&2
  exit 1
}

case "$MODE" in auto | real | sim) ;; *) fail "CONTENTQ_SLURM_TEST must be auto, real or sim" ;; esac
[ -x "$BIN" ] || (cd "$REPO" && cargo build --release)
[ -x "$BIN" ] || fail "no $BIN after cargo build --release"

WORK=""
DAEMON_PIDS=()     # munged, slurmctld, slurmd that this script started
POLICY_RC_MADE=""  # /usr/sbin/policy-rc.d when this script created it
SLURM_UP=""        # our own slurmctld answers
NODE_MEM_MB=0

stop_daemons() {
  if [ -n "$SLURM_UP" ]; then
    timeout 10 scancel --user "$(id -un)" >/dev/null 2>&1 || true
    timeout 10 scontrol shutdown >/dev/null 2>&1 || true
    SLURM_UP=""
  fi
  # Last started first: slurmd, slurmctld (asked to shut down above; TERM if they linger),
  # then munged, which they talk to while stopping.
  local pid i n
  for ((i = ${#DAEMON_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${DAEMON_PIDS[i]}
    [ "$i" = 0 ] && kill -TERM "$pid" 2>/dev/null
    for ((n = 0; n < 50; n++)); do
      kill -0 "$pid" 2>/dev/null || break
      [ "$n" = 25 ] && kill -TERM "$pid" 2>/dev/null
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
  done
  DAEMON_PIDS=()
}

cleanup() {
  local rc=$?
  set +e
  stop_daemons
  [ -n "$POLICY_RC_MADE" ] && rm -f "$POLICY_RC_MADE"
  if [ -n "$WORK" ]; then
    if [ -n "${CONTENTQ_SLURM_TEST_KEEP:-}" ] || [ "$rc" != 0 ]; then
      echo "slurm test: work directory kept: $WORK"
    else
      rm -rf "$WORK"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- which Slurm ----------------------------------------------------------------------------
KIND=""   # existing | selfsetup | sim
REASON=""

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p=$1
  while ! port_free "$p" || ! port_free "$((p + 1))"; do p=$((p + 2)); done
  echo "$p"
}

install_slurm() {
  # Bounded and optional: returns non-zero (with REASON set) rather than failing the test.
  if [ -n "${CONTENTQ_SLURM_NO_INSTALL:-}" ]; then
    REASON="slurmctld/slurmd/munged not installed and CONTENTQ_SLURM_NO_INSTALL is set"
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    REASON="slurmctld/slurmd/munged not installed and no apt-get"
    return 1
  fi
  local pkgs=(slurmctld slurmd slurm-client munge) aptlog=$WORK/apt.log t=$SECONDS
  log "installing ${pkgs[*]} with apt-get (bounded: about 2 minutes at most)"
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # Keep the packages' maintainer scripts from starting system-wide daemons.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d &&
      POLICY_RC_MADE=/usr/sbin/policy-rc.d
  fi
  local apt=(apt-get -q -o DPkg::Lock::Timeout=20)
  if ! apt-cache show slurmd >/dev/null 2>&1; then
    timeout 60 "${apt[@]}" update >>"$aptlog" 2>&1 || true
  fi
  if ! DEBIAN_FRONTEND=noninteractive timeout 100 "${apt[@]}" install -y --no-install-recommends \
    "${pkgs[@]}" >>"$aptlog" 2>&1; then
    # An old package list can name versions that are gone: refresh once and try again.
    timeout 60 "${apt[@]}" update >>"$aptlog" 2>&1 || true
    if ! DEBIAN_FRONTEND=noninteractive timeout 100 "${apt[@]}" install -y --no-install-recommends \
      "${pkgs[@]}" >>"$aptlog" 2>&1; then
      REASON="apt-get install ${pkgs[*]} failed ($(tail -n 1 "$aptlog"))"
      return 1
    fi
  fi
  [ -n "$POLICY_RC_MADE" ] && rm -f "$POLICY_RC_MADE" && POLICY_RC_MADE=""
  log "installed in $((SECONDS - t)) s"
}

setup_local_slurm() {
  # A single-node Slurm on 127.0.0.1, every file under $WORK/slurm.
  if [ "$(id -u)" != 0 ]; then
    REASON="not root, so no single-node Slurm can be set up here"
    return 1
  fi
  local c
  for c in slurmctld slurmd munged sbatch scontrol sinfo; do
    if ! command -v "$c" >/dev/null 2>&1; then
      install_slurm || return 1
      break
    fi
  done
  for c in slurmctld slurmd munged sbatch scontrol sinfo; do
    command -v "$c" >/dev/null 2>&1 || {
      REASON="$c still missing after the install"
      return 1
    }
  done

  local t=$SECONDS S=$WORK/slurm host cpus port
  mkdir -p "$S/state" "$S/spool"
  # munged wants every directory on its socket path to be searchable by all.
  chmod 711 "$WORK" "$S"
  host=$(hostname -s 2>/dev/null || hostname)
  cpus=$(nproc)
  NODE_MEM_MB=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 - 512))
  [ "$NODE_MEM_MB" -ge 256 ] || NODE_MEM_MB=256
  port=$(free_port $((16817 + ($$ % 500) * 2)))

  head -c 1024 /dev/urandom >"$S/munge.key"
  chmod 600 "$S/munge.key"
  munged -F --force --key-file="$S/munge.key" --socket="$S/munge.sock" \
    --pid-file="$S/munged.pid" --seed-file="$S/munged.seed" --log-file="$S/munged.log" \
    </dev/null >"$S/munged.out" 2>&1 &
  DAEMON_PIDS+=($!)

  cat >"$S/slurm.conf" <<EOF
# Written by integrations/slurm/test.sh: one node on localhost, no cgroups, no accounting.
ClusterName=contentqtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge.sock
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$NODE_MEM_MB State=UNKNOWN
PartitionName=contentq Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  cat >"$S/cgroup.conf" <<EOF
# Not used: proctrack/linuxproc and task/none load no cgroup plugin.
CgroupAutomount=no
EOF
  export SLURM_CONF=$S/slurm.conf

  # munged first, then the controller, then the node daemon.
  local i
  for i in $(seq 1 50); do [ -S "$S/munge.sock" ] && break; sleep 0.2; done
  if [ ! -S "$S/munge.sock" ]; then
    REASON="munged did not start ($(tail -n 1 "$S/munged.out" 2>/dev/null))"
    stop_daemons
    unset SLURM_CONF
    return 1
  fi
  slurmctld -D -f "$S/slurm.conf" </dev/null >"$S/slurmctld.out" 2>&1 &
  DAEMON_PIDS+=($!)
  SLURM_UP=1
  slurmd -D -f "$S/slurm.conf" -N "$host" </dev/null >"$S/slurmd.out" 2>&1 &
  DAEMON_PIDS+=($!)

  local state="" dead="" names=(munged slurmctld slurmd)
  for i in $(seq 1 60); do
    state=$(timeout 5 sinfo -h -N -o %t 2>/dev/null | head -n 1 || true)
    case "$state" in idle | mix | alloc) break ;; esac
    for c in 0 1 2; do
      kill -0 "${DAEMON_PIDS[c]}" 2>/dev/null || dead=${names[c]}
    done
    [ -z "$dead" ] || break
    sleep 1
  done
  case "$state" in
    idle | mix | alloc) ;;
    *)
      local why
      # The first error that is not one of the harmless start-up ones (no PMIx, no state yet).
      why=$(cat "$S/${dead:-slurmd}.out" "$S"/*.out "$S"/*.log 2>/dev/null | grep -i -E 'error|fatal' |
        grep -v -i -E 'pmix|MPI:|state file|NOTE:|MailProg' | head -n 1)
      if [ -n "$dead" ]; then
        REASON="$dead of the local Slurm exited at start (${why:-see $S})"
      else
        REASON="the local Slurm did not come up within 60 s (node state '${state:-none}'${why:+; $why})"
      fi
      stop_daemons
      unset SLURM_CONF
      return 1
      ;;
  esac
  log "single-node Slurm $(sinfo -V 2>/dev/null | awk '{print $2}') up on 127.0.0.1:$port" \
    "(node $host, $cpus CPUs, ${NODE_MEM_MB} MB) in $((SECONDS - t)) s"
}

if [ "$MODE" = sim ]; then
  KIND=sim
  REASON="CONTENTQ_SLURM_TEST=sim"
elif command -v sinfo >/dev/null 2>&1 && timeout 10 sinfo -h >/dev/null 2>&1; then
  KIND=existing
  mkdir -p "$REPO/target"
  WORK=$(mktemp -d "$REPO/target/slurm-test.XXXXXX")
  log "using the Slurm that is already running (cluster $(timeout 10 scontrol show config 2>/dev/null |
    awk '$1 == "ClusterName" {print $3}'))"
fi
[ -n "$WORK" ] || WORK=$(mktemp -d "${TMPDIR:-/tmp}/contentq-slurm-test.XXXXXX")
if [ -z "$KIND" ]; then
  if setup_local_slurm; then
    KIND=selfsetup
  else
    [ "$MODE" = real ] && fail "CONTENTQ_SLURM_TEST=real but no Slurm can be used: $REASON"
    KIND=sim
  fi
fi
SETUP_S=$((SECONDS - T0))

# --- the dataset ------------------------------------------------------------------------------
DATA=$WORK/data
mkdir -p "$DATA" "$WORK/logs"
informative=(
  "Regular physical activity lowers blood pressure and improves sleep quality in most adults."
  "Washing hands with soap for twenty seconds removes most germs that cause colds."
  "The influenza vaccine is updated every year because the circulating strains change."
  "Adults need between seven and nine hours of sleep a night, according to sleep researchers."
  "Dietary fibre from whole grains, beans and vegetables supports healthy digestion."
  "High blood sugar over many years can damage the small blood vessels of the eyes and kidneys."
  "Sunscreen with a high protection factor reduces the risk of skin cancer when applied often."
  "Drinking water instead of sugary drinks helps to keep teeth and weight healthy."
)
promotional=(
  "BUY NOW! This miracle supplement melts belly fat overnight, doctors hate it! 70% off today only!"
  "Click here to order the secret detox tea that cures diabetes in 7 days, limited stock, free shipping!"
  "Amazing breakthrough pill boosts your immune system 500%! Order today and get a second bottle FREE!"
)
ids_expected=$WORK/ids.expected
: >"$ids_expected"
for ((f = 0; f < NFILES; f++)); do
  for ((d = 0; d < NDOCS; d++)); do
    id="part$f-doc$d"
    if ((d % 5 == 4)); then
      text=${promotional[$(((f + d) % ${#promotional[@]}))]}
    else
      text="${informative[$(((f * 3 + d) % ${#informative[@]}))]} (note $f.$d)"
    fi
    printf '{"id": "%s", "text": "%s"}\n' "$id" "$text"
    echo "$id" >>"$ids_expected"
  done >"$DATA/part-$f.jsonl"
done
sort -o "$ids_expected" "$ids_expected"
TOTAL=$((NFILES * NDOCS))
log "dataset: $NFILES files x $NDOCS documents in $DATA"

# --- running the array ---------------------------------------------------------------------
# run_array NAME FIRST_ID CMD OUT [extra contentq args...]: runs the array FIRST_ID..FIRST_ID+N-1
# with CONTENTQ_CMD=CMD; the task logs go to $WORK/logs/NAME/.
SBATCH_EXTRA=()
if [ "$KIND" = existing ] && [ -n "${CONTENTQ_SLURM_TEST_SBATCH_ARGS:-}" ]; then
  read -r -a SBATCH_EXTRA <<<"$CONTENTQ_SLURM_TEST_SBATCH_ARGS"
fi
if [ "$KIND" = selfsetup ]; then
  # The script's defaults (2 CPUs, 1G) on a node smaller than that would never be scheduled.
  [ "$(nproc)" -ge 2 ] || SBATCH_EXTRA+=(--cpus-per-task=1)
  [ "$NODE_MEM_MB" -ge 1100 ] || SBATCH_EXTRA+=(--mem=$((NODE_MEM_MB / 2))M)
fi

run_array() {
  local name=$1 first=$2 cmd=$3 out=$4
  shift 4
  local logs=$WORK/logs/$name last=$((first + N - 1)) rc=0 k
  mkdir -p "$logs"
  if [ "$KIND" = sim ]; then
    for ((k = first; k <= last; k++)); do
      (
        cd "$logs"
        export SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_MIN=$first SLURM_ARRAY_TASK_MAX=$last \
          SLURM_ARRAY_TASK_COUNT=$N SLURM_CPUS_PER_TASK=2 CONTENTQ_CMD=$cmd
        bash "$SCRIPT" "$DATA" "$out" "$@" >"contentq-sim_$k.out" 2>&1
      ) || rc=$?
    done
  else
    (
      cd "$logs"
      export CONTENTQ_CMD=$cmd
      timeout 90 sbatch --parsable --wait "--array=$first-$last" "${SBATCH_EXTRA[@]}" \
        "$SCRIPT" "$DATA" "$out" "$@" >sbatch.out 2>sbatch.err
    ) || rc=$?
    if [ "$rc" = 124 ]; then
      timeout 10 scancel "$(head -n 1 "$logs/sbatch.out" | cut -d';' -f1)" 2>/dev/null || true
      echo "slurm test: the array did not finish within 90 s; squeue:" >&2
      timeout 10 squeue >&2 || true
    fi
  fi
  if [ "$rc" != 0 ]; then
    echo "slurm test: array '$name' failed with exit code $rc; its logs:" >&2
    tail -n 20 "$logs"/* >&2 || true
    if [ "$KIND" = selfsetup ]; then tail -n 20 "$WORK/slurm/slurmd.log" >&2 || true; fi
    return 1
  fi
  local nlogs
  nlogs=$(find "$logs" -name '*.out' ! -name sbatch.out | wc -l)
  [ "$nlogs" = "$N" ] || fail "array '$name': $nlogs task logs in $logs, expected $N"
}

# skipped_total LOGDIR: how many files the tasks' contentq summary lines say were skipped as done.
skipped_total() { cat "$1"/*.out | sed -n 's/.* \([0-9][0-9]*\) skipped as done.*/\1/p' | awk '{s += $1} END {print s + 0}'; }
# processed_total LOGDIR: documents the tasks' contentq summary lines say were labeled/filtered.
processed_total() { cat "$1"/*.out | sed -n 's/^contentq: \(labeled\|filtered\) \([0-9][0-9]*\) documents.*/\2/p' | awk '{s += $1} END {print s + 0}'; }
snapshot() { (cd "$1" && find . -type f -printf '%p %s %T@\n' | sort && find . -type f -exec md5sum {} + | sort); }

# check_once OUT PATTERN: every expected id exactly once across OUT/PATTERN; sets DUPS and LOST.
check_once() {
  local out=$1 pattern=$2 got=$WORK/ids.got
  # shellcheck disable=SC2086
  (cd "$out" && cat $pattern) | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | sort >"$got"
  DUPS=$(uniq -d "$got" | wc -l)
  LOST=$(comm -23 "$WORK/ids.expected" <(uniq "$got") | wc -l)
  local extra
  extra=$(comm -13 "$WORK/ids.expected" <(uniq "$got") | wc -l)
  [ "$DUPS" = 0 ] || fail "$DUPS documents appear more than once in $out/$pattern (e.g. $(uniq -d "$got" | head -n 3 | tr '\n' ' '))"
  [ "$LOST" = 0 ] || fail "$LOST documents are missing from $out/$pattern (e.g. $(comm -23 "$WORK/ids.expected" <(uniq "$got") | head -n 3 | tr '\n' ' '))"
  [ "$extra" = 0 ] || fail "$extra unexpected ids in $out/$pattern"
  [ "$(wc -l <"$got")" = "$TOTAL" ] || fail "$(wc -l <"$got") records in $out/$pattern, expected $TOTAL"
}

# 1. label, --array=0-2
T1=$SECONDS
OUT=$WORK/out-label
if [ "$KIND" != sim ] && ! command -v contentq >/dev/null 2>&1; then
  unset CONTENTQ_BIN   # the script must find the repository's binary by itself
else
  export CONTENTQ_BIN=$BIN
fi
run_array label 0 label "$OUT" || fail "the label array failed"
LABEL_S=$((SECONDS - T1))
check_once "$OUT" '*.labeled.jsonl'
ndone=$(find "$OUT" -maxdepth 1 -name '*.done' | wc -l)
[ "$ndone" = "$NFILES" ] || fail "$ndone .done markers in $OUT, expected $NFILES"
nout=$(find "$OUT" -maxdepth 1 -name '*.labeled.jsonl' | wc -l)
[ "$nout" = "$NFILES" ] || fail "$nout .labeled.jsonl files in $OUT, expected $NFILES"
[ "$(processed_total "$WORK/logs/label")" = "$TOTAL" ] ||
  fail "the tasks' summaries count $(processed_total "$WORK/logs/label") labeled documents, expected $TOTAL"
shards_seen=$(cat "$WORK/logs/label"/*.out | sed -n 's/^contentq-array: .* --shard \([0-9]*\/[0-9]*\) .*/\1/p' | sort -u | tr '\n' ' ')
[ "$shards_seen" = "0/3 1/3 2/3 " ] || fail "the tasks ran shards '$shards_seen', expected 0/3 1/3 2/3"
bin_used=$(sed -n 's/^contentq-array: \(\/[^ ]*contentq\) .*/\1/p' "$WORK/logs/label"/*.out | head -n 1)
[ "$(realpath "$bin_used")" = "$(realpath "$BIN")" ] || fail "the tasks ran '$bin_used', expected $BIN"
log "label array: $NFILES files, $TOTAL documents, $N shards, $ndone done markers, in $LABEL_S s"

# 2. the same array again: everything is done, nothing is rewritten
T2=$SECONDS
before=$(snapshot "$OUT")
run_array label-again 0 label "$OUT" || fail "the resubmitted label array failed"
AGAIN_S=$((SECONDS - T2))
[ "$(snapshot "$OUT")" = "$before" ] || fail "resubmitting changed $OUT"
[ "$(skipped_total "$WORK/logs/label-again")" = "$NFILES" ] ||
  fail "resubmitted: the tasks skipped $(skipped_total "$WORK/logs/label-again") files as done, expected $NFILES"
[ "$(processed_total "$WORK/logs/label-again")" = 0 ] || fail "resubmitted: the tasks labeled documents again"
log "resubmitted: all $NFILES files skipped as done, outputs untouched, in $AGAIN_S s"

# 3. filter with an array that starts at 1, then stats merge
T3=$SECONDS
FOUT=$WORK/out-filter
export CONTENTQ_BIN=$BIN
run_array filter 1 filter "$FOUT" --keep informative || fail "the filter array failed"
FILTER_S=$((SECONDS - T3))
check_once "$FOUT" '*.kept.jsonl *.rejected.jsonl'
nstats=$(find "$FOUT" -maxdepth 1 -name '*.stats.json' | wc -l)
[ "$nstats" = "$NFILES" ] || fail "$nstats .stats.json files in $FOUT, expected $NFILES"
"$BIN" stats merge "$FOUT"/*.stats.json -o "$WORK/merged.json" 2>/dev/null
field() { sed -n "s/^  \"$1\": \\([0-9]*\\).*/\\1/p" "$WORK/merged.json"; }
[ "$(field input_records)" = "$TOTAL" ] || fail "merged stats: input_records $(field input_records), expected $TOTAL"
[ "$(($(field kept) + $(field rejected)))" = "$TOTAL" ] || fail "merged stats: kept + rejected != $TOTAL"
if [ "$(field kept)" = 0 ] || [ "$(field rejected)" = 0 ]; then
  fail "merged stats: expected some kept and some rejected documents"
fi
log "filter array (--array=1-3): kept $(field kept), rejected $(field rejected); stats merge of $nstats files sums to $TOTAL, in $FILTER_S s"

# 4. an array with holes is refused before contentq runs
rc=0
(
  cd "$WORK/logs"
  SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=4 SLURM_ARRAY_TASK_COUNT=3 \
    CONTENTQ_BIN=$BIN bash "$SCRIPT" "$DATA" "$WORK/out-holes" >holes.out 2>&1
) || rc=$?
[ "$rc" = 64 ] || fail "an array with holes (0-4:2) should exit 64, got $rc"
[ ! -e "$WORK/out-holes" ] || fail "an array with holes wrote $WORK/out-holes"

if [ "$KIND" = sim ]; then
  echo "SIMULATED: no Slurm on this machine ($REASON); the array script was run with SLURM_ARRAY_* set by hand"
fi
case "$KIND" in
  existing) how="REAL (existing Slurm cluster)" ;;
  selfsetup) how="REAL (single-node Slurm set up by this test)" ;;
  sim) how="SIMULATED (no Slurm: $REASON)" ;;
esac
echo "$how: files $NFILES, documents $TOTAL, shards $N, duplicates $DUPS, lost $LOST, done markers $ndone, resubmit changed 0; setup ${SETUP_S} s, label ${LABEL_S} s, resubmit ${AGAIN_S} s, filter ${FILTER_S} s, total $((SECONDS - T0)) s"
