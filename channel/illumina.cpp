// Illumina sequencing: error profile, binned qualities, paired-end templates.
#include "channel/illumina.h"

#include "channel/quality_model.h"
#include "core/phred.h"

namespace dnastore::channel {

void SetIlluminaErrors(const SequencingParams& sq, int mate, StageModel& s) {
  s.p_sub = mate == 1 ? sq.substitution_rate_r2 : sq.substitution_rate;
  s.mode = FactorMode::kIllumina;
  s.end_factor = sq.end_error_factor;
}

void FillIlluminaQualities(Rng& rng, QualityModel& q) {
  // NovaSeq-style 4-bin qualities (2, 12, 23, 37). Correct bases are mostly
  // Q37 with lower bins becoming commoner toward the read end; bases with an
  // injected error mostly get Q2/Q12, as real base callers report them.
  const int bins[4] = {2, 12, 23, 37};
  const double nominal = 150.0;
  for (int row = 0; row < kQualityBankRows; ++row) {
    std::string& s = q.rows[row];
    s.resize(q.row_len);
    int prev = 3;
    for (uint32_t i = 0; i < q.row_len; ++i) {
      double x = std::min(1.0, i / nominal);
      double p_low = 0.03 + 0.12 * x * x;
      double u = rng.Uniform();
      int b;
      if (prev < 3 && rng.Uniform() < 0.35) {
        b = prev;  // low-quality stretches persist
      } else if (u >= p_low) {
        b = 3;
      } else {
        double v = u / p_low;
        b = v < 0.65 ? 2 : (v < 0.92 ? 1 : 0);
      }
      prev = b;
      s[i] = PhredChar(bins[b]);
    }
  }
  for (int i = 0; i < 256; ++i) {
    double v = (i + 0.5) / 256.0;
    int b = v < 0.40 ? 0 : (v < 0.80 ? 1 : (v < 0.95 ? 2 : 3));
    q.error_q[i] = PhredChar(bins[b]);
  }
}

void BuildMateTemplates(const View& fragment, bool reverse, const SequencingParams& sq,
                        std::string (&templates)[2]) {
  const uint32_t rl = static_cast<uint32_t>(sq.read_length_nt);
  std::string& t1 = templates[0];
  std::string& t2 = templates[1];
  t1.clear();
  t2.clear();
  AppendOriented(t1, fragment, reverse, fragment.n);
  AppendOriented(t2, fragment, !reverse, fragment.n);
  t1 += sq.adapter_r1;
  t2 += sq.adapter_r2;
  // Past the adapter a 2-colour sequencer reads dark cycles as G.
  if (t1.size() < rl + 32) t1.append(rl + 32 - t1.size(), 'G');
  if (t2.size() < rl + 32) t2.append(rl + 32 - t2.size(), 'G');
}

}  // namespace dnastore::channel
