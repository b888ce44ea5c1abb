#!/usr/bin/env bash
# Runs the dt4dds benchmark workflows (Gimpel et al., fml-ethz/dt4dds-benchmark:
# workflow_bestcase, workflow_worstcase, workflow_errorgenerator) against
# dnastore, and, for the same points, dnastore's own simulator presets
# dt4dds-bestcase / dt4dds-worstcase.
#
#   DT4DDS_DIR=/path/to/dt4dds-checkout bash bench/dt4dds_benchmark.sh [FILE]
#
# dt4dds (GPL) is not part of this repository: bench/dt4dds_workflow.py imports
# it from $DT4DDS_DIR. Without DT4DDS_DIR, or when dt4dds cannot be imported,
# this script says why and exits 0. dt4dds needs numpy, scipy, numba, pandas,
# PyYAML, biopython, tqdm and rich (Debian: python3-numpy python3-scipy
# python3-numba python3-pandas python3-yaml python3-biopython python3-tqdm
# python3-rich).
#
# FILE (default: SIZE random bytes) is encoded with `dnastore encode`. With
# DESIGN=payload (default) the pool is encoded with the benchmark's primers
# (ACACGACGCTCTTCCGATCT, AGACGTGTGCTCTTCCGATCT) and only the payloads are given
# to dt4dds, which attaches those primers after synthesis, as it does for the
# benchmark's codecs: the molecules are then exactly our oligos, and the reads
# (which start after the sequencing primers, whose 3' ends are these primers)
# hold no primer. With DESIGN=whole the default pool's whole oligos (our own
# primers included) are the design and dt4dds nests its primers around them.
#
# Every point: simulate, then `dnastore decode --paired R1 R2`; success = exit 0
# and the output equals FILE. Sweeps (SWEEPS, default "depth pr"):
#   depth     sequencing depth DEPTHS at physical redundancy PR_FIXED
#   pr        physical redundancy (initial_coverage) PRS at depth DEPTH_FIXED
#   errorgen  the benchmark's error generator, one error type at a time
#             (ERRORGEN_RATES, coverage ERRORGEN_COVERAGE), decoded single-end
# Code rate = file bits / (oligos x payload nt), primers excluded; density per
# gram at a PR: EB/g = 113.7 x code rate / PR (the benchmark's figure).
#
# Environment (defaults): DNASTORE (build/cli/dnastore), PYTHON (the first of
# python3, /usr/bin/python3 that imports dt4dds), WORKFLOWS ("bestcase
# worstcase"), DEPTHS ("1 2 3 4 5 6 8 10 15 20 30"), PR_FIXED (50), PRS ("1 2
# 3 5 7 10 15 20 30 50"), DEPTH_FIXED (30), SEEDS (1), SIZE (19000), DESIGN
# (payload), PAYLOAD_NT (150), OUR_SIM (paired: also run `dnastore simulate
# --paired`; single: single-end; both; none), THREADS (2), TIMEOUT (900 s per
# step), ENCODE_ARGS (extra encode options, e.g. "--preset robust"),
# DECODE_ARGS (extra decode options), ERRORGEN_RATES
# ("substitutions=0.02,0.04,0.06,0.08,0.10 deletions=0.02,0.04,0.06,0.08,0.10
# insertions=0.02,0.04,0.06,0.08"), ERRORGEN_COVERAGE (30), RESULTS (also
# write the TSV there), KEEP (1: keep the scratch directory).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

if [ -z "${DT4DDS_DIR:-}" ]; then
  echo "dt4dds_benchmark: skipped: DT4DDS_DIR is not set (point it at a dt4dds checkout, the directory holding the dt4dds package)" >&2
  exit 0
fi
if [ ! -d "$DT4DDS_DIR" ]; then
  echo "dt4dds_benchmark: skipped: DT4DDS_DIR=$DT4DDS_DIR is not a directory" >&2
  exit 0
fi
export DT4DDS_DIR

DNASTORE=${DNASTORE:-$ROOT/build/cli/dnastore}
WORKFLOWS=${WORKFLOWS:-bestcase worstcase}
DEPTHS=${DEPTHS:-1 2 3 4 5 6 8 10 15 20 30}
PR_FIXED=${PR_FIXED:-50}
PRS=${PRS:-1 2 3 5 7 10 15 20 30 50}
DEPTH_FIXED=${DEPTH_FIXED:-30}
SEEDS=${SEEDS:-1}
SIZE=${SIZE:-19000}
DESIGN=${DESIGN:-payload}
PAYLOAD_NT=${PAYLOAD_NT:-150}
OUR_SIM=${OUR_SIM:-paired}
THREADS=${THREADS:-2}
TIMEOUT=${TIMEOUT:-900}
ENCODE_ARGS=${ENCODE_ARGS:-}
DECODE_ARGS=${DECODE_ARGS:-}
SWEEPS=${SWEEPS:-depth pr}
ERRORGEN_RATES=${ERRORGEN_RATES:-substitutions=0.02,0.04,0.06,0.08,0.10 deletions=0.02,0.04,0.06,0.08,0.10 insertions=0.02,0.04,0.06,0.08}
ERRORGEN_COVERAGE=${ERRORGEN_COVERAGE:-30}
FWD=ACACGACGCTCTTCCGATCT
REV=AGACGTGTGCTCTTCCGATCT

# A Python that imports dt4dds (Debian's packages live in /usr/bin/python3).
import_error=""
if [ -z "${PYTHON:-}" ]; then
  for py in python3 /usr/bin/python3; do
    command -v "$py" >/dev/null 2>&1 || continue
    if err=$(cd /tmp && PYTHONPATH="$DT4DDS_DIR${PYTHONPATH:+:$PYTHONPATH}" NUMBA_CACHE_DIR=/tmp/dt4dds-numba-cache \
             "$py" -c 'import dt4dds' 2>&1); then
      PYTHON=$py; break
    fi
    import_error="$py: $(printf '%s\n' "$err" | tail -1)"
  done
elif ! err=$(cd /tmp && PYTHONPATH="$DT4DDS_DIR${PYTHONPATH:+:$PYTHONPATH}" NUMBA_CACHE_DIR=/tmp/dt4dds-numba-cache \
             "$PYTHON" -c 'import dt4dds' 2>&1); then
  import_error="$PYTHON: $(printf '%s\n' "$err" | tail -1)"
  PYTHON=""
fi
if [ -z "${PYTHON:-}" ]; then
  echo "dt4dds_benchmark: skipped: dt4dds cannot be imported from DT4DDS_DIR=$DT4DDS_DIR ($import_error)" >&2
  echo "dt4dds_benchmark: it needs python3-numpy python3-scipy python3-numba python3-pandas python3-yaml python3-biopython python3-tqdm python3-rich" >&2
  exit 0
fi
if [ ! -x "$DNASTORE" ]; then
  echo "dt4dds_benchmark: $DNASTORE is not built (set DNASTORE)" >&2
  exit 2
fi
case "$DESIGN" in payload|whole) ;; *) echo "dt4dds_benchmark: DESIGN must be payload or whole" >&2; exit 1;; esac
case "$OUR_SIM" in paired|single|both|none) ;; *) echo "dt4dds_benchmark: OUR_SIM must be paired, single, both or none" >&2; exit 1;; esac

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/dt4dds-bench.XXXXXX")
# The results so far reach $RESULTS even when a step aborts the run.
cleanup() {
  if [ -n "${RESULTS:-}" ] && [ -f "$SCRATCH/results.tsv" ]; then cp "$SCRATCH/results.tsv" "$RESULTS"; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "dt4dds_benchmark: scratch kept in $SCRATCH" >&2; else rm -rf "$SCRATCH"; fi
}
trap cleanup EXIT
export NUMBA_CACHE_DIR="$SCRATCH/numba-cache"

# --- the file and its pool ---------------------------------------------------
if [ $# -ge 1 ]; then
  INPUT=$(realpath "$1")
else
  INPUT=$SCRATCH/input.bin
  head -c "$SIZE" /dev/urandom > "$INPUT"
fi
POOL=$SCRATCH/pool.fasta
# shellcheck disable=SC2086
if [ "$DESIGN" = payload ]; then
  "$DNASTORE" encode "$INPUT" -o "$POOL" --json "$SCRATCH/encode.json" -q -t "$THREADS" \
    --primers "$FWD,$REV" --oligo-length $((PAYLOAD_NT + ${#FWD} + ${#REV})) $ENCODE_ARGS
else
  "$DNASTORE" encode "$INPUT" -o "$POOL" --json "$SCRATCH/encode.json" -q -t "$THREADS" $ENCODE_ARGS
fi
read -r N_OLIGOS P_NT FILE_BYTES FWD_LEN REV_LEN < <("$PYTHON" -c '
import json, sys
e = json.load(open(sys.argv[1]))
print(e["oligos"]["total"], e["payload_nt"], e["file_size"], len(e["primers"][0]), len(e["primers"][1]))' "$SCRATCH/encode.json")
CODE_RATE=$("$PYTHON" -c "print(f'{$FILE_BYTES*8/($N_OLIGOS*$P_NT):.4f}')")

DESIGN_TXT=$SCRATCH/design.txt
if [ "$DESIGN" = payload ]; then
  # strip the benchmark primers, which dt4dds attaches again after synthesis
  REV_RC=$(printf '%s' "$REV" | rev | tr ACGT TGCA)
  awk -v f="$FWD" -v r="$REV_RC" '
    /^>/ { next }
    { if (substr($0, 1, length(f)) != f || substr($0, length($0) - length(r) + 1) != r) { bad++; next }
      print substr($0, length(f) + 1, length($0) - length(f) - length(r)) }
    END { if (bad) { print bad " oligos lack the primers" > "/dev/stderr"; exit 1 } }' "$POOL" > "$DESIGN_TXT"
else
  awk '!/^>/' "$POOL" > "$DESIGN_TXT"
fi
echo "dt4dds_benchmark: $(basename "$INPUT") ($FILE_BYTES bytes) -> $N_OLIGOS oligos, payload $P_NT nt (primers $FWD_LEN + $REV_LEN), code rate $CODE_RATE bits/nt, design $DESIGN; python $PYTHON; dnastore $DNASTORE" >&2

# --- one point -------------------------------------------------------------------
now() { date +%s.%N; }
elapsed() { "$PYTHON" -c "print(f'{$2-$1:.2f}')"; }
RESULTS_TSV=$SCRATCH/results.tsv
printf 'workflow\tsimulator\tPR\tdepth\tseed\tstatus\tdecode_s\tsim_s\toligos\tcodewords_failed\tpayload_nt_est\tmargin\tcode_rate\tEB_per_g\n' > "$RESULTS_TSV"

# decode_point WORKFLOW SIMULATOR PR DEPTH SEED SIM_SECONDS DECODE-INPUTS...
decode_point() {
  local wf=$1 sim=$2 pr=$3 depth=$4 seed=$5 sim_s=$6; shift 6
  local out=$SCRATCH/out.bin rep=$SCRATCH/report.json t0 t1 rc=0 status
  rm -f "$out" "$rep"
  t0=$(now)
  # shellcheck disable=SC2086
  timeout "$TIMEOUT" "$DNASTORE" decode "$@" -o "$out" -f -q -t "$THREADS" --report "$rep" $DECODE_ARGS \
    2> "$SCRATCH/decode.err" || rc=$?
  t1=$(now)
  case $rc in
    0) if cmp -s "$out" "$INPUT"; then status=ok; else status=WRONG; fi ;;
    3) status=fail ;;
    124) status=timeout ;;
    *) status="error$rc" ;;
  esac
  local fields="-	-	-	-"
  if [ -s "$rep" ]; then
    fields=$("$PYTHON" -c '
import json, sys
r = json.load(open(sys.argv[1]))
g = lambda k, d=r: str(d.get(k, "-"))
fe = r.get("front_end", {})
print("\t".join([g("oligos_present") + "/" + g("oligos_expected"), g("codewords_failed") + "/" + g("codewords"),
                 g("payload_nt_estimated", fe), g("min_parity_margin")]))' "$rep")
  fi
  local ebg=-
  [ "$pr" = - ] || ebg=$("$PYTHON" -c "print(f'{113.7*$CODE_RATE/$pr:.1f}')")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$wf" "$sim" "$pr" "$depth" "$seed" "$status" \
    "$(elapsed "$t0" "$t1")" "$sim_s" "$fields" "$CODE_RATE" "$ebg" | tee -a "$RESULTS_TSV"
  if [ "$status" != ok ] && [ -s "$SCRATCH/decode.err" ]; then
    grep -E 'oligos|error:' "$SCRATCH/decode.err" | sed 's/^/    # /' >&2 || true
  fi
}

# run_point WORKFLOW PR DEPTH SEED: dt4dds, then our simulator, each decoded
run_point() {
  local wf=$1 pr=$2 depth=$3 seed=$4 d=$SCRATCH/reads t0 t1 rc=0
  rm -rf "$d"; mkdir -p "$d"
  t0=$(now)
  timeout "$TIMEOUT" "$PYTHON" "$HERE/dt4dds_workflow.py" "$DESIGN_TXT" "$d" --workflow "$wf" \
    --initial-coverage "$pr" --sequencing-depth "$depth" --seed "$seed" -q > "$d/summary.json" 2> "$d/sim.err" || rc=$?
  t1=$(now)
  if [ $rc = 0 ]; then
    decode_point "$wf" dt4dds "$pr" "$depth" "$seed" "$(elapsed "$t0" "$t1")" --paired "$d/R1.fq.gz" "$d/R2.fq.gz"
  else
    printf '%s\tdt4dds\t%s\t%s\t%s\tsim-%s\t-\t%s\t-\t-\t-\t-\t%s\t-\n' "$wf" "$pr" "$depth" "$seed" \
      "$([ $rc = 124 ] && echo timeout || echo error)" "$(elapsed "$t0" "$t1")" "$CODE_RATE" | tee -a "$RESULTS_TSV"
    tail -3 "$d/sim.err" | sed 's/^/    # /' >&2
  fi
  rm -rf "$d"; mkdir -p "$d"
  local mode
  for mode in paired single; do
    [ "$OUR_SIM" = "$mode" ] || [ "$OUR_SIM" = both ] || continue
    rc=0
    t0=$(now)
    if [ $mode = paired ]; then
      timeout "$TIMEOUT" "$DNASTORE" simulate "$POOL" -o "$d/R1.fq.gz" "$d/R2.fq.gz" --paired --preset "dt4dds-$wf" \
        --coverage "$depth" --physical-redundancy "$pr" --seed "$seed" -t "$THREADS" -q -f 2> "$d/sim.err" || rc=$?
    else
      timeout "$TIMEOUT" "$DNASTORE" simulate "$POOL" -o "$d/r.fq.gz" --preset "dt4dds-$wf" \
        --coverage "$depth" --physical-redundancy "$pr" --seed "$seed" -t "$THREADS" -q -f 2> "$d/sim.err" || rc=$?
    fi
    t1=$(now)
    if [ $rc != 0 ]; then
      printf '%s\tdnastore-%s\t%s\t%s\t%s\tsim-error%s\t-\t%s\t-\t-\t-\t-\t%s\t-\n' "$wf" "$mode" "$pr" "$depth" "$seed" \
        "$rc" "$(elapsed "$t0" "$t1")" "$CODE_RATE" | tee -a "$RESULTS_TSV"
    elif [ $mode = paired ]; then
      decode_point "$wf" dnastore-paired "$pr" "$depth" "$seed" "$(elapsed "$t0" "$t1")" --paired "$d/R1.fq.gz" "$d/R2.fq.gz"
    else
      decode_point "$wf" dnastore-single "$pr" "$depth" "$seed" "$(elapsed "$t0" "$t1")" "$d/r.fq.gz"
    fi
    rm -rf "$d"; mkdir -p "$d"
  done
}

# run_errorgen TYPE RATE SEED: the benchmark's error generator on the design
run_errorgen() {
  local type=$1 rate=$2 seed=$3 d=$SCRATCH/reads t0 t1 rc=0
  rm -rf "$d"; mkdir -p "$d"
  t0=$(now)
  timeout "$TIMEOUT" "$PYTHON" "$HERE/dt4dds_workflow.py" "$DESIGN_TXT" "$d" --workflow errorgenerator \
    "--rate-$type" "$rate" --coverage "$ERRORGEN_COVERAGE" --seed "$seed" -q > "$d/summary.json" \
    2> "$d/sim.err" || rc=$?
  t1=$(now)
  if [ $rc != 0 ]; then
    printf 'errorgen-%s=%s\terrorgenerator\t-\t%s\t%s\tsim-error%s\t-\t%s\t-\t-\t-\t-\t%s\t-\n' \
      "$type" "$rate" "$ERRORGEN_COVERAGE" "$seed" "$rc" "$(elapsed "$t0" "$t1")" "$CODE_RATE" | tee -a "$RESULTS_TSV"
    rm -rf "$d"
    return 0
  fi
  decode_point "errorgen-$type=$rate" errorgenerator "-" "$ERRORGEN_COVERAGE" "$seed" "$(elapsed "$t0" "$t1")" "$d/reads.fasta"
  rm -rf "$d"
}

T_START=$(now)
for sweep in $SWEEPS; do
  case $sweep in
    depth) for wf in $WORKFLOWS; do for depth in $DEPTHS; do for seed in $SEEDS; do
             run_point "$wf" "$PR_FIXED" "$depth" "$seed"; done; done; done ;;
    pr)    for wf in $WORKFLOWS; do for pr in $PRS; do for seed in $SEEDS; do
             run_point "$wf" "$pr" "$DEPTH_FIXED" "$seed"; done; done; done ;;
    errorgen)
           for spec in $ERRORGEN_RATES; do
             type=${spec%%=*}
             for rate in ${spec#*=}; do rate=${rate//,/ }; for r in $rate; do for seed in $SEEDS; do
               run_errorgen "$type" "$r" "$seed"; done; done; done
           done ;;
    *) echo "dt4dds_benchmark: unknown sweep '$sweep' (depth, pr, errorgen)" >&2; exit 1 ;;
  esac
done

# --- summary: the lowest depth / PR at which every seed decoded -------------------------
echo >&2
"$PYTHON" - "$RESULTS_TSV" "$PR_FIXED" "$DEPTH_FIXED" <<'EOF' >&2
import csv, sys
from collections import defaultdict
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
pr_fixed, depth_fixed = float(sys.argv[2]), float(sys.argv[3])
groups = defaultdict(lambda: defaultdict(list))
for r in rows:
    if r["PR"] == "-":
        continue
    pr, depth = float(r["PR"]), float(r["depth"])
    key = (r["workflow"], r["simulator"])
    if pr == pr_fixed:
        groups[key][("depth", depth)].append(r["status"] == "ok")
    if depth == depth_fixed:
        groups[key][("pr", pr)].append(r["status"] == "ok")
for (wf, sim), pts in sorted(groups.items()):
    for kind in ("depth", "pr"):
        xs = sorted(x for k, x in pts if k == kind)
        if not xs:
            continue
        ok = [x for x in xs if all(pts[(kind, x)])]
        # the lowest value from which every higher tested value also decoded
        lowest = None
        for x in reversed(xs):
            if all(pts[(kind, x)]):
                lowest = x
            else:
                break
        what = f"min depth at PR {pr_fixed:g}" if kind == "depth" else f"min PR at depth {depth_fixed:g}"
        extra = ""
        if kind == "pr" and lowest is not None:
            rate = float(rows[0]["code_rate"])
            extra = f" ({113.7 * rate / lowest:.1f} EB/g)"
        print(f"summary: {wf:10s} {sim:16s} {what}: {lowest if lowest is not None else 'none'}{extra}"
              f"  (decoded at {', '.join(f'{x:g}' for x in ok) or 'none'})")
EOF
echo "dt4dds_benchmark: $(($(wc -l < "$RESULTS_TSV") - 1)) points in $(elapsed "$T_START" "$(now)") s" >&2
if [ -n "${RESULTS:-}" ]; then cp "$RESULTS_TSV" "$RESULTS"; echo "dt4dds_benchmark: results in $RESULTS" >&2; fi
