// Physical redundancy (dt4dds workflows' "initial coverage"): the molecules
// of each oligo that an aliquot takes from the synthesized pool before it is
// amplified. An oligo then has a small, countable set of molecules; each
// keeps its own synthesis (and storage) errors, which every PCR descendant
// and hence every read of it inherits, and each amplifies by its own random
// factor, so one molecule can dominate an oligo's reads (a jackpot).
//
// Model, per oligo i with pre-amplification share s_i (copy number, yield,
// decay survival; sampling.h): molecules m_i ~ Poisson(PR * s_i / mean(s))
// over the present oligos, PR = SamplingParams::physical_redundancy, so the
// aliquot holds PR molecules per oligo present after synthesis on average
// (the aliquot is taken after storage: decay and yield shape the shares, not
// the total). Molecule k's
// amplification is a Galton-Watson branching process at the oligo's PCR
// efficiency e: the first kExactPcrCycles cycles are drawn exactly (each
// copy duplicates with probability e; they set > 95% of the spread), the
// rest multiply by their mean. Reads are then split over oligos by
// (PCR gain x sum of the molecules' factors) and, within an oligo, over its
// molecules by their factors: one multinomial over all molecules, drawn in
// two steps. Every draw about oligo i comes from its own stream.
#pragma once

#include <cstdint>
#include <vector>

#include "channel/sampling.h"
#include "dnastore/channel_config.h"

namespace dnastore::channel {

inline constexpr int kExactPcrCycles = 5;

// Most molecules the table holds (4-byte weights): PR x oligos beyond this is
// refused with a clear error rather than allocated.
inline constexpr uint64_t kMaxMolecules = uint64_t{1} << 31;

class MoleculeTable {
 public:
  MoleculeTable() = default;  // empty: physical redundancy is not modelled

  // Draws the molecules of every oligo from `pre` (shares before
  // amplification; log_weight and present) and the oligo PCR efficiencies,
  // and rewrites `shares` (which must hold the PCR gain in log_weight) to
  // the amplified molecules' total. An oligo with no molecule is no longer
  // present. Error: kUsage when PR x oligos exceeds kMaxMolecules.
  static Result<MoleculeTable> Draw(const std::vector<OligoShare>& pre,
                                    const std::vector<double>& efficiency, const PcrParams& pcr,
                                    double physical_redundancy, uint64_t seed,
                                    std::vector<OligoShare>& shares);

  bool enabled() const { return !first_.empty(); }
  uint64_t total() const { return cum_.size(); }
  uint32_t Count(uint32_t oligo) const {
    return static_cast<uint32_t>(first_[oligo + 1] - first_[oligo]);
  }
  // The molecule (0 .. Count(oligo)-1) a read with uniform u in [0, 1) comes
  // from, in proportion to the molecules' amplification factors. Requires
  // Count(oligo) > 0.
  uint32_t Pick(uint32_t oligo, double u) const;

 private:
  std::vector<uint64_t> first_;  // per oligo, index of its first molecule; size n+1
  std::vector<float> cum_;       // per molecule, cumulative factor within its oligo (last = 1)
};

// One molecule's amplification factor relative to the mean (1 + e)^cycles:
// exact branching over min(cycles, kExactPcrCycles) cycles.
double MoleculeAmplification(int cycles, double efficiency, Rng& rng);

}  // namespace dnastore::channel
