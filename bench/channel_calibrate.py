#!/usr/bin/env python3
"""Compare `dnastore simulate` against measured channels (stdlib only).

Usage:
  channel_calibrate.py [--dnastore BIN] [--data DIR] [--out DIR] [--seed N]

Runs the simulator for each comparison in COMPARISONS below, reads its
--stats JSON, extracts the same numbers from the real measurements in
../shared/data and prints a markdown table (also written to OUT/calibration.md)
plus an SVG plot per comparison (OUT/*.svg).

Real numbers:
  dt4dds-pool (Gimpel et al.): error_analysis/<case>/fw.global.mapped_high.stats
    r_substitutions, r_insertions, r_deletions (per aligned base; dt4dds
    analysis pipeline), coverage.tsv (reads per strand; strands of the design
    missing from the table have 0 reads). Coverage CV and the zero-read
    fraction are computed for binomial thinning to 30x mean coverage
    (expected values, no randomness).
  nanopore-chandak: samtools stats SN "bases mapped (cigar)", "mismatches"
    (NM) and the ID indel-length histogram: ins = sum(len * n_ins) / bases,
    del = sum(len * n_del) / bases, sub = (NM - ins - del) / bases.
"""
import argparse
import gzip
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# name, real source, simulate arguments, tolerances (error rates, coverage)
COMPARISONS = [
    ("bestcase, default preset (twist+Q5+illumina)", "dt4dds:bestcase",
     ["--preset", "illumina"], None),
    ("bestcase, fitted (bench/channel_bestcase.toml)", "dt4dds:bestcase",
     ["-c", os.path.join(HERE, "channel_bestcase.toml")], (0.20, 0.25)),
    ("worstcase, default preset (array-lowq+Taq+illumina)", "dt4dds:worstcase",
     ["--preset", "worstcase"], (0.20, 0.25)),
    ("nanopore R9.4.1, default preset (twist+Q5+nanopore-r9)", "chandak",
     ["--preset", "nanopore-r9"], None),
    ("nanopore R9.4.1, fitted (bench/channel_chandak_r9.toml)", "chandak",
     ["-c", os.path.join(HERE, "channel_chandak_r9.toml")], (0.20, None)),
]


def read_dt4dds_stats(path):
    vals = {}
    with open(path) as f:
        for line in f:
            if line.startswith("r_") or line.startswith("n_reads:") or \
               line.startswith("n_aligned_bases:"):
                k, v = line.split(":", 1)
                vals[k.strip()] = float(v)
    return vals


def read_dt4dds_sections(path, names):
    """Per-position arrays from a dt4dds stats file, e.g. n_bases_by_refposition."""
    out = {n: {} for n in names}
    cur = None
    with open(path) as f:
        for line in f:
            if not line.startswith(" "):
                key = line.split(":", 1)[0].strip()
                cur = key if key in out else None
            elif cur:
                k, v = line.split(":", 1)
                k = k.strip()
                if k.isdigit():
                    out[cur][int(k)] = float(v)
    return out


def real_dt4dds_by_position(data, case):
    path = os.path.join(data, "real/dt4dds-pool/error_analysis", case,
                        "fw.global.mapped_high.stats")
    sec = read_dt4dds_sections(path, ["n_bases_by_refposition", "n_substitutions_by_refposition",
                                      "n_insertions_by_refposition", "n_deletions_by_refposition"])
    base = sec["n_bases_by_refposition"]
    res = {}
    for t, key in (("substitution", "n_substitutions_by_refposition"),
                   ("insertion", "n_insertions_by_refposition"),
                   ("deletion", "n_deletions_by_refposition")):
        res[t] = [sec[key].get(p, 0.0) / base[p] for p in sorted(base) if base[p] > 0]
    return res


def sim_by_position(j):
    bp = j["by_position"]
    ref = bp["reference_nt"]
    res = {}
    for t, key in (("substitution", "substitutions"), ("insertion", "inserted_nt"),
                   ("deletion", "deleted_nt")):
        res[t] = [bp[key][p] / ref[p] for p in range(len(ref)) if ref[p] > 0]
    return res


def svg_lines(path, title, real, sim):
    """Per-position error rates: measured solid, simulated dashed, one colour per type."""
    w, h, x0, y0, pw, ph = 640, 320, 60, 40, 540, 230
    top = max(max(v) for d in (real, sim) for v in d.values() if v) or 1.0
    n = max(len(v) for d in (real, sim) for v in d.values())
    cols = {"substitution": "#4477aa", "insertion": "#228833", "deletion": "#ee6677"}
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (w, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="14" font-weight="bold">%s</text>' % title,
           '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (x0, y0 + ph, x0 + pw, y0 + ph),
           '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (x0, y0, x0, y0 + ph),
           '<text x="%d" y="%d">position in oligo (nt)</text>' % (x0 + pw / 2 - 60, h - 12),
           '<text x="5" y="%d">%.2g</text>' % (y0 + 4, top),
           '<text x="5" y="%d">0</text>' % (y0 + ph),
           '<text x="%d" y="%d">%d</text>' % (x0 + pw - 10, y0 + ph + 15, n - 1)]
    for i, (t, col) in enumerate(cols.items()):
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>'
                   '<text x="%d" y="%d">%s</text>' %
                   (x0 + 20 + 150 * i, 32, x0 + 40 + 150 * i, 32, col, x0 + 45 + 150 * i, 36, t))
        for d, dash in ((real, ""), (sim, ' stroke-dasharray="4,3"')):
            v = d.get(t, [])
            if not v:
                continue
            pts = " ".join("%.1f,%.1f" % (x0 + pw * p / max(1, n - 1), y0 + ph - ph * r / top)
                           for p, r in enumerate(v))
            out.append('<polyline fill="none" stroke="%s" stroke-width="1.2"%s points="%s"/>' %
                       (col, dash, pts))
    out.append('<text x="%d" y="%d">solid: measured, dashed: simulated</text>' % (x0 + 300, y0 + 15))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def design_names(data):
    names = []
    with gzip.open(os.path.join(data, "real/dt4dds-pool/design_padded_indexed.fasta.gz"),
                   "rt") as f:
        for line in f:
            if line.startswith(">"):
                names.append(line[1:].split()[0])
    return names


def thinned_coverage(counts, target=30.0):
    """Expected CV and zero fraction after binomial thinning to `target`x."""
    n = len(counts)
    mean = sum(counts) / n
    p = min(1.0, target / mean)
    m = p * mean
    var_means = sum((p * c - m) ** 2 for c in counts) / n
    var_binom = sum(p * (1 - p) * c for c in counts) / n
    zero = sum((1 - p) ** c for c in counts) / n
    return math.sqrt(var_means + var_binom) / m, zero, mean


def real_dt4dds(data, case):
    base = os.path.join(data, "real/dt4dds-pool/error_analysis", case)
    st = read_dt4dds_stats(os.path.join(base, "fw.global.mapped_high.stats"))
    cov = {}
    with open(os.path.join(base, "coverage.tsv")) as f:
        for line in f:
            if line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            cov[fields[0]] = int(fields[7])
    names = design_names(data)
    counts = [cov.get(nm, 0) for nm in names]
    cv, zero, mean = thinned_coverage(counts)
    return {
        "substitution": st["r_substitutions"],
        "insertion": st["r_insertions"],
        "deletion": st["r_deletions"],
        "coverage_cv_30x": cv,
        "zero_read_fraction_30x": zero,
        "error_free_reads": st["r_read_perfect"],
        "note": "%d reads, %.1fx measured mean coverage" % (st["n_reads"], mean),
    }


def real_chandak(data):
    path = os.path.join(data, "calibration/nanopore-chandak/merged.sorted.stats")
    bases = nm = 0
    ins = dele = 0
    with open(path) as f:
        for line in f:
            if line.startswith("SN\tbases mapped (cigar):"):
                bases = int(line.split("\t")[2])
            elif line.startswith("SN\tmismatches:"):
                nm = int(line.split("\t")[2])
            elif line.startswith("ID\t"):
                _, ln, ni, nd = line.rstrip("\n").split("\t")
                ins += int(ln) * int(ni)
                dele += int(ln) * int(nd)
    return {
        "substitution": (nm - ins - dele) / bases,
        "insertion": ins / bases,
        "deletion": dele / bases,
        "note": "samtools stats over %d mapped bases" % bases,
    }


def _rel(path):
    """Paths relative to the project root, for printing reproducible commands."""
    norm = os.path.normpath(path)
    shared = os.path.normpath(os.path.join(ROOT, ".."))
    if os.path.isabs(path) and norm.startswith(shared + os.sep):
        return os.path.relpath(norm, ROOT)
    return path


def simulate(binary, pool, args, out_dir, tag, seed):
    stats = os.path.join(out_dir, tag + ".json")
    cmd = [binary, "simulate", pool, "-o", "/dev/null", "--coverage", "30", "--seed",
           str(seed), "--stats", stats, "-q", "--force"] + args
    subprocess.run(cmd, check=True)
    with open(stats) as f:
        j = json.load(f)
    return {
        "substitution": j["error_rates"]["substitution"],
        "insertion": j["error_rates"]["insertion"],
        "deletion": j["error_rates"]["deletion"],
        "coverage_cv_30x": j["coverage"]["cv"],
        "zero_read_fraction_30x": j["coverage"]["dropout_fraction"],
        "error_free_reads": j["error_free_fraction"],
        "json": j,
        "cmd": " ".join(["dnastore"] + [_rel(x) for x in cmd[1:]]),
    }


def svg_bars(path, title, rows):
    """rows: [(label, real, sim)] as paired horizontal bars, each row scaled to its maximum."""
    w, rh = 640, 46
    h = 60 + rh * len(rows)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (w, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="14" font-weight="bold">%s</text>' % title,
           '<rect x="380" y="30" width="12" height="10" fill="#4477aa"/>'
           '<text x="396" y="39">measured</text>',
           '<rect x="470" y="30" width="12" height="10" fill="#ee6677"/>'
           '<text x="486" y="39">simulated</text>']
    for i, (label, real, sim) in enumerate(rows):
        y = 55 + i * rh
        top = max(real, sim) or 1.0
        out.append('<text x="10" y="%d">%s</text>' % (y + 16, label))
        for j, (v, col) in enumerate(((real, "#4477aa"), (sim, "#ee6677"))):
            bw = 300 * v / top
            out.append('<rect x="200" y="%d" width="%.1f" height="14" fill="%s"/>' %
                       (y + 16 * j, bw, col))
            out.append('<text x="%.1f" y="%d">%.3g</text>' % (205 + bw, y + 12 + 16 * j, v))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dnastore", default=os.path.join(ROOT, "build-channel/cli/dnastore"))
    ap.add_argument("--data", default=os.path.join(ROOT, "../shared/data"))
    ap.add_argument("--out", default="/tmp/channel_calibration")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--svg-dir", default=None, help="where to write the SVG plots (default --out)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    pool = os.path.join(a.data, "real/dt4dds-pool/design_padded_indexed.fasta.gz")
    real_cache = {}
    lines = []
    all_ok = True
    for idx, (name, source, args, tol) in enumerate(COMPARISONS):
        if source not in real_cache:
            real_cache[source] = (real_dt4dds(a.data, source.split(":")[1])
                                  if source.startswith("dt4dds") else real_chandak(a.data))
        real = real_cache[source]
        sim = simulate(a.dnastore, pool, args, a.out, "sim%d" % idx, a.seed)
        lines.append("### %s\n" % name)
        lines.append("Measured: %s (%s).  \nReproduce: `%s`\n" % (source, real["note"], sim["cmd"]))
        lines.append("| quantity | measured | simulated | rel. diff | target |")
        lines.append("|---|---|---|---|---|")
        plot = []
        keys = ["substitution", "insertion", "deletion"]
        if "coverage_cv_30x" in real:
            keys += ["coverage_cv_30x", "zero_read_fraction_30x", "error_free_reads"]
        for k in keys:
            rv, sv = real[k], sim[k]
            rel = (sv - rv) / rv if rv else float("nan")
            limit = None
            if tol:
                if k in ("substitution", "insertion", "deletion"):
                    limit = tol[0]
                elif k in ("coverage_cv_30x", "zero_read_fraction_30x"):
                    limit = tol[1]
            verdict = ""
            if limit is not None:
                ok = abs(rel) <= limit
                all_ok &= ok
                verdict = ("within %d%%" if ok else "**outside %d%%**") % round(limit * 100)
            lines.append("| %s | %.4g | %.4g | %+.1f%% | %s |" % (k, rv, sv, 100 * rel, verdict))
            plot.append((k, rv, sv))
        lines.append("")
        svg_dir = a.svg_dir or a.out
        svg_bars(os.path.join(svg_dir, "channel_calibration_%d.svg" % idx), name, plot)
        if source.startswith("dt4dds") and tol:
            svg_lines(os.path.join(svg_dir, "channel_calibration_%d_by_position.svg" % idx),
                      name + ": error rate by position",
                      real_dt4dds_by_position(a.data, source.split(":")[1]),
                      sim_by_position(sim["json"]))
    text = "\n".join(lines)
    with open(os.path.join(a.out, "calibration.md"), "w") as f:
        f.write(text + "\n")
    print(text)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
