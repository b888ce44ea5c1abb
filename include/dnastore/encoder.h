// File -> self-describing oligo pool (FASTA). Library dnastore::codec.
//
//   EncodeOptions opts;                       // defaults encode as they are
//   Status st = EncodeFile("photo.jpg", "pool.fasta", opts, nullptr, nullptr);
//
// The pool carries its own header (format, parameters, primers, file name,
// size, XXH3-128 hash), so DecodeFile needs nothing but the reads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "dnastore/archive.h"
#include "dnastore/status.h"

namespace dnastore {

// How to encode. A plain value; the defaults give a working design (built-in
// primers, 20 + 150 + 20 nt oligos, direct mapping, 20% parity).
struct EncodeOptions {
  OligoGeometry geometry;  // primers, payload length, mapping, constraints
  // Fraction of each full codeword that is parity, 0 < redundancy < 1
  // (DensityPresetRedundancy gives the named presets).
  double redundancy = 0.20;
  int stripe_blocks = 64;  // codewords per stripe, >= 1 (memory ~ 255 * B * D bytes)
  int header_copies = 8;   // replicas of each header chunk, 1..64
  // Archive format: kFormatVersion (v1, RS(255) stripes) or kFormatVersion2
  // (v2, two-level RS product blocks; stripe_blocks is then unused).
  int format_version = kFormatVersion;
  int threads = 1;        // worker threads, >= 1; the pool does not depend on it
  std::string file_name;  // stored in the header; empty = the input's base name
};

struct EncodeSummary {
  ArchiveParams params;
  uint64_t data_oligos = 0;
  uint64_t parity_oligos = 0;
  uint64_t header_oligos = 0;
  uint64_t total_oligos = 0;
  uint64_t total_nt = 0;           // all bases written, primers included
  uint64_t payload_nt = 0;         // bases between the primers
  double bits_per_nt_payload = 0;  // file bits / payload nt (net density)
  double bits_per_nt_total = 0;    // file bits / all nt
  double parity_fraction = 0;      // p / (k + p) of a full codeword
  int smallest_codeword_n = 0;     // oligos in the smallest (shortened) codeword
  int smallest_codeword_p = 0;     // its parity oligos (v2: a row and its slot parity)
  uint64_t blocks = 0;             // v2: product blocks
  double seconds = 0;
};

// Progress callback: (bytes of input processed, total input bytes). Called
// after each stripe is written, never concurrently, possibly from a worker
// thread; it must not throw.
using ProgressFn = std::function<void(uint64_t, uint64_t)>;

// Derives the archive parameters for a file of `file_size` bytes without
// encoding anything. Errors: kUsage for unusable options (as EncodeFile).
Result<ArchiveParams> PlanArchive(const EncodeOptions& options, uint64_t file_size);

// Encodes `input_path` ("-" = stdin, spooled to a temporary file) into a FASTA
// pool at `output_path` ("-" = stdout). Header oligos come first, then data
// and parity oligos in index order. Memory is bounded by one stripe, not by
// the file. Deterministic: same input and options give the same pool at any
// thread count. `progress` and `summary` may be null; `summary` is filled
// only on success. Errors: kIo (unreadable input, unwritable output),
// kUsage (bad options), kBadInput (input not representable).
Status EncodeFile(const std::string& input_path, const std::string& output_path,
                  const EncodeOptions& options, const ProgressFn& progress, EncodeSummary* summary);

// Loss tolerance of a design: the probability that a codeword of n slots with
// p parity fails when each oligo is lost independently with probability q.
double CodewordFailureProbability(int n, int p, double q);

}  // namespace dnastore

namespace dnastore {

// Largest independent per-oligo loss probability q (to 0.1%) at which the
// whole archive still decodes with probability >= success (each codeword
// group decodes when its losses do not exceed its parity).
double RandomLossTolerance(const ArchiveParams& params, double success);

}  // namespace dnastore

namespace dnastore {

// Parity share of the density presets: "dense" (30 of 255 oligos),
// "balanced" (45, the default), "robust" (85). Returns -1 for other names.
double DensityPresetRedundancy(const std::string& preset);

}  // namespace dnastore
