// Enzymatic (TdT) synthesis, both chemistries. The ligated primers
// (primer_5p_nt, primer_3p_nt) are never perturbed.
//
// Terminator-free (Lee et al., Nat. Commun. 2019): each designed base is one
// cycle that adds a run of that base, geometric with mean
// run_length_mean[prev][cur], or nothing (missed_cycle_rate).
//
// With reversible terminators: stepwise coupling with yield coupling_yield; a
// failed coupling is capped (truncated product, lost) or continues uncapped
// (a deletion); n+1 double additions insert a copy of the base.
#pragma once

#include <cstdint>

#include "channel/mutation.h"
#include "channel/sampling.h"
#include "core/rng.h"
#include "dnastore/channel_config.h"

namespace dnastore::channel {

// Terminator-free TdT: the outcome distribution of one cycle.
class TdtCycles {
 public:
  static constexpr int kMaxRun = 50;
  TdtCycles() = default;
  explicit TdtCycles(const SynthesisParams& sp);
  // Synthesizes v's designed bases outside the primers, one cycle each;
  // events[1] counts runs longer than one base, events[2] missed cycles.
  void Synthesize(Rng& rng, Scratch& s, View& v, uint64_t* events) const;

 private:
  // CDF per (prev, cur) over index 0 = missed cycle, k = run of k bases
  // (geometric with the configured mean, capped at kMaxRun). prev 4 = none.
  double cdf_[5][4][kMaxRun + 1] = {};
  uint32_t primer_5p_nt_ = 0, primer_3p_nt_ = 0;
};

// TdT with terminators: the per-molecule error stage of full-length products.
StageModel TdtTerminatorStage(const SynthesisParams& sp);

// TdT with terminators: capped strands are lost, lowering the oligo's share
// (no effect for other chemistries).
void AddCappingYield(const SynthesisParams& sp, double len_nt, OligoShare& share);

}  // namespace dnastore::channel
