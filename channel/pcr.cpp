// PCR: amplification per oligo, substitutions per molecule.
#include "channel/pcr.h"

#include <algorithm>
#include <cmath>

namespace dnastore::channel {

StageModel PcrStage(const PcrParams& pc) {
  // A molecule after c cycles descends through ~c*e/(1+e) copying events
  // (each cycle it is a new copy with probability e/(1+e)).
  StageModel s;
  s.stage = kStagePcr;
  if (pc.cycles > 0) {
    s.p_sub = pc.substitution_rate_per_cycle / pc.fidelity * pc.cycles * pc.efficiency /
              (1 + pc.efficiency);
  }
  s.sub = SubTable(pc.substitution_bias);
  s.Finish();
  return s;
}

double Amplify(const PcrParams& pc, Rng& rng, OligoShare& share) {
  double z = rng.Normal();
  double e = std::clamp(pc.efficiency + pc.efficiency_sd * z, 0.0, 1.0);
  if (pc.cycles > 0) share.log_weight += pc.cycles * std::log1p(e);
  return e;
}

}  // namespace dnastore::channel
