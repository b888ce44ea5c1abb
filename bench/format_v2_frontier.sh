#!/usr/bin/env bash
# The density-coverage frontier of format v1 against format v2 (issue 13):
# for each design (format, parity, oligo length) the net density
# (bits/nt in the payload region, header and parity counted) and the lowest
# mean coverage at which every seed decodes byte for byte through a channel
# PRESET (default illumina: Twist-like synthesis, Illumina reads).
#   bash bench/format_v2_frontier.sh [SIZE_MB] [COVERAGES]
#   (default 1 MB, "3 3.5 4 4.5 5 6"; SEEDS="1 2 3"; DESIGNS overrides the
#   list, each "FORMAT:REDUNDANCY:OLIGO_NT")
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-1}
COVERAGES=${2:-"3 3.5 4 4.5 5 6"}
PRESET=${PRESET:-illumina}
SEEDS=${SEEDS:-"1 2 3"}
THREADS=${THREADS:-$(nproc)}
BIN=${DNASTORE:-build/cli/dnastore}
DESIGNS=${DESIGNS:-"1:0.176:190 1:0.118:190 2:0.05:190 2:0.06:190 2:0.08:190 2:0.10:190 2:0.06:240"}
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 1; }
WORK=$(mktemp -d "${WORK:-${TMPDIR:-/tmp}}/format_v2_frontier.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
head -c $((MB * 1000000)) /dev/urandom >"$WORK/in.bin"
echo "| format | parity asked | oligo nt | bits/nt (payload) | min coverage, all of seeds $SEEDS | decoded per coverage |"
echo "|---|---|---|---|---|---|"
for design in $DESIGNS; do
  IFS=: read -r format red nt <<<"$design"
  "$BIN" encode "$WORK/in.bin" -o "$WORK/pool.fasta" --format "$format" --redundancy "$red" \
    --oligo-length "$nt" -t "$THREADS" -q --force --json "$WORK/e.json"
  density=$(python3 -c "import json; print('%.3f' % json.load(open('$WORK/e.json'))['bits_per_nt_payload'])")
  min_cov="> ${COVERAGES##* }"
  tally=""
  for cov in $COVERAGES; do
    ok=0
    for seed in $SEEDS; do
      "$BIN" simulate "$WORK/pool.fasta" -o "$WORK/reads.fastq" --preset "$PRESET" \
        --coverage "$cov" --seed "$seed" -t "$THREADS" -q --force
      if "$BIN" decode "$WORK/reads.fastq" -o "$WORK/out.bin" -t "$THREADS" -q --force \
        2>/dev/null && cmp -s "$WORK/out.bin" "$WORK/in.bin"; then
        ok=$((ok + 1))
      fi
    done
    tally+="${cov}x ${ok}; "
    n=$(wc -w <<<"$SEEDS")
    if [[ $ok -eq $n && "$min_cov" == ">"* ]]; then min_cov="${cov}x"; fi
    if [[ $ok -ne $n && "$min_cov" != ">"* ]]; then min_cov="> ${COVERAGES##* } (not monotone)"; fi
  done
  echo "| v$format | $red | $nt | $density | $min_cov | ${tally%; } |"
done
