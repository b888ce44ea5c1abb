#!/usr/bin/env bash
# Installs dependencies, builds, and runs the main job on the embedded sample:
# encode -> simulate (synthesis, PCR, Illumina sequencing) -> decode -> verify.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
BIN=build/cli/dnastore
SAMPLE=${1:-samples/hello_dna.txt}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dnastore-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "== encode: $SAMPLE"
$BIN encode "$SAMPLE" -o "$WORK/pool.fasta" --json "$WORK/encode.json"
echo "== simulate: Twist-like synthesis + Q5 PCR + Illumina, 10x coverage"
$BIN simulate "$WORK/pool.fasta" -o "$WORK/reads.fastq.gz" --preset illumina --coverage 10 --seed 7
echo "== decode: noisy reads -> file"
$BIN decode "$WORK/reads.fastq.gz" -o "$WORK/recovered" --report "$WORK/decode.json"
echo "== verify"
if cmp -s "$SAMPLE" "$WORK/recovered"; then
  echo "OK: recovered $(stat -c %s "$SAMPLE") bytes, identical to $SAMPLE"
else
  echo "FAILED: the recovered file differs from $SAMPLE" >&2
  exit 1
fi
