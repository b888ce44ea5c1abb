#!/usr/bin/env bash
# What the outer code must absorb (issue 13's parity budget): the fraction of
# oligos a decode does not recover as valid frames, against mean coverage,
# for payloads of 150 and 200 nt, through a channel PRESET (default
# illumina). Pools are encoded with the robust preset so that every point
# decodes and the report can count; loss = 1 - oligos_present /
# oligos_expected, before the outer code fills anything (dropout, strands
# rejected by the inner check, repaired strands counted as recovered).
#   bash bench/loss_vs_coverage.sh [SIZE_MB] [COVERAGES]
#   (default 1 MB, "2 3 4 5 6 8"; SEEDS="1 2 3" runs per point, median shown)
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-1}
COVERAGES=${2:-"2 3 4 5 6 8"}
PRESET=${PRESET:-illumina}
SEEDS=${SEEDS:-"1 2 3"}
THREADS=${THREADS:-$(nproc)}
BIN=${DNASTORE:-build/cli/dnastore}
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 1; }
# A directory of our own (inside $WORK when given), removed on exit.
WORK=$(mktemp -d "${WORK:-${TMPDIR:-/tmp}}/loss_vs_coverage.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
head -c $((MB * 1000000)) /dev/urandom >"$WORK/in.bin"
echo "| payload nt | coverage | loss (median of seeds) | decoded |"
echo "|---|---|---|---|"
for payload in 150 200; do
  "$BIN" encode "$WORK/in.bin" -o "$WORK/pool.fasta" --preset robust \
    --oligo-length $((payload + 40)) -t "$THREADS" -q --force
  for cov in $COVERAGES; do
    losses=()
    decoded=0
    for seed in $SEEDS; do
      "$BIN" simulate "$WORK/pool.fasta" -o "$WORK/reads.fastq" --preset "$PRESET" \
        --coverage "$cov" --seed "$seed" -t "$THREADS" -q --force
      rm -f "$WORK/r.json"
      if "$BIN" decode "$WORK/reads.fastq" -o "$WORK/out.bin" --report "$WORK/r.json" \
        -t "$THREADS" -q --force 2>/dev/null && cmp -s "$WORK/out.bin" "$WORK/in.bin"; then
        decoded=$((decoded + 1))
      fi
      losses+=("$(python3 -c "import json; r=json.load(open('$WORK/r.json')); \
print(1 - r['oligos_present'] / max(1, r['oligos_expected']))")")
    done
    median=$(printf '%s\n' "${losses[@]}" | sort -g | sed -n "$(((${#losses[@]} + 1) / 2))p")
    printf '| %d | %sx | %.2f%% | %d of %d |\n' "$payload" "$cov" \
      "$(python3 -c "print(100 * $median)")" "$decoded" "${#losses[@]}"
  done
done
