#!/usr/bin/env bash
# Issue 14's memory curve: peak RSS and reads/s of decode against archive
# size, read at COVERAGE (default 5) with Illumina reads, once in memory and
# once with --spill-after SPILL (default 16M: the two-pass path, waiting
# reads spilled to scratch). Writes the table as JSON and an SVG plot.
#   bash bench/decode_memory_curve.sh [SIZES_MB] [OUT_PREFIX]
#   (default SIZES_MB "1 4 16 48 200", OUT_PREFIX docs/decode_memory_curve)
# One size at a time in $WORK (default: a new temporary directory, removed
# on exit); the largest needs about 1.2 x its FASTQ (200 MB: ~18 GB) free.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${1:-"1 4 16 48 200"}
OUT=${2:-docs/decode_memory_curve}
COVERAGE=${COVERAGE:-5}
SPILL=${SPILL:-16M}
THREADS=${THREADS:-$(nproc)}
for tool in /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install time python3)" >&2; exit 1; }
done
BIN=${DNASTORE:-build/cli/dnastore}
WORK=${WORK:-$(mktemp -d)}
trap 'rm -rf "$WORK"' EXIT
: >"$WORK/rows.txt"
for mb in $SIZES; do
  head -c $((mb * 1000000)) /dev/urandom >"$WORK/in.bin"
  "$BIN" encode "$WORK/in.bin" -o "$WORK/pool.fasta" -t "$THREADS" -q --force
  "$BIN" simulate "$WORK/pool.fasta" -o "$WORK/reads.fastq" --preset illumina \
    --coverage "$COVERAGE" -t "$THREADS" --seed 1 -q --force
  for mode in memory spill; do
    extra=()
    [[ $mode == spill ]] && extra=(--spill-after "$SPILL" --tmp-dir "$WORK")
    rm -f "$WORK/out.bin" "$WORK/report.json"
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$BIN" decode "$WORK/reads.fastq" \
      -o "$WORK/out.bin" -t "$THREADS" -q --report "$WORK/report.json" "${extra[@]}"
    cmp -s "$WORK/in.bin" "$WORK/out.bin" || { echo "$mb MB $mode: output differs" >&2; exit 1; }
    python3 - "$WORK" "$mb" "$mode" >>"$WORK/rows.txt" <<'PY'
import json, sys
work, mb, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
secs, kb = open(f"{work}/time.txt").read().split()
r = json.load(open(f"{work}/report.json"))
print(json.dumps({"mb": mb, "mode": mode, "oligos": r["oligos_expected"], "reads": r["records"],
                  "seconds": float(secs), "peak_rss_bytes": int(kb) * 1024,
                  "bytes_spilled": r["memory"]["bytes_spilled"]}))
PY
    tail -1 "$WORK/rows.txt"
  done
  rm -f "$WORK/reads.fastq" "$WORK/pool.fasta"
done
python3 - "$WORK/rows.txt" "$OUT" "$COVERAGE" "$SPILL" "$THREADS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
out, coverage, spill, threads = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
json.dump({"coverage": coverage, "spill_after": spill, "threads": threads, "rows": rows},
          open(out + ".json", "w"), indent=1)
# Two panels side by side: peak RSS (GiB) and reads/s (k) against archive MB (log x).
import math
W, H, M = 360, 260, 50
sizes = sorted({r["mb"] for r in rows})
lx = lambda mb: M + (math.log10(mb) - math.log10(sizes[0])) / max(
    1e-9, math.log10(sizes[-1]) - math.log10(sizes[0])) * (W - 2 * M)
def panel(x0, key, label, scale):
    vals = [r[key] * scale for r in rows]
    top = max(vals) * 1.15
    ly = lambda v: H - M - v / top * (H - 2 * M)
    s = [f'<g transform="translate({x0},0)">',
         f'<line x1="{M}" y1="{H-M}" x2="{W-M}" y2="{H-M}" stroke="black"/>',
         f'<line x1="{M}" y1="{M}" x2="{M}" y2="{H-M}" stroke="black"/>',
         f'<text x="{W/2}" y="{M-20}" text-anchor="middle" font-size="13">{label}</text>',
         f'<text x="{W/2}" y="{H-12}" text-anchor="middle" font-size="11">archive size (MB, log)</text>']
    for mb in sizes:
        s.append(f'<text x="{lx(mb):.1f}" y="{H-M+14}" text-anchor="middle" font-size="10">{mb}</text>')
    for k in range(5):
        v = top * k / 4
        s.append(f'<text x="{M-4}" y="{ly(v)+3:.1f}" text-anchor="end" font-size="10">{v:.2f}</text>')
    for mode, color in (("memory", "#1f77b4"), ("spill", "#d62728")):
        pts = [(lx(r["mb"]), ly(r[key] * scale)) for r in rows if r["mode"] == mode]
        s.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (
            color, " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)))
        for x, y in pts:
            s.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
    s.append("</g>")
    return "\n".join(s)
for r in rows:
    r["rate"] = r["reads"] / r["seconds"]
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2*W}" height="{H+30}" font-family="sans-serif">',
       '<rect width="100%" height="100%" fill="white"/>',
       panel(0, "peak_rss_bytes", "decode peak RSS (GiB)", 1 / 2**30),
       panel(W, "rate", "decode reads/s (millions)", 1e-6),
       f'<text x="{M}" y="{H+20}" font-size="11" fill="#1f77b4">in memory</text>',
       f'<text x="{M+80}" y="{H+20}" font-size="11" fill="#d62728">two-pass (--spill-after {spill})</text>',
       f'<text x="{M+300}" y="{H+20}" font-size="11">Illumina reads at {coverage}x, {threads} threads</text>',
       "</svg>"]
open(out + ".svg", "w").write("\n".join(svg) + "\n")
print(f"wrote {out}.json and {out}.svg")
PY
