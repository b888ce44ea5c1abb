// Enzymatic (TdT) synthesis, terminator-free and with terminators.
#include "channel/tdt_synthesis.h"

#include <algorithm>
#include <cmath>

namespace dnastore::channel {

TdtCycles::TdtCycles(const SynthesisParams& sp)
    : primer_5p_nt_(static_cast<uint32_t>(sp.primer_5p_nt)),
      primer_3p_nt_(static_cast<uint32_t>(sp.primer_3p_nt)) {
  for (int p = 0; p < 5; ++p)
    for (int c = 0; c < 4; ++c) {
      // P(run = k) = (1 - q) q^(k-1), mean 1 / (1 - q).
      double mean = std::max(1.0, sp.run_length_mean[p][c]);
      double q = 1.0 - 1.0 / mean;
      double* cdf = cdf_[p][c];
      double acc = sp.missed_cycle_rate;
      cdf[0] = acc;
      double pk = (1 - sp.missed_cycle_rate) * (1 - q);
      for (int k = 1; k <= kMaxRun; ++k) {
        acc += pk;
        cdf[k] = acc;
        pk *= q;
      }
      cdf[kMaxRun] = 1.0;  // the tail is folded into the longest run
    }
}

void TdtCycles::Synthesize(Rng& rng, Scratch& s, View& v, uint64_t* events) const {
  uint32_t lo = std::min<uint32_t>(primer_5p_nt_, v.n);
  uint32_t hi = v.n > primer_3p_nt_ ? v.n - primer_3p_nt_ : 0;
  if (lo >= hi) return;
  Buf& out = NextBuf(s);
  out.Clear(v.n * 3 + 16);
  out.Append(v, 0, lo);
  int prev = lo > 0 ? BaseCode(v.b[lo - 1]) : 4;
  if (prev < 0) prev = 4;
  for (uint32_t p = lo; p < hi; ++p) {
    int cur = BaseCode(v.b[p]);
    if (cur < 0) {
      out.Push(v.b[p], v.o[p]);
      continue;
    }
    // One uniform per cycle: inverse CDF over {missed, run 1, run 2, ...}.
    const double* cdf = cdf_[prev][cur];
    const double u = rng.Uniform();
    int k = 0;
    while (k < kMaxRun && u >= cdf[k]) ++k;
    if (k == 0) {
      ++events[2];
      continue;
    }
    out.Push(v.b[p], v.o[p]);
    if (k > 1) ++events[1];
    for (int e = 1; e < k; ++e) out.Push(v.b[p], -1);
    prev = cur;
  }
  out.Append(v, hi, v.n);
  v = out.view();
}

StageModel TdtTerminatorStage(const SynthesisParams& sp) {
  // Conditional on reaching full length (capped strands are lost), a step
  // fails and continues with probability (1-y)(1-c) / (1 - (1-y)c).
  StageModel s;
  s.stage = kStageSynthesis;
  double f = 1 - sp.coupling_yield;
  s.p_del = f * (1 - sp.capped_fraction) / (1 - f * sp.capped_fraction);
  s.p_ins = sp.n_plus_one_rate;
  s.ins_same_base = true;
  s.lo_margin = static_cast<uint32_t>(sp.primer_5p_nt);
  s.hi_margin = static_cast<uint32_t>(sp.primer_3p_nt);
  s.Finish();
  return s;
}

void AddCappingYield(const SynthesisParams& sp, double len_nt, OligoShare& share) {
  if (sp.model != SynthesisModel::kTdtTerminator) return;
  double steps = std::max(0.0, len_nt - sp.primer_5p_nt - sp.primer_3p_nt);
  share.log_weight += steps * std::log1p(-(1 - sp.coupling_yield) * sp.capped_fraction);
}

}  // namespace dnastore::channel
