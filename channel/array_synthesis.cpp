// Phosphoramidite (array) synthesis.
#include "channel/array_synthesis.h"

#include <cmath>

namespace dnastore::channel {

StageModel ArraySynthesisStage(const SynthesisParams& sp) {
  StageModel s = ErrorStage(kStageSynthesis, sp);
  s.del_5p_excess = sp.deletion_5p_excess;
  s.del_5p_decay_nt = sp.deletion_5p_decay_nt;
  if (sp.primers_attached) {
    s.lo_margin = static_cast<uint32_t>(sp.primer_5p_nt);
    s.hi_margin = static_cast<uint32_t>(sp.primer_3p_nt);
  }
  s.Finish();
  return s;
}

void AddTruncationYield(const SynthesisParams& sp, double len_nt, OligoShare& share) {
  if (sp.truncation_rate > 0) share.log_weight += len_nt * std::log1p(-sp.truncation_rate);
}

}  // namespace dnastore::channel
