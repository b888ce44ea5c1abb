// Outer-code candidates for archive format v2 (issue 13), measured side by
// side: how much random oligo loss each survives per parity spent, and how
// fast it encodes. Prints a markdown report (docs/outer_code_comparison.md
// holds one, with the command).
//
// Candidates:
//  - rs255: today's v1 code, Reed-Solomon over GF(2^8) across the 255 slots
//    of a stripe (ISA-L). Each codeword sees the binomial tail of losses.
//  - product: two levels of RS(255) on ISA-L, rows across a stripe's slots
//    and columns across up to 255 stripes, decoded by iterating rows and
//    columns (erasures only here; RS also corrects errors at 2 parity each).
//  - long MDS: any code that decodes from any k of its n <= 65535 symbols
//    (RS over GF(2^16), or RaptorQ up to its ~2-symbol overhead): the bound
//    the others are held against. Its speed is measured where a library is
//    present: gf-complete's GF(2^16) region multiply (an RS encode costs one
//    per parity symbol per data symbol) and liblcrq's RaptorQ.
//
// Loss model: every oligo is lost independently with probability `loss`
// (dropout plus strands rejected by the inner check); success = the whole
// file decodes. Reported: the highest loss (step 0.25%) decoded in >= 99%
// of files.
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "codec/product_code.h"
#include "codec/reed_solomon.h"
#include "core/rng.h"

#ifdef DNASTORE_HAVE_GF_COMPLETE
extern "C" {
#include <gf_complete.h>
}
#endif
#ifdef DNASTORE_HAVE_LCRQ
extern "C" {
#include <lcrq.h>
}
#endif

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

constexpr double kTarget = 0.99;  // files decoded
constexpr double kLossStep = 0.0025;
constexpr int kSlots = 255;    // RS(255) symbols per codeword
constexpr int kLongN = 65535;  // longest GF(2^16) RS codeword

// log P(Binomial(n, p) > t), by summing the upper tail in log space.
double LogTailAbove(int n, double p, int t) {
  if (t >= n) return -INFINITY;
  const double lp = std::log(p), lq = std::log1p(-p);
  double best = -INFINITY, sum = 0;
  std::vector<double> terms;
  for (int j = t + 1; j <= n; ++j) {
    const double l = std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0) +
                     j * lp + (n - j) * lq;
    terms.push_back(l);
    best = std::max(best, l);
    if (l < best - 40) break;  // the rest is negligible
  }
  for (double l : terms) sum += std::exp(l - best);
  return best + std::log(sum);
}

// P(success) of `words` independent codewords of n symbols with `parity`
// each: every one must lose at most `parity`.
double WordsSucceed(int words, int n, int parity, double loss) {
  const double tail = std::exp(LogTailAbove(n, loss, parity));
  return std::pow(1.0 - std::min(1.0, tail), words);
}

double Rs255Success(uint64_t data, double parity_fraction, double loss) {
  const int p = static_cast<int>(std::lround(parity_fraction * kSlots));
  const int k = kSlots - p;
  return WordsSucceed(static_cast<int>((data + k - 1) / k), kSlots, p, loss);
}

// Long MDS code: the fewest codewords of at most kLongN symbols.
double LongSuccess(uint64_t data, double parity_fraction, double loss) {
  const double total = static_cast<double>(data) / (1 - parity_fraction);
  const int words = static_cast<int>(std::ceil(total / kLongN));
  const int n = static_cast<int>(std::ceil(total / words));
  const int p = static_cast<int>(std::lround(parity_fraction * n));
  return WordsSucceed(words, n, p, loss);
}

// One product block of `rows` x 255 slots (p2 parity rows, p1 parity slots
// per row) with i.i.d. losses: decodable by iterating rows and columns?
bool ProductBlockDecodes(int rows, int p1, int p2, double loss, dnastore::Rng& rng,
                         std::vector<uint8_t>& lost) {
  lost.assign(static_cast<size_t>(rows) * kSlots, 0);
  const double log_q = std::log1p(-loss);
  for (double pos = std::floor(std::log(1 - rng.Uniform()) / log_q); pos < lost.size();
       pos += 1 + std::floor(std::log(1 - rng.Uniform()) / log_q))
    lost[static_cast<size_t>(pos)] = 1;
  std::vector<int> row_lost(rows, 0), col_lost(kSlots, 0);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < kSlots; ++c) {
      row_lost[r] += lost[r * kSlots + c];
      col_lost[c] += lost[r * kSlots + c];
    }
  for (bool changed = true; changed;) {
    changed = false;
    for (int r = 0; r < rows; ++r) {
      if (row_lost[r] == 0 || row_lost[r] > p1) continue;
      for (int c = 0; c < kSlots; ++c)
        if (lost[r * kSlots + c]) {
          lost[r * kSlots + c] = 0;
          --col_lost[c];
        }
      row_lost[r] = 0;
      changed = true;
    }
    for (int c = 0; c < kSlots; ++c) {
      if (col_lost[c] == 0 || col_lost[c] > p2) continue;
      for (int r = 0; r < rows; ++r)
        if (lost[r * kSlots + c]) {
          lost[r * kSlots + c] = 0;
          --row_lost[r];
        }
      col_lost[c] = 0;
      changed = true;
    }
  }
  return std::all_of(row_lost.begin(), row_lost.end(), [](int x) { return x == 0; });
}

struct ProductSplit {
  int p1 = 0, p2 = 0, rows = 0;
};

// The parity split of a product code of about `parity_fraction`: p1
// parity slots per row (row code rate keep^row_share), then as many data
// rows as the file needs (at most what fits in 255 with their parity rows)
// and p2 parity rows for the rest of the parity.
ProductSplit MakeSplit(uint64_t data, double parity_fraction, double row_share) {
  ProductSplit s;
  const double keep = 1 - parity_fraction;
  const double keep_row = std::pow(keep, row_share);
  const double keep_col = keep / keep_row;
  s.p1 = static_cast<int>(std::lround((1 - keep_row) * kSlots));
  const int k1 = kSlots - s.p1;
  int k2 = static_cast<int>(std::min<uint64_t>((data + k1 - 1) / k1, 255));
  k2 = std::min(k2, static_cast<int>(std::floor(255 * keep_col)));
  s.p2 = static_cast<int>(std::lround(k2 * (1 / keep_col - 1)));
  s.rows = std::min(255, k2 + s.p2);
  s.p2 = s.rows - k2;
  return s;
}

// Parity actually spent by a split, and the blocks a file of `data` needs.
double EffectiveParity(const ProductSplit& s) {
  return 1 - static_cast<double>(s.rows - s.p2) * (kSlots - s.p1) / (s.rows * kSlots);
}
uint64_t Blocks(uint64_t data, const ProductSplit& s) {
  const uint64_t per_block = static_cast<uint64_t>(s.rows - s.p2) * (kSlots - s.p1);
  return (data + per_block - 1) / per_block;
}

double ProductSuccess(uint64_t data, const ProductSplit& s, double loss, int trials) {
  const uint64_t per_block = static_cast<uint64_t>(s.rows - s.p2) * (kSlots - s.p1);
  const double blocks = std::ceil(static_cast<double>(data) / per_block);
  std::vector<int> ok(trials, 0);
  tbb::parallel_for(0, trials, [&](int t) {
    dnastore::Rng rng(1234, static_cast<uint64_t>(t) * 1000003 + static_cast<uint64_t>(loss * 1e6));
    std::vector<uint8_t> lost;
    ok[t] = ProductBlockDecodes(s.rows, s.p1, s.p2, loss, rng, lost);
  });
  const int failed = trials - static_cast<int>(std::count(ok.begin(), ok.end(), 1));
  // Blocks fail independently; with no failure seen, the per-block rate is
  // taken as half a failure in `trials` (a point estimate, not a bound: the
  // report says how many blocks a file has).
  const double fail = failed > 0 ? static_cast<double>(failed) / trials : 0.5 / trials;
  return std::pow(1 - fail, blocks);
}

// The highest loss on the kLossStep grid that still decodes kTarget of the
// files (bisection: success falls as loss grows).
template <typename F>
double MaxLoss(F success) {
  int lo = 0, hi = static_cast<int>(0.6 / kLossStep);  // lo passes (loss 0), hi fails
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    (success(mid * kLossStep) >= kTarget ? lo : hi) = mid;
  }
  return lo * kLossStep;
}

// ---------------------------------------------------------------- speed --

// MB/s of data through ISA-L RS(k + p) encoding with `len`-byte columns.
double IsalEncodeMBs(int k, int p, size_t len) {
  dnastore::ReedSolomon rs(k, p);
  std::vector<std::vector<uint8_t>> data(k, std::vector<uint8_t>(len)),
      par(p, std::vector<uint8_t>(len));
  dnastore::Rng rng(5, 1);
  for (auto& d : data)
    for (auto& b : d) b = static_cast<uint8_t>(rng.Next());
  std::vector<const uint8_t*> dp;
  std::vector<uint8_t*> pp;
  for (auto& d : data) dp.push_back(d.data());
  for (auto& q : par) pp.push_back(q.data());
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = Clock::now();
    rs.Encode(len, dp.data(), pp.data());
    best = std::max(best, static_cast<double>(k) * len / Since(t0) / 1e6);
  }
  return best;
}

// Data MB/s of ProductCode encode, and of its decode with `loss` of the
// frames erased, on one 255 x 255 block of 34-byte frames.
void ProductMBs(int row_parity, int slot_parity, double loss, double* enc, double* dec) {
  const size_t d = 34;
  dnastore::ProductCode pc(255, 255, row_parity, slot_parity);
  std::vector<uint8_t> block(255 * 255 * d);
  dnastore::Rng rng(8, 1);
  for (auto& b : block) b = static_cast<uint8_t>(rng.Next());
  const double data_mb = static_cast<double>(pc.data_rows()) * pc.data_slots() * d / 1e6;
  *enc = *dec = 0;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = Clock::now();
    pc.Encode(d, block.data());
    *enc = std::max(*enc, data_mb / Since(t0));
    std::vector<uint8_t> erased(255 * 255, 0);
    for (auto& e : erased) e = rng.Uniform() < loss;
    t0 = Clock::now();
    pc.Decode(d, block.data(), &erased);
    *dec = std::max(*dec, data_mb / Since(t0));
  }
}

#ifdef DNASTORE_HAVE_GF_COMPLETE
// MB/s of one GF(2^16) multiply-accumulate over a region (gf-complete).
double Gf16RegionMBs() {
  gf_t gf;
  if (!gf_init_easy(&gf, 16)) return 0;
  const int bytes = 1 << 20;
  std::vector<uint8_t> a(bytes, 3), b(bytes, 0);
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = Clock::now();
    for (int i = 0; i < 16; ++i)
      gf.multiply_region.w32(&gf, a.data(), b.data(), 0x1234 + i, bytes, 1);
    best = std::max(best, 16.0 * bytes / Since(t0) / 1e6);
  }
  gf_free(&gf, 0);
  return best;
}
#endif

#ifdef DNASTORE_HAVE_LCRQ
// Seconds to encode and to decode (3% of symbols lost, 5% repair) an object
// of `bytes` in 32-byte symbols with liblcrq.
void LcrqSeconds(size_t bytes, double* enc_s, double* dec_s, bool* ok) {
  const uint16_t t = 32;
  std::vector<uint8_t> data(bytes);
  dnastore::Rng rng(6, 1);
  for (auto& b : data) b = static_cast<uint8_t>(rng.Next());
  rq_t* rq = rq_init(bytes, t);
  auto t0 = Clock::now();
  rq_encode(rq, data.data(), bytes);
  *enc_s = Since(t0);
  const uint32_t k = rq_K(rq), n = k + k / 20;
  std::vector<uint8_t> enc(static_cast<size_t>(n) * t), sym(t);
  std::vector<uint32_t> esi;
  for (uint32_t e = 0; e < n; ++e) {
    rq_pid_t pid = 0;
    pid = rq_pidsetesi(pid, e);
    rq_symbol(rq, &pid, sym.data(), e < k ? RQ_SOURCE : RQ_REPAIR);
    if (rng.Uniform() < 0.03) continue;
    std::memcpy(enc.data() + esi.size() * t, sym.data(), t);
    esi.push_back(e);
  }
  std::vector<uint8_t> dec(bytes + static_cast<size_t>(t) * k);
  t0 = Clock::now();
  const int rc =
      rq_decode(rq, dec.data(), enc.data(), esi.data(), static_cast<uint32_t>(esi.size()));
  *dec_s = Since(t0);
  *ok = rc == 0 && std::memcmp(dec.data(), data.data(), bytes) == 0;
  rq_free(rq);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int trials = quick ? 300 : 4000;
  const std::vector<uint64_t> pools =
      quick ? std::vector<uint64_t>{30000} : std::vector<uint64_t>{30000, 1000000};
  const std::vector<double> fractions = {0.03, 0.05, 0.08, 0.10, 0.15, 0.176};
  std::printf("# Outer codes: loss survived per parity (>= %.0f%% of files decode)\n\n",
              100 * kTarget);
  std::printf("i.i.d. oligo loss; %d Monte Carlo blocks per point for the product code.\n\n",
              trials);
  std::printf("| data oligos | parity | rs255 | product (p1/p2 of rows) | long MDS |\n");
  std::printf("|---|---|---|---|---|\n");
  for (uint64_t data : pools) {
    for (double f : fractions) {
      const double rs = MaxLoss([&](double l) { return Rs255Success(data, f, l); });
      const double mds = MaxLoss([&](double l) { return LongSuccess(data, f, l); });
      double prod = 0;
      ProductSplit best;
      for (double share : {0.4, 0.5, 0.6, 0.7, 0.8, 0.9}) {
        const ProductSplit s = MakeSplit(data, f, share);
        // Only splits that spend no more than the parity compared.
        if (s.p2 < 1 || s.p1 < 1 || EffectiveParity(s) > f + 0.002) continue;
        const double m = MaxLoss([&](double l) { return ProductSuccess(data, s, l, trials); });
        if (m > prod) {
          prod = m;
          best = s;
        }
      }
      std::printf(
          "| %llu | %.1f%% | %.2f%% | %.2f%% (%d/%d of %d; %.1f%% spent, %llu blocks) | "
          "%.2f%% |\n",
          static_cast<unsigned long long>(data), 100 * f, 100 * rs, 100 * prod, best.p1, best.p2,
          best.rows, 100 * EffectiveParity(best),
          static_cast<unsigned long long>(Blocks(data, best)), 100 * mds);
      std::fflush(stdout);
    }
  }
  std::printf("\n# Encode speed (one thread, data MB/s)\n\n| code | MB/s |\n|---|---|\n");
  std::printf("| rs255 RS(210,45), ISA-L, 4 KiB columns | %.0f |\n", IsalEncodeMBs(210, 45, 4096));
  std::printf("| rs255 RS(245,10), ISA-L, 4 KiB columns | %.0f |\n", IsalEncodeMBs(245, 10, 4096));
  {
    double enc = 0, dec = 0;
    ProductMBs(4, 12, 0.03, &enc, &dec);
    std::printf(
        "| product RS(255,243) x RS(255,251), 34-byte frames (ProductCode) | encode %.0f, "
        "decode at 3%% loss %.0f |\n",
        enc, dec);
  }
#ifdef DNASTORE_HAVE_GF_COMPLETE
  {
    const double region = Gf16RegionMBs();
    std::printf("| GF(2^16) region multiply-add (gf-complete) | %.0f |\n", region);
    for (int p : {160, 3277})
      std::printf(
          "| long RS over GF(2^16), %d parity symbols (one region op each per data symbol) | "
          "%.2f |\n",
          p, region / p);
  }
#else
  std::printf("| GF(2^16) (gf-complete) | not built (libgf-complete-dev absent) |\n");
#endif
#ifdef DNASTORE_HAVE_LCRQ
  {
    double enc = 0, dec = 0;
    bool ok = false;
    const size_t bytes = quick ? 20000 : 100000;
    LcrqSeconds(bytes, &enc, &dec, &ok);
    std::printf(
        "| RaptorQ (liblcrq %s), %zu B in 32-byte symbols | encode %.3f, decode %.3f (%s) |\n",
        "0.0.1", bytes, bytes / enc / 1e6, bytes / dec / 1e6, ok ? "decoded" : "FAILED");
  }
#else
  std::printf("| RaptorQ (liblcrq) | not built (liblcrq-dev absent) |\n");
#endif
  return 0;
}
