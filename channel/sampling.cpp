// Sampling: copy numbers, multinomial read counts, read index and order.
#include "channel/sampling.h"

#include <algorithm>
#include <cmath>

#include "channel/random_streams.h"

namespace dnastore::channel {
namespace {

constexpr size_t kCoverageBins = 1001;

}  // namespace

uint64_t Binomial(Rng& rng, uint64_t n, double p) {
  if (n == 0 || p <= 0) return 0;
  if (p >= 1) return n;
  bool flip = p > 0.5;
  double q = flip ? 1 - p : p;
  double mean = static_cast<double>(n) * q;
  uint64_t k;
  if (mean < 300) {
    double f = std::exp(static_cast<double>(n) * std::log1p(-q));
    double u = rng.Uniform();
    double ratio = q / (1 - q);
    k = 0;
    while (u > f && k < n) {
      u -= f;
      f *= ratio * static_cast<double>(n - k) / static_cast<double>(k + 1);
      ++k;
      if (f <= 0) break;
    }
  } else {
    double x = std::round(mean + std::sqrt(mean * (1 - q)) * rng.Normal());
    k = x < 0 ? 0 : (x > static_cast<double>(n) ? n : static_cast<uint64_t>(x));
  }
  return flip ? n - k : k;
}

namespace {

// Shares as weights relative to the largest present one (0 when absent).
std::vector<double> RelativeWeights(const std::vector<OligoShare>& shares) {
  const size_t n = shares.size();
  double maxlw = -1e300;
  for (size_t i = 0; i < n; ++i)
    if (shares[i].present) maxlw = std::max(maxlw, shares[i].log_weight);
  std::vector<double> w(n, 0.0);
  for (size_t i = 0; i < n; ++i)
    w[i] = shares[i].present ? std::exp(shares[i].log_weight - maxlw) : 0.0;
  return w;
}

}  // namespace

void DrawCopyNumber(const SynthesisParams& sp, Rng& rng, OligoShare& share) {
  double z = rng.Normal();
  share.log_weight += sp.copy_sigma * z - 0.5 * sp.copy_sigma * sp.copy_sigma;
  if (rng.Uniform() < sp.dropout_fraction) share.present = false;
}

uint64_t TotalReads(const SamplingParams& sampling, size_t oligos) {
  return sampling.read_count ? sampling.read_count
                             : static_cast<uint64_t>(
                                   std::llround(sampling.coverage_x * static_cast<double>(oligos)));
}

// Sequential conditional binomials: oligo i gets Binomial(left, w_i / sum of
// w over i and the oligos after it).
std::vector<uint32_t> DrawReadCounts(const std::vector<OligoShare>& shares, uint64_t total,
                                     uint64_t seed) {
  const size_t n = shares.size();
  const std::vector<double> w = RelativeWeights(shares);
  std::vector<long double> suffix(n + 1, 0.0L);
  for (size_t i = n; i-- > 0;) suffix[i] = suffix[i + 1] + w[i];
  if (suffix[0] <= 0) total = 0;  // everything dropped out
  std::vector<uint32_t> counts(n, 0);
  Rng rng(seed, MixIds(kStreamSampling, 0));
  uint64_t left = total;
  for (size_t i = 0; i < n && left > 0; ++i) {
    if (w[i] <= 0) continue;
    double p = static_cast<double>(w[i] / suffix[i]);
    uint64_t c = i + 1 == n ? left : Binomial(rng, left, p);
    if (c > 0xFFFFFFFFULL) c = 0xFFFFFFFFULL;
    counts[i] = static_cast<uint32_t>(c);
    left -= c;
  }
  if (left > 0) {  // the last present oligos absorbed rounding
    for (size_t i = n; i-- > 0 && left > 0;)
      if (w[i] > 0) {
        counts[i] += static_cast<uint32_t>(left);
        left = 0;
      }
  }
  return counts;
}

std::vector<uint32_t> FixedReadCounts(const std::vector<OligoShare>& shares, uint32_t reads) {
  std::vector<uint32_t> counts(shares.size(), 0);
  for (size_t i = 0; i < shares.size(); ++i)
    if (shares[i].present) counts[i] = reads;
  return counts;
}

SimulateStats CoverageStats(const std::vector<uint32_t>& counts) {
  const size_t n = counts.size();
  SimulateStats ps;
  ps.oligos = n;
  ps.coverage_histogram.assign(kCoverageBins, 0);
  double sum = 0, sum2 = 0;
  for (uint32_t c : counts) {
    ++ps.coverage_histogram[std::min<size_t>(c, kCoverageBins - 1)];
    if (c == 0) ++ps.zero_read_oligos;
    sum += c;
    sum2 += static_cast<double>(c) * c;
  }
  size_t last = ps.coverage_histogram.size();
  while (last > 1 && ps.coverage_histogram[last - 1] == 0) --last;
  ps.coverage_histogram.resize(last);
  ps.dropout_fraction = static_cast<double>(ps.zero_read_oligos) / static_cast<double>(n);
  ps.mean_coverage_x = sum / static_cast<double>(n);
  double var = sum2 / static_cast<double>(n) - ps.mean_coverage_x * ps.mean_coverage_x;
  ps.coverage_cv = ps.mean_coverage_x > 0 ? std::sqrt(std::max(0.0, var)) / ps.mean_coverage_x : 0;
  return ps;
}

ReadIndex::ReadIndex(const std::vector<uint32_t>& counts) {
  const size_t n = counts.size();
  start_.assign(n + 1, 0);
  for (size_t i = 0; i < n; ++i) start_[i + 1] = start_[i] + counts[i];
  block_oligo_.resize((start_[n] >> kBlockShift) + 1);
  uint32_t o = 0;
  for (size_t b = 0; b < block_oligo_.size(); ++b) {
    uint64_t j = static_cast<uint64_t>(b) << kBlockShift;
    while (o + 1 < n && start_[o + 1] <= j) ++o;
    block_oligo_[b] = o;
  }
}

ReadOrder::ReadOrder(uint64_t total, uint64_t seed) : total_(total) {
  int bits = 2;
  while (bits < 62 && (1ULL << bits) < total) ++bits;
  if (bits % 2) ++bits;
  half_bits_ = bits / 2;
  for (int r = 0; r < 4; ++r) keys_[r] = Rng(seed, MixIds(kStreamShuffle, r)).Next();
}

uint64_t ReadOrder::Permute(uint64_t k) const {
  // Balanced Feistel network over 2*half_bits bits, cycle-walking into [0, total).
  const uint64_t mask = (1ULL << half_bits_) - 1;
  uint64_t x = k;
  do {
    uint64_t l = x >> half_bits_, r = x & mask;
    for (int round = 0; round < 4; ++round) {
      uint64_t st = r ^ keys_[round];
      uint64_t f = SplitMix64(st) & mask;
      uint64_t nl = r;
      r = l ^ f;
      l = nl;
    }
    x = (l << half_bits_) | r;
  } while (x >= total_);
  return x;
}

}  // namespace dnastore::channel
