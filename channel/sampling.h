// Sampling: how many molecules of each oligo reach sequencing, how many reads
// each oligo gets, and in which order the reads are written.
//
// Per oligo, the stages multiply its share of the final pool (synthesis copy
// number and yield, decay survival, PCR amplification; kept in the log
// domain in an OligoShare). The reads per oligo are then one multinomial draw
// over those shares (dt4dds; Chen 2020), so dropout and coverage skew arise
// from the model. Reads are numbered by oligo ("sorted" read j) and written in
// a seeded pseudo-random order.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "dnastore/channel.h"
#include "dnastore/channel_config.h"

namespace dnastore::channel {

// One oligo's share of the molecules that reach sequencing.
struct OligoShare {
  double log_weight = 0;  // log of the relative share
  bool present = true;    // false: missing from the synthesized pool
};

// Synthesis copy number: log-normal with mean 1 (copy_sigma), and dropout.
void DrawCopyNumber(const SynthesisParams& sp, Rng& rng, OligoShare& share);

// Binomial(n, p) draw: inversion for small means, a rounded normal for means
// >= 300 (where its error is negligible for coverage).
uint64_t Binomial(Rng& rng, uint64_t n, double p);

// Reads to draw in total: read_count, or coverage_x per oligo.
uint64_t TotalReads(const SamplingParams& sampling, size_t oligos);

// Reads per oligo: `total` reads split multinomially over the present
// oligos in proportion to their shares (none when no oligo is present),
// drawn from (seed, kStreamSampling).
std::vector<uint32_t> DrawReadCounts(const std::vector<OligoShare>& shares, uint64_t total,
                                     uint64_t seed);

// Reads per oligo with SamplingParams::fixed_coverage: `reads` for every
// present oligo, none for the others.
std::vector<uint32_t> FixedReadCounts(const std::vector<OligoShare>& shares, uint32_t reads);

// The coverage part of the stats: oligos, coverage histogram, zero-read
// oligos, dropout fraction, mean and CV of reads per oligo.
SimulateStats CoverageStats(const std::vector<uint32_t>& counts);

// Sorted read j -> its oligo (reads of oligo 0 first, then oligo 1, ...).
class ReadIndex {
 public:
  ReadIndex() = default;
  explicit ReadIndex(const std::vector<uint32_t>& counts);
  uint64_t total() const { return start_.back(); }
  uint32_t Locate(uint64_t j) const {
    uint32_t o = block_oligo_[j >> kBlockShift];
    while (start_[o + 1] <= j) ++o;
    return o;
  }

 private:
  static constexpr int kBlockShift = 6;
  std::vector<uint64_t> start_ = {0};  // prefix sums of counts, size n+1
  std::vector<uint32_t> block_oligo_;  // oligo holding sorted read b << kBlockShift
};

// Output order: a seeded permutation of [0, total) (a balanced Feistel
// network with cycle walking), so output read k is sorted read Permute(k).
class ReadOrder {
 public:
  ReadOrder() = default;
  ReadOrder(uint64_t total, uint64_t seed);
  uint64_t Permute(uint64_t k) const;

 private:
  uint64_t total_ = 0;
  int half_bits_ = 1;
  uint64_t keys_[4] = {};
};

}  // namespace dnastore::channel
