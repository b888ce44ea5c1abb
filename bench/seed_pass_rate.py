#!/usr/bin/env python3
"""How many whitening seeds a payload needs (issue 13, format v2's lean seed).

A whitened payload is a random sequence; the encoder tries seeds until the
whole oligo (built-in primers + payload) has no homopolymer longer than H and
GC within 40-60%. Prints, per payload length and H, the pass rate of one
random oligo and the probability that every one of 16, 64 or 256 seeds fails
(an oligo the encoder cannot write).
  python3 bench/seed_pass_rate.py [SAMPLES]   (default 40000; ~1 minute)
"""
import random
import re
import sys

FWD = "CAGTGACTCAGCAGTACGTC"
REV = "GACTGCTCTGATCGAGTGAC"
COMP = {"A": "T", "C": "G", "G": "C", "T": "A"}
REV_RC = "".join(COMP[c] for c in reversed(REV))


def passes(oligo, h):
    gc = sum(c in "GC" for c in oligo) / len(oligo)
    if not 0.4 <= gc <= 0.6:
        return False
    return re.search("A{%d}|C{%d}|G{%d}|T{%d}" % ((h + 1,) * 4), oligo) is None


def main():
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 40000
    rng = random.Random(1)
    print("| payload nt | max homopolymer | pass rate | all 16 fail | all 64 fail | all 256 fail |")
    print("|---|---|---|---|---|---|")
    for length in (150, 200):
        for h in (3, 4, 5, 6):
            ok = sum(passes(FWD + "".join(rng.choice("ACGT") for _ in range(length)) + REV_RC, h)
                     for _ in range(samples))
            q = ok / samples
            print("| %d | %d | %.3f | %.1e | %.1e | %.1e |" %
                  (length, h, q, (1 - q) ** 16, (1 - q) ** 64, (1 - q) ** 256))


if __name__ == "__main__":
    main()
