#!/usr/bin/env bash
# Issue 14's case: decode an archive at low coverage, where every read is
# kept and cost grows with the number of oligos. Encodes MB megabytes of
# random bytes (default 48: ~1.9 M oligos), simulates Illumina reads at
# COVERAGE (default 5: ~9.5 M reads, ~3.7 GB of FASTQ) and decodes them,
# reporting seconds, reads/s, peak RSS and the front end's stages. With
# BASELINE=path/to/other/dnastore, the same reads are decoded by that build
# too, side by side (medians of RUNS runs each, default 1), and the ratio
# is printed. MEMORY=SIZE decodes with --memory SIZE (scratch in $WORK;
# the baseline must then know --memory too). PRESET=NAME simulates with
# that channel preset instead of illumina (nanopore: R10.4.1-like reads).
# GZIP=1 (gzip -1) or GZIP=bgzf compresses the reads first. Scratch in $WORK
# (default: a new temporary directory, removed on exit); needs about 1.2 x
# (the FASTQ size) of free space.
#   bash bench/decode_archive_scale.sh [MB] [COVERAGE] [THREADS]
# Targets (issue 14): >= 600k reads/s on 2 threads, peak <= 2 GiB (illumina,
# 48 MB at 5x); nanopore at 20x >= 100k reads/s; gzip >= 80% of plain.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-48}
COVERAGE=${2:-5}
THREADS=${3:-$(nproc)}
RUNS=${RUNS:-1}
PRESET=${PRESET:-illumina}
for tool in /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install time python3)" >&2; exit 1; }
done
BIN=${DNASTORE:-build/cli/dnastore}
WORK=${WORK:-$(mktemp -d)}
trap 'rm -rf "$WORK"' EXIT
head -c $((MB * 1000000)) /dev/urandom >"$WORK/in.bin"
"$BIN" encode "$WORK/in.bin" -o "$WORK/pool.fasta" -t "$THREADS" -q
READS="$WORK/reads.fastq"
if [[ "${GZIP:-}" == bgzf ]]; then READS="$READS.gz"; fi  # simulate writes .gz as BGZF
"$BIN" simulate "$WORK/pool.fasta" -o "$READS" --preset "$PRESET" \
  --coverage "$COVERAGE" -t "$THREADS" --seed 1 -q
if [[ -n "${GZIP:-}" && "$GZIP" != bgzf ]]; then gzip -1 "$READS"; READS="$READS.gz"; fi

# decode_with BINARY LABEL: RUNS decodes; prints "LABEL secs kb" per run.
decode_with() {
  for _ in $(seq "$RUNS"); do
    rm -f "$WORK/out.bin" "$WORK/report_$2.json"
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$1" decode "$READS" \
      -o "$WORK/out.bin" -t "$THREADS" -q --report "$WORK/report_$2.json" ${MEMORY:+--memory "$MEMORY"} \
      ${MEMORY:+--tmp-dir "$WORK"}
    cmp -s "$WORK/in.bin" "$WORK/out.bin" || { echo "$2: decode output differs" >&2; exit 1; }
    echo "$2 $(cat "$WORK/time.txt")"
  done
}
{
  decode_with "$BIN" now
  if [[ -n "${BASELINE:-}" ]]; then decode_with "$BASELINE" baseline; fi
} >"$WORK/runs.txt"
python3 - "$WORK" "$THREADS" "$PRESET, $(basename "$READS")" <<'PY'
import json, statistics, sys
work, threads, reads = sys.argv[1], sys.argv[2], sys.argv[3]
runs = {}
for line in open(f"{work}/runs.txt"):
    label, secs, kb = line.split()
    runs.setdefault(label, []).append((float(secs), int(kb)))
med = {}
for label, rs in runs.items():
    r = json.load(open(f"{work}/report_{label}.json"))
    secs = statistics.median(s for s, _ in rs)
    kb = statistics.median(k for _, k in rs)
    med[label] = secs
    fe = r["front_end"]
    mem = r.get("memory", {})
    print(f"{label} ({reads}): {r['records']} reads, {r['oligos_expected']} oligos, {threads} threads: "
          f"{secs:.1f} s ({r['records'] / secs / 1e3:.0f}k reads/s), peak RSS "
          f"{kb / 1048576:.2f} GiB; placed by index {r.get('reads_placed', 0)}, clusters "
          f"{r['clusters']}; input {fe.get('seconds_input', 0):.1f} s (trim {fe['seconds_trim']:.1f}), "
          f"drop {fe.get('seconds_drop', 0):.1f} s, cluster {fe['seconds_cluster']:.1f} s, "
          f"consensus {fe['seconds_consensus']:.1f} s, place {r.get('seconds_place', 0):.1f} s, "
          f"outer {r.get('seconds_outer', 0):.1f} s; budget {mem.get('budget_bytes', 0) / 1048576:.0f} MiB, "
          f"spilled {mem.get('bytes_spilled', 0) / 1048576:.0f} MiB (median of {len(rs)})")
if "baseline" in med:
    print(f"speed-up vs baseline: {med['baseline'] / med['now']:.2f}x")
print("targets (issue 14): >= 600k reads/s on 2 threads, peak <= 2 GiB")
PY
