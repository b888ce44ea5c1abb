#!/usr/bin/env bash
# Fuzzing campaign (issue 11: >= 10^7 executions per target without a
# finding; docs/reliability.md "Fuzzing"). Builds the libFuzzer targets
# (clang; ASan + UBSan in build-fuzz/, or UBSan only in build-fuzz-ubsan/),
# copies the committed corpus tests/fuzz/corpus/<target>/ to a scratch
# directory, runs each target in turn (one process at a time, no -jobs or
# -fork, under `nice -n 19`), merges the inputs that add coverage edges to
# the committed corpus into a scratch copy of it (-merge=1), prints per target
# the executions, exec/s, coverage, the number of such new inputs and the
# findings, and removes its scratch space on exit. Scratch files (corpus,
# the targets' own files) live on /dev/shm when it is writable: the output
# layer syncs every file and directory it publishes.
#
#   bench/fuzz.sh [-r RUNS | -t SECONDS] [-s asan|ubsan] [-o OUTDIR] [-n] [TARGET...]
#
#   -r RUNS     executions per target (libFuzzer -runs; the corpus replay at
#               start counts); default 100000
#   -t SECONDS  run each target this long instead (-max_total_time)
#   -s SET      asan (default): ASan + UBSan, leaks included; ubsan: UBSan
#               only (no memory-error or leak detection), ~2x the exec/s of
#               decode and roundtrip, for throughput next to an asan run
#   -o OUTDIR   keep the logs, the new inputs (OUTDIR/TARGET/new/) and any
#               crash reproducer in OUTDIR (default: only reproducers are
#               kept, in /tmp/dnastore-fuzz-findings)
#   -n          do not (re)build; use the binaries in $BUILD
#   TARGET      seq_reader header decode roundtrip (default: all four)
#
# Environment: BUILD (default build-fuzz, or build-fuzz-ubsan with -s ubsan),
# CC/CXX (default clang/clang++), FUZZ_ARGS (extra libFuzzer flags). Exit
# status 1 when any target had a finding (crash, leak, timeout, out of
# memory or a violated property).
#
# Examples:
#   bench/fuzz.sh -r 10000000 seq_reader header     # 10^7 executions each
#   bench/fuzz.sh -t 600 -o /tmp/fz decode          # 10 minutes, keep new inputs
#   bench/fuzz.sh -s ubsan -t 1800 decode roundtrip
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=100000
SECONDS_PER_TARGET=
OUTDIR=
BUILD_IT=1
SAN=asan
while getopts "r:t:s:o:nh" opt; do
  case $opt in
    r) RUNS=$OPTARG ;;
    t) SECONDS_PER_TARGET=$OPTARG ;;
    s) SAN=$OPTARG ;;
    o) OUTDIR=$OPTARG ;;
    n) BUILD_IT= ;;
    *) sed -n '2,36p' "$0"; exit 1 ;;
  esac
done
shift $((OPTIND - 1))
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(seq_reader header decode roundtrip)
case $SAN in
  asan) SANITIZERS=address,undefined; BUILD=${BUILD:-build-fuzz} ;;
  ubsan) SANITIZERS=undefined; BUILD=${BUILD:-build-fuzz-ubsan} ;;
  *) echo "-s: asan or ubsan" >&2; exit 1 ;;
esac
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

if [ -n "$BUILD_IT" ]; then
  CC=${CC:-clang} CXX=${CXX:-clang++} nice -n 10 cmake -S . -B "$BUILD" -DDNASTORE_FUZZ=ON \
    -DDNASTORE_FUZZ_SANITIZERS=$SANITIZERS -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  nice -n 10 cmake --build "$BUILD" -j2 --target $(printf 'fuzz_%s ' "${TARGETS[@]}") >/dev/null
fi

if [ -w /dev/shm ] && [ -x /dev/shm ]; then base=/dev/shm; else base=${TMPDIR:-/tmp}; fi
SCRATCH=$(mktemp -d "$base/dnastore-fuzz-XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
export TMPDIR=$SCRATCH/tmp  # the targets' scratch files (fuzz_util.h ScratchDir)
mkdir -p "$TMPDIR"
FINDINGS=${OUTDIR:-/tmp/dnastore-fuzz-findings}
if [ -n "$SECONDS_PER_TARGET" ]; then limit=(-max_total_time="$SECONDS_PER_TARGET"); else limit=(-runs="$RUNS"); fi

status=0
echo "sanitizers: $SANITIZERS ($BUILD)"
printf '%-12s %12s %9s %7s %8s %7s  %s\n' target executions exec/s cov ft new findings
for t in "${TARGETS[@]}"; do
  bin=$BUILD/tests/fuzz_$t
  [ -x "$bin" ] || { echo "$bin: not built" >&2; exit 1; }
  corpus=$SCRATCH/corpus/$t
  merged=$SCRATCH/merged/$t
  mkdir -p "$corpus" "$merged" "$SCRATCH/artifacts/$t"
  cp "$ROOT/tests/fuzz/corpus/$t"/* "$corpus/"
  cp "$ROOT/tests/fuzz/corpus/$t"/* "$merged/"
  log=$SCRATCH/$t.log
  rc=0
  # shellcheck disable=SC2086
  nice -n 19 "$bin" "$corpus" "${limit[@]}" -timeout=20 -print_final_stats=1 \
    -artifact_prefix="$SCRATCH/artifacts/$t/" ${FUZZ_ARGS:-} >"$log" 2>&1 || rc=$?
  # The run's inputs that add coverage (edges: -use_counters=0, so hit-count
  # buckets alone do not make an input new) to the committed corpus.
  nice -n 19 "$bin" -merge=1 -use_counters=0 "$merged" "$corpus" >"$SCRATCH/$t.merge.log" 2>&1 ||
    true
  new=$SCRATCH/new/$t
  mkdir -p "$new"
  for f in "$merged"/*; do
    [ -e "$ROOT/tests/fuzz/corpus/$t/$(basename "$f")" ] || cp "$f" "$new/"
  done
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  found=$(find "$SCRATCH/artifacts/$t" -type f | wc -l)
  what=none
  if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
    status=1
    what="$(grep -m1 -E 'ERROR: |PROPERTY VIOLATED' "$log" || echo "exit $rc")"
    mkdir -p "$FINDINGS/$t"
    cp "$SCRATCH/artifacts/$t"/* "$FINDINGS/$t/" 2>/dev/null || true
    cp "$log" "$FINDINGS/$t/"
    what="$what (reproducers and log in $FINDINGS/$t)"
  fi
  printf '%-12s %12s %9s %7s %8s %7s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
    "${ft:-?}" "$(find "$new" -type f | wc -l)" "$what"
  if [ -n "$OUTDIR" ]; then
    mkdir -p "$OUTDIR/$t"
    cp "$log" "$SCRATCH/$t.merge.log" "$OUTDIR/$t/"
    rm -rf "$OUTDIR/$t/new" && cp -r "$new" "$OUTDIR/$t/new"
  fi
done
exit $status
