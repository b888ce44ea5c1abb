#!/usr/bin/env bash
# Issue 4's scale target: decode 10 M Illumina reads of a 100k-oligo pool
# (2.7 MB file, 100x coverage) on all cores, reporting reads/s and peak RSS
# (target: >= 500k reads/s on 2 threads, < 2 GiB). Needs ~4 GB of scratch
# space in $WORK (default: a temporary directory, removed afterwards).
#   bash bench/decode_10m_reads.sh [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${1:-$(nproc)}
for tool in /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install time python3)" >&2; exit 1; }
done
BIN=${DNASTORE:-build/cli/dnastore}
WORK=${WORK:-$(mktemp -d)}
trap 'rm -rf "$WORK"' EXIT
head -c 2700000 /dev/urandom >"$WORK/in.bin"
"$BIN" encode "$WORK/in.bin" -o "$WORK/pool.fasta" -t "$THREADS" -q
"$BIN" simulate "$WORK/pool.fasta" -o "$WORK/reads.fastq" --preset illumina --coverage 100 \
  -t "$THREADS" --seed 1
/usr/bin/time -f "%e %M" -o "$WORK/time.txt" \
  "$BIN" decode "$WORK/reads.fastq" -o "$WORK/out.bin" -t "$THREADS" --report "$WORK/report.json"
cmp -s "$WORK/in.bin" "$WORK/out.bin" || { echo "decode output differs" >&2; exit 1; }
read -r secs kb <"$WORK/time.txt"
reads=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['records'])" "$WORK/report.json")
python3 - "$reads" "$secs" "$kb" "$THREADS" <<'PY'
import sys
reads, secs, kb, t = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
print(f"decode {reads} reads on {t} threads: {secs:.1f} s, {reads / secs / 1e3:.0f}k reads/s, "
      f"peak RSS {kb / 1048576:.2f} GiB (targets: >= 500k reads/s on 2 threads, < 2 GiB)")
PY
