// Phosphoramidite (array) synthesis: the twist, array-lowq and none models.
// Per molecule, substitutions, insertions and deletions at per-nt rates
// (deletions likelier at the 5' end; error clustering via rate_sigma); per
// oligo, truncated products that lower its yield. With primers_attached the
// primers carry no synthesis errors (they were ligated or added by PCR).
#pragma once

#include "channel/mutation.h"
#include "channel/sampling.h"
#include "dnastore/channel_config.h"

namespace dnastore::channel {

// The per-molecule error stage of phosphoramidite synthesis. "none" still
// honours explicitly configured rates.
StageModel ArraySynthesisStage(const SynthesisParams& sp);

// Truncated products (truncation_rate per nt, any chemistry) carry no 5'
// primer and do not amplify: they only lower the oligo's share.
void AddTruncationYield(const SynthesisParams& sp, double len_nt, OligoShare& share);

}  // namespace dnastore::channel
