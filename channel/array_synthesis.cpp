// Phosphoramidite (array) synthesis.
#include "channel/array_synthesis.h"

#include <cmath>

namespace dnastore::channel {

StageModel ArraySynthesisStage(const SynthesisParams& sp) {
  StageModel s;
  s.stage = kStageSynthesis;
  s.p_sub = sp.substitution_rate;
  s.p_ins = sp.insertion_rate;
  s.p_del = sp.deletion_rate;
  s.del_len = LengthCdf(sp.deletion_length_weights);
  s.ins_len = LengthCdf(sp.insertion_length_weights);
  s.sub = SubTable(sp.substitution_bias);
  s.del_5p_excess = sp.deletion_5p_excess;
  s.del_5p_decay_nt = sp.deletion_5p_decay_nt;
  s.Finish();
  return s;
}

void AddTruncationYield(const SynthesisParams& sp, double len_nt, OligoShare& share) {
  if (sp.truncation_rate > 0) share.log_weight += len_nt * std::log1p(-sp.truncation_rate);
}

}  // namespace dnastore::channel
