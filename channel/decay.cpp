// Decay: substitutions per molecule, strand breaks per oligo.
#include "channel/decay.h"

#include <cmath>

#include "core/dna.h"

namespace dnastore::channel {

StageModel DecayStage(const DecayParams& dc) {
  StageModel s;
  s.stage = kStageDecay;
  s.p_sub = dc.substitution_rate_per_halflife * dc.halflives;
  s.sub = SubTable(dc.substitution_bias);
  s.Finish();
  return s;
}

StrandBreaks::StrandBreaks(const DecayParams& dc, double mean_len_nt) : halflives_(dc.halflives) {
  double wsum = dc.break_base_weights[0] + dc.break_base_weights[1] + dc.break_base_weights[2] +
                dc.break_base_weights[3];
  for (int b = 0; b < 4; ++b)
    break_rate_[b] = std::log(2.0) * (dc.break_base_weights[b] / (wsum / 4.0)) / mean_len_nt;
}

void StrandBreaks::Apply(std::string_view seq, OligoShare& share) const {
  if (!(halflives_ > 0)) return;
  double hazard = 0;
  for (char c : seq) hazard += break_rate_[BaseCode(c)];
  share.log_weight -= halflives_ * hazard;
}

}  // namespace dnastore::channel
