// Decay during storage (dt4dds aging): deamination-dominated substitutions
// in every molecule, and strand breaks that remove molecules from the
// amplifiable pool (broken strands lose a primer), G/A-biased.
#pragma once

#include <string_view>

#include "channel/mutation.h"
#include "channel/sampling.h"
#include "dnastore/channel_config.h"

namespace dnastore::channel {

// The per-molecule substitution stage of storage.
StageModel DecayStage(const DecayParams& dc);

// Strand breaks: the surviving share of an oligo's strands.
class StrandBreaks {
 public:
  // Rates per base such that a uniform strand of mean length mean_len_nt
  // survives one half-life with probability 0.5.
  StrandBreaks(const DecayParams& dc, double mean_len_nt);
  // Multiplies the share by the oligo's survival over dc.halflives.
  void Apply(std::string_view seq, OligoShare& share) const;

 private:
  double halflives_;
  double break_rate_[4];  // per nt per half-life, by base A, C, G, T
};

}  // namespace dnastore::channel
