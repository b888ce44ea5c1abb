#!/usr/bin/env python3
"""Run a dt4dds benchmark workflow on a design file and write its reads.

Our own driver for the dt4dds channel simulator (Gimpel et al., fml-ethz/dt4dds,
GPL). dt4dds itself is not part of this repository: it is imported from the
directory named by $DT4DDS_DIR (a checkout whose top level holds the `dt4dds`
package) or from the Python path.

Workflows (parameters as in fml-ethz/dt4dds-benchmark,
dt4dds_benchmark/workflows/bin/workflow_{bestcase,worstcase}/run.py):

  bestcase   Twist-like array synthesis (deletion length/read biases off),
             1000 oligos per sequence taken, primers attached, Q5 PCR 15
             cycles, `initial_coverage` molecules per sequence sampled,
             optional aging, Q5 PCR 25 cycles with the Illumina adapter
             primers, iSeq 100 paired-end 2 x 150 at `sequencing_depth`
             reads per sequence.
  worstcase  the same with CustomArray-like synthesis (copy-number sigma
             (0.58 + 1.30) / 2) and Taq PCR.
  errorgenerator
             no dt4dds at all: every design sequence not dropped (probability
             `dropout`) gives int(coverage) reads, each with i.i.d.
             substitutions, then deletions, then insertions at the given
             per-base rates (the benchmark's error-generator model, one error
             type at a time in its sweeps).

The design file holds the sequences to synthesize: FASTA, or plain text with
one sequence per line (the benchmark's format). In the dt4dds workflows the
benchmark's primers are attached to them after synthesis, so give payloads
only (as the benchmark's codecs do) unless you mean to nest your own primers
inside them.

Outputs in OUTDIR: R1.fq.gz and R2.fq.gz (dt4dds workflows; read pairs in the
same order, qualities all 'F'), or reads.fasta (errorgenerator). A one-line
JSON summary goes to stdout (and to --json FILE).
"""

import argparse
import gc
import json
import os
import pathlib
import random
import sys
import tempfile
import time

# The benchmark's primers (workflow_bestcase/run.py and workflow_worstcase/run.py):
# PRIMERS_0 are attached after synthesis and used in PCR 1; PRIMERS_2 are the
# full Illumina adapters, whose 3' ends are PRIMERS_0, used in PCR 2.
PRIMERS_0 = ["ACACGACGCTCTTCCGATCT", "AGACGTGTGCTCTTCCGATCT"]
PRIMERS_2 = [
    "AATGATACGGCGACCACCGAGATCTACACTCTTTCCCTACACGACGCTCTTCCGATCT",
    "CAAGCAGAAGACGGCATACGAGATCGTGATGTGACTGGAGTTCAGACGTGTGCTCTTCCGATCT",
]


def read_design(path):
    """Sequences from a FASTA file or a one-sequence-per-line text file."""
    seqs, cur, fasta = [], [], False
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith(">"):
                fasta = True
                if cur:
                    seqs.append("".join(cur))
                    cur = []
                continue
            if fasta:
                cur.append(line.upper())
            else:
                seqs.append(line.upper())
    if cur:
        seqs.append("".join(cur))
    bad = [s for s in seqs if set(s) - set("ACGT")]
    if not seqs or bad:
        raise SystemExit(f"dt4dds_workflow: {path}: no sequences, or non-ACGT bases in {len(bad)} of them")
    return seqs


def import_dt4dds():
    """Import dt4dds from $DT4DDS_DIR (if set) with a writable numba cache."""
    d = os.environ.get("DT4DDS_DIR")
    if d:
        sys.path.insert(0, str(pathlib.Path(d).resolve()))
    # dt4dds jit-compiles with numba(cache=True); its cache would otherwise go
    # next to the dt4dds sources, which may be read-only.
    os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "dt4dds-numba-cache"))
    import dt4dds  # noqa: E402
    return dt4dds


def seed_everything(dt4dds, seed):
    import numpy as np
    random.seed(seed)            # dt4dds draws lengths, pads and shuffles with `random`
    np.random.seed(seed % 2**32)
    dt4dds.config.set_random_seed(seed)  # dt4dds.helpers.tools.rng


def run_pcr(d, polymerase, pool, primers, template_volume, cycles, name, t, log):
    """One PCR of the benchmark workflows (20 uL, efficiency 0.95), timed into t[name]."""
    t0 = time.time()
    pcr = d.processes.PCR(polymerase()(
        primers=primers, template_volume=template_volume, volume=20, efficiency_mean=0.95,
        n_cycles=cycles))
    pool = pcr.process(pool)
    del pcr
    gc.collect()
    t[name] = time.time() - t0
    log(f"{name} done ({t[name]:.1f} s)")
    return pool


def run_dt4dds(dt4dds, seqs, outdir, workflow, init_cov, seq_depth, halflives, log):
    d = dt4dds
    n_seqs = len(seqs)
    t = {}

    # PCR efficiencies: N(1, 0.0051) relative, as both workflows set them.
    d.properties.set_property_settings(
        d.settings.defaults.SequenceProperties(
            efficiency_distribution="normal",
            efficiency_params={"loc": 1.0, "scale": 0.0051},
        )
    )

    t0 = time.time()
    if workflow == "bestcase":
        synth = d.settings.defaults.ArraySynthesis_Twist(
            deletion_length_bias=None, deletion_read_bias=None)
        polymerase = d.settings.defaults.PCR_Q5
    else:
        synth = d.settings.defaults.ArraySynthesis_CustomArray(
            oligo_distribution_params={"mean": 0, "sigma": (0.58 + 1.30) / 2},
            deletion_length_bias=None, deletion_read_bias=None)
        polymerase = d.settings.defaults.PCR_Taq
    array_synthesis = d.processes.ArraySynthesis(synth)
    array_synthesis.process(list(seqs))
    pool = array_synthesis.sample_by_counts(1000 * n_seqs)
    pool = d.generators.attach_primers_to_pool(pool, *PRIMERS_0)
    pool.volume = 1
    del array_synthesis
    gc.collect()
    t["synthesis"] = time.time() - t0
    log(f"synthesis done ({t['synthesis']:.1f} s)")

    pool = run_pcr(d, polymerase, pool, PRIMERS_0, 1, 15, "pcr1", t, log)

    # physical redundancy: initial_coverage molecules per sequence
    pool = pool.sample_by_counts(init_cov * n_seqs)
    pool.volume = 5
    if halflives > 0:
        t0 = time.time()
        aging = d.processes.Aging(d.settings.defaults.Aging(), n_halflives=halflives)
        pool = aging.process(pool)
        pool.volume = 5
        t["aging"] = time.time() - t0

    pool = run_pcr(d, polymerase, pool, PRIMERS_2, 5, 25, "pcr2", t, log)

    t0 = time.time()
    seq = d.processes.SBSSequencing(d.settings.defaults.iSeq100(
        output_directory=str(outdir), n_reads=seq_depth * n_seqs,
        read_length=150, read_mode="paired-end"))
    seq.process(pool)
    t["sequencing"] = time.time() - t0
    log(f"sequencing done ({t['sequencing']:.1f} s)")
    return {"r1": str(outdir / "R1.fq.gz"), "r2": str(outdir / "R2.fq.gz"), "seconds": t}


def run_errorgenerator(seqs, outdir, rate_sub, rate_del, rate_ins, coverage, dropout, seed):
    """Fixed-coverage i.i.d. error model of the benchmark's error generator."""
    import numpy as np
    rng = np.random.default_rng(seed)
    bases = np.frombuffer(b"ACGT", dtype=np.uint8)
    code = np.full(256, 255, dtype=np.uint8)
    code[bases] = np.arange(4, dtype=np.uint8)
    n_copies = int(coverage)
    kept = dropped = n_reads = 0
    out = outdir / "reads.fasta"
    with open(out, "w") as f:
        for i, s in enumerate(seqs):
            if rng.random() <= dropout:
                dropped += 1
                continue
            kept += 1
            orig = np.frombuffer(s.encode(), dtype=np.uint8)
            for k in range(n_copies):
                r = orig.copy()
                if rate_sub > 0:
                    hit = rng.random(r.size) < rate_sub
                    # another base, uniformly among the three others
                    shift = rng.integers(1, 4, size=int(hit.sum()), dtype=np.uint8)
                    r[hit] = bases[(code[r[hit]] + shift) % 4]
                if rate_del > 0:
                    r = r[rng.random(r.size) >= rate_del]
                if rate_ins > 0:
                    hit = np.flatnonzero(rng.random(r.size) < rate_ins)
                    # a random base after each chosen base
                    r = np.insert(r, hit + 1, bases[rng.integers(0, 4, size=hit.size)])
                f.write(f">s{i}_{k}\n{r.tobytes().decode()}\n")
                n_reads += 1
    return {"reads": str(out), "sequences_kept": kept, "sequences_dropped": dropped, "n_reads": n_reads}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("design", help="design sequences: FASTA or one per line")
    p.add_argument("outdir", help="output directory (created)")
    p.add_argument("--workflow", choices=["bestcase", "worstcase", "errorgenerator"], default="bestcase")
    p.add_argument("--initial-coverage", type=float, default=50,
                   help="molecules per sequence sampled before PCR 2 (physical redundancy; default 50)")
    p.add_argument("--sequencing-depth", type=float, default=50,
                   help="read pairs per design sequence (default 50)")
    p.add_argument("--aging-halflives", type=float, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rate-substitutions", type=float, default=0, help="errorgenerator only")
    p.add_argument("--rate-deletions", type=float, default=0, help="errorgenerator only")
    p.add_argument("--rate-insertions", type=float, default=0, help="errorgenerator only")
    p.add_argument("--coverage", type=float, default=30, help="errorgenerator only: reads per sequence")
    p.add_argument("--dropout", type=float, default=0, help="errorgenerator only")
    p.add_argument("--json", help="also write the summary to this file")
    p.add_argument("-q", "--quiet", action="store_true")
    a = p.parse_args(argv)

    def log(msg):
        if not a.quiet:
            print(f"dt4dds_workflow: {msg}", file=sys.stderr, flush=True)

    seqs = read_design(a.design)
    outdir = pathlib.Path(a.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    lengths = sorted({len(s) for s in seqs})
    log(f"{len(seqs)} sequences, lengths {lengths[0]}-{lengths[-1]} nt, workflow {a.workflow}")

    t0 = time.time()
    summary = {"workflow": a.workflow, "n_sequences": len(seqs), "seed": a.seed}
    if a.workflow == "errorgenerator":
        summary.update(rate_substitutions=a.rate_substitutions, rate_deletions=a.rate_deletions,
                       rate_insertions=a.rate_insertions, coverage=a.coverage, dropout=a.dropout)
        summary.update(run_errorgenerator(seqs, outdir, a.rate_substitutions, a.rate_deletions,
                                          a.rate_insertions, a.coverage, a.dropout, a.seed))
    else:
        dt4dds = import_dt4dds()
        if a.quiet:
            import logging
            logging.getLogger("dt4dds").setLevel(logging.WARNING)
        else:
            dt4dds.default_logging("WARNING")
        seed_everything(dt4dds, a.seed)
        summary.update(initial_coverage=a.initial_coverage, sequencing_depth=a.sequencing_depth,
                       aging_halflives=a.aging_halflives, dt4dds_version=dt4dds.__VERSION__)
        summary.update(run_dt4dds(dt4dds, seqs, outdir, a.workflow, a.initial_coverage,
                                  a.sequencing_depth, a.aging_halflives, log))
    summary["total_seconds"] = round(time.time() - t0, 2)
    line = json.dumps(summary)
    print(line)
    if a.json:
        pathlib.Path(a.json).write_text(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
