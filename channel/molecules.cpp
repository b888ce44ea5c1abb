// Physical redundancy: molecules per oligo and their amplification factors.
#include "channel/molecules.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "channel/random_streams.h"

namespace dnastore::channel {
namespace {

// Log of the mean pre-amplification share over the present oligos (-inf
// when none is), summed relative to the largest so that tiny yields (long
// TdT-terminator oligos) do not underflow.
double LogMeanPresentShare(const std::vector<OligoShare>& pre) {
  double top = -INFINITY;
  size_t present = 0;
  for (const OligoShare& s : pre)
    if (s.present) {
      top = std::max(top, s.log_weight);
      ++present;
    }
  if (present == 0) return -INFINITY;
  double sum = 0;
  for (const OligoShare& s : pre)
    if (s.present) sum += std::exp(s.log_weight - top);
  return top + std::log(sum / static_cast<double>(present));
}

// Molecules of one oligo: Poisson around its share of the aliquot
// (log_mean: LogMeanPresentShare).
uint32_t DrawCount(const OligoShare& pre, double pr, double log_mean, Rng& rng) {
  if (!pre.present || pr <= 0 || !std::isfinite(log_mean)) return 0;
  const double lambda = pr * std::exp(pre.log_weight - log_mean);
  return static_cast<uint32_t>(std::min<uint64_t>(rng.Poisson(lambda), 0xFFFFFFF0u));
}

}  // namespace

double MoleculeAmplification(int cycles, double efficiency, Rng& rng) {
  const int exact = std::min(cycles, kExactPcrCycles);
  uint64_t copies = 1;
  for (int c = 0; c < exact; ++c) copies += Binomial(rng, copies, efficiency);
  return static_cast<double>(copies) / std::pow(1.0 + efficiency, exact);
}

Result<MoleculeTable> MoleculeTable::Draw(const std::vector<OligoShare>& pre,
                                          const std::vector<double>& efficiency,
                                          const PcrParams& pcr, double physical_redundancy,
                                          uint64_t seed, std::vector<OligoShare>& shares) {
  const size_t n = pre.size();
  const double log_mean = LogMeanPresentShare(pre);
  if (physical_redundancy * static_cast<double>(n) > static_cast<double>(kMaxMolecules) / 2)
    return UsageError("sampling.physical_redundancy " + std::to_string(physical_redundancy) +
                      " x " + std::to_string(n) +
                      " oligos is more molecules than the simulator holds (" +
                      std::to_string(kMaxMolecules / 2) + ")");
  // Counts first, then the table; both passes replay oligo i's own stream.
  std::vector<uint32_t> count(n, 0);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n), [&](const tbb::blocked_range<size_t>& r) {
    for (size_t i = r.begin(); i != r.end(); ++i) {
      Rng rng(seed, MixIds(kStreamMolecules, i));
      count[i] = DrawCount(pre[i], physical_redundancy, log_mean, rng);
    }
  });
  MoleculeTable t;
  t.first_.assign(n + 1, 0);
  for (size_t i = 0; i < n; ++i) t.first_[i + 1] = t.first_[i] + count[i];
  if (t.first_[n] > kMaxMolecules)
    return UsageError("the pool's physical redundancy draws " + std::to_string(t.first_[n]) +
                      " molecules, more than the simulator holds (" +
                      std::to_string(kMaxMolecules) + ")");
  t.cum_.assign(t.first_[n], 0.0f);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n), [&](const tbb::blocked_range<size_t>& r) {
    for (size_t i = r.begin(); i != r.end(); ++i) {
      if (count[i] == 0) {
        shares[i].present = false;
        continue;
      }
      Rng rng(seed, MixIds(kStreamMolecules, i));
      DrawCount(pre[i], physical_redundancy, log_mean, rng);  // replayed: the factors follow it
      double sum = 0;
      float* cum = t.cum_.data() + t.first_[i];
      for (uint32_t k = 0; k < count[i]; ++k) {
        sum += MoleculeAmplification(pcr.cycles, efficiency[i], rng);
        cum[k] = static_cast<float>(sum);
      }
      for (uint32_t k = 0; k < count[i]; ++k) cum[k] = static_cast<float>(cum[k] / sum);
      cum[count[i] - 1] = 1.0f;
      shares[i].log_weight += std::log(sum);
    }
  });
  return t;
}

uint32_t MoleculeTable::Pick(uint32_t oligo, double u) const {
  const float* b = cum_.data() + first_[oligo];
  const float* e = cum_.data() + first_[oligo + 1];
  const float* it = std::upper_bound(b, e, static_cast<float>(u));
  return static_cast<uint32_t>(std::min<ptrdiff_t>(it - b, e - b - 1));
}

}  // namespace dnastore::channel
