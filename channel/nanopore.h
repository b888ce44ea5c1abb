// Nanopore sequencing (Badread model analysis; Chandak et al. 2020): errors
// of every type at a few percent, indels likelier inside homopolymers, and
// continuous qualities.
#pragma once

#include <cstdint>

#include "channel/mutation.h"
#include "core/rng.h"
#include "dnastore/channel_config.h"

namespace dnastore::channel {

struct QualityModel;

// Error-rate factor at token p: hp_factor inside a homopolymer of at least
// hp_min bases (Badread: x1.5-4.6), else 1.
inline double HomopolymerFactor(const View& v, uint32_t p, int hp_min, double hp_factor) {
  uint32_t a = p, b = p;
  while (a > 0 && v.b[a - 1] == v.b[p]) --a;
  while (b + 1 < v.n && v.b[b + 1] == v.b[p]) ++b;
  return b - a + 1 >= static_cast<uint32_t>(hp_min) ? hp_factor : 1.0;
}

// The nanopore parts of a sequencing stage: the homopolymer factor.
void SetNanoporeErrors(const SequencingParams& sq, StageModel& s);

// Fills the bank rows (q.row_len each) and the error qualities with
// continuous Phred scores for R10.4.1 or R9.4.1.
void FillNanoporeQualities(SequencingModel model, Rng& rng, QualityModel& q);

}  // namespace dnastore::channel
