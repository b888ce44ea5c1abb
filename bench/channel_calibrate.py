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


def simulate(binary, pool, args, out_dir, tag, seed):
    stats = os.path.join(out_dir, tag + ".json")
    cmd = [binary, "simulate", pool, "-o", "/dev/null", "--coverage", "30", "--seed",
           str(seed), "--stats", stats, "-q"] + args
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
        "cmd": " ".join(["dnastore"] + cmd[1:]),
    }


def svg_bars(path, title, rows):
    """rows: [(label, real, sim)] drawn as paired bars on a log-free linear scale per row."""
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
        svg_bars(os.path.join(a.out, "calibration_%d.svg" % idx), name, plot)
    text = "\n".join(lines)
    with open(os.path.join(a.out, "calibration.md"), "w") as f:
        f.write(text + "\n")
    print(text)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
