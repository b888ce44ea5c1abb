// Seeded random streams. Determinism rule (DESIGN.md §2): every random
// decision about item i is drawn from Rng(seed, i), never from a shared
// generator, so results do not depend on thread count or scheduling.
#pragma once

#include <cmath>
#include <cstdint>

namespace dnastore {

// SplitMix64 step: a good 64-bit mixer, used to derive stream states.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Mixes two 64-bit values into one (for deriving stream ids).
inline uint64_t MixIds(uint64_t a, uint64_t b) {
  uint64_t s = a * 0xD1B54A32D192ED03ULL + b;
  uint64_t r = SplitMix64(s);
  return r ^ SplitMix64(s);
}

// xoshiro256** generator for one stream. Not thread-safe; make one per item.
class Rng {
 public:
  explicit Rng(uint64_t seed, uint64_t stream = 0) {
    uint64_t s = MixIds(seed, stream);
    for (auto& w : s_) w = SplitMix64(s);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform double in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n), n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  bool Bernoulli(double p) { return Uniform() < p; }
  // Standard normal (Box-Muller; one value per call).
  double Normal() {
    double u1 = Uniform(), u2 = Uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Poisson-distributed count with mean lambda >= 0.
  uint64_t Poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda < 30) {
      double l = std::exp(-lambda), p = 1.0;
      uint64_t k = 0;
      do {
        ++k;
        p *= Uniform();
      } while (p > l);
      return k - 1;
    }
    double x = std::round(lambda + std::sqrt(lambda) * Normal());
    return x < 0 ? 0 : static_cast<uint64_t>(x);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace dnastore
