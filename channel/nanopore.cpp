// Nanopore sequencing: homopolymer errors and continuous qualities.
#include "channel/nanopore.h"

#include <algorithm>
#include <cmath>

#include "channel/quality_model.h"
#include "core/phred.h"

namespace dnastore::channel {

void SetNanoporeErrors(const SequencingParams& sq, StageModel& s) {
  s.mode = FactorMode::kHomopolymer;
  s.hp_factor = sq.homopolymer_error_factor;
  s.hp_min = sq.homopolymer_min_nt;
}

void FillNanoporeQualities(SequencingModel model, Rng& rng, QualityModel& q) {
  // Correct bases ~N(mu, 4) with a drifting mean along the read (R10 mu 20,
  // R9 mu 13; Chandak et al. report mean Q 15.5 over all bases), errors
  // ~N(6, 2.5).
  const double mu = model == SequencingModel::kNanoporeR10 ? 20.0 : 13.0;
  for (int row = 0; row < kQualityBankRows; ++row) {
    std::string& s = q.rows[row];
    s.resize(q.row_len);
    double drift = 0;
    for (uint32_t i = 0; i < q.row_len; ++i) {
      drift = 0.8 * drift + 0.6 * 4.0 * rng.Normal();
      double qv = std::clamp(std::round(mu + drift), 3.0, 50.0);
      s[i] = PhredChar(static_cast<int>(qv));
    }
  }
  for (int i = 0; i < 256; ++i) {
    double qv = std::clamp(std::round(6.0 + 2.5 * rng.Normal()), 1.0, 15.0);
    q.error_q[i] = PhredChar(static_cast<int>(qv));
  }
}

}  // namespace dnastore::channel
