// PCR (dt4dds pcr_*.yaml, properties.yaml): per-oligo efficiency around the
// mean, amplification (1 + e)^cycles, and polymerase substitutions inherited
// through the copying events of a molecule's lineage.
#pragma once

#include "channel/mutation.h"
#include "channel/sampling.h"
#include "core/rng.h"
#include "dnastore/channel_config.h"

namespace dnastore::channel {

// The per-molecule substitution stage of amplification.
StageModel PcrStage(const PcrParams& pc);

// Draws the oligo's efficiency and multiplies its share by its amplification;
// returns the efficiency. The draw is taken even with 0 cycles (the oligo's
// stream stays the same).
double Amplify(const PcrParams& pc, Rng& rng, OligoShare& share);

}  // namespace dnastore::channel
