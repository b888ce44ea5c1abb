#include "codec/base_mapper.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "core/dna.h"
#include "core/rng.h"

namespace dnastore {
namespace {

constexpr uint64_t kEvenBits = 0x5555555555555555ULL;

// A read base as the direct mapping demaps it: BaseCode, with anything
// other than ACGT read as A (the CRC rejects what that gets wrong).
inline uint32_t DemapCode(char c) {
  const int v = BaseCode(c);
  return v < 0 ? 0 : static_cast<uint32_t>(v);
}

// Keystream words for (kind, seed); part of the format (docs/format_v1.md).
std::vector<uint64_t> KeystreamWords(Mapping mapping, FrameKind kind, uint64_t seed, size_t words) {
  uint64_t state = 0xD0A5701335EED001ULL ^ (static_cast<uint64_t>(kind) << 56) ^
                   (static_cast<uint64_t>(mapping) << 48) ^ (seed * 0x9E3779B97F4A7C15ULL);
  std::vector<uint64_t> out(words);
  for (auto& w : out) w = SplitMix64(state);
  return out;
}

// Per-seed rows of a mapper's keystream table, each computed the first time
// it is used, then read-only. A decode that looks for its header demaps a
// few payloads under each of dozens of candidate geometries; building all
// 2 x 256 rows of every candidate up front cost more than the probing did.
// Thread-safe: a row is filled under the mutex and published by its flag
// (release); a reader that sees the flag set (acquire) reads a finished row.
class LazySeedRows {
 public:
  // `rows` rows of `width` words each, none computed yet.
  LazySeedRows(size_t rows, size_t width)
      : width_(width),
        data_(std::make_unique_for_overwrite<uint64_t[]>(rows * width)),
        ready_(std::make_unique<std::atomic<bool>[]>(rows)) {}
  // Row `row`, filled by fill(row, words) first if it is not yet.
  template <typename Fill>
  const uint64_t* Get(size_t row, const Fill& fill) const {
    uint64_t* r = data_.get() + row * width_;
    if (!ready_[row].load(std::memory_order_acquire)) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!ready_[row].load(std::memory_order_relaxed)) {
        fill(row, r);
        ready_[row].store(true, std::memory_order_release);
      }
    }
    return r;
  }

 private:
  size_t width_;
  std::unique_ptr<uint64_t[]> data_;
  std::unique_ptr<std::atomic<bool>[]> ready_;
  mutable std::mutex mu_;
};

// Byte lookup tables: a frame byte (4 nt, first nt in the top bits) to the
// packed layout (first nt in the low bits), and packed 4 nt to ASCII.
struct ByteTableSet {
  uint8_t reversed[256];
  uint32_t ascii[256];
};

const ByteTableSet& ByteTables() {
  static const ByteTableSet t = [] {
    ByteTableSet r{};
    for (int b = 0; b < 256; ++b) {
      int v = 0;
      char chars[4];
      for (int k = 0; k < 4; ++k) {
        v |= ((b >> (6 - 2 * k)) & 3) << (2 * k);
        chars[k] = kBases[(b >> (2 * k)) & 3];
      }
      r.reversed[b] = static_cast<uint8_t>(v);
      std::memcpy(&r.ascii[b], chars, 4);
    }
    return r;
  }();
  return t;
}

int GcLow(const Constraints& c, int total) {
  return static_cast<int>(std::ceil(c.gc_min * total - 1e-9));
}
int GcHigh(const Constraints& c, int total) {
  return static_cast<int>(std::floor(c.gc_max * total + 1e-9));
}

std::vector<int> Codes(std::string_view s) {
  std::vector<int> out(s.size());
  for (size_t i = 0; i < s.size(); ++i) out[i] = BaseCode(s[i]);
  return out;
}

// Primer occurrence rule shared by both mappers: the four primer patterns may
// occur only at their own sites.
struct PrimerPatterns {
  std::string fwd, fwd_rc, rev, rev_rc;
};

bool PrimerSitesOk(std::string_view oligo, const PrimerPatterns& p) {
  const size_t total = oligo.size();
  auto ok = [&](const std::string& pat, size_t allowed_pos) {
    if (pat.empty()) return true;
    for (size_t pos = oligo.find(pat); pos != std::string_view::npos;
         pos = oligo.find(pat, pos + 1)) {
      if (pos != allowed_pos) return false;
    }
    return true;
  };
  const size_t none = std::string_view::npos;
  return ok(p.fwd, 0) && ok(p.fwd_rc, none) && ok(p.rev, none) &&
         ok(p.rev_rc, total - p.rev_rc.size());
}

// Seed length of the direct mapping: longer oligos pass the random
// constraint check less often, so they get more seeds (format v1 rule).
int DirectSeedNt(int total_nt) {
  if (total_nt <= 200) return 4;
  return std::min(8, 4 + (total_nt - 200 + 69) / 70);
}

class DirectMapper final : public PayloadMapper {
 public:
  explicit DirectMapper(const OligoGeometry& g) : g_(g) {
    pf_ = static_cast<int>(g.fwd_primer.size());
    pr_ = static_cast<int>(g.rev_primer.size());
    total_ = g.length_nt();
    seed_nt_ = DirectSeedNt(total_);
    body_nt_ = g.payload_nt - seed_nt_;
    words_ = (total_ + 31) / 32;
    gc_lo_ = GcLow(g.constraints, total_);
    gc_hi_ = GcHigh(g.constraints, total_);
    patterns_ = {g.fwd_primer, ReverseComplement(g.fwd_primer), g.rev_primer,
                 ReverseComplement(g.rev_primer)};
    BuildPrimerFilter();
    // Template: primers in place, seed and body zero.
    base_.assign(words_, 0);
    auto fwd = Codes(g.fwd_primer);
    auto rrc = Codes(patterns_.rev_rc);
    for (int i = 0; i < pf_; ++i) SetNt(base_.data(), i, fwd[i]);
    for (int i = 0; i < pr_; ++i) SetNt(base_.data(), pf_ + g.payload_nt + i, rrc[i]);
    valid_.assign(words_, 0);
    pair_.assign(words_ + 1, 0);
    for (int i = 0; i < total_; ++i) valid_[i / 32] |= 1ULL << (2 * (i % 32));
    for (int i = 0; i + 1 < total_; ++i) pair_[i / 32] |= 1ULL << (2 * (i % 32));
    // Seed rows: the keystream in oligo coordinates (words_ words), then as
    // body nucleotides (one byte each), computed as seeds are used.
    const size_t row_words = words_ + (body_nt_ + 7) / 8;
    for (auto& rows : rows_) rows = std::make_unique<LazySeedRows>(kTabledSeeds, row_words);
  }

  int body_bits() const override { return 2 * body_nt_; }

  bool Map(const uint8_t* frame, FrameKind kind, std::string* oligo) const override {
    uint64_t base[kMaxWords + 1] = {};
    for (int w = 0; w < words_; ++w) base[w] = base_[w];
    const int off = pf_ + seed_nt_;
    const int full_bytes = body_nt_ / 4;
    const auto& rev = ByteTables().reversed;
    for (int j = 0; j < full_bytes; ++j) {  // 4 nt per frame byte
      const int pos = off + 4 * j, shift = 2 * (pos & 31);
      const uint64_t v = rev[frame[j]];
      base[pos >> 5] |= v << shift;
      if (shift > 56) base[(pos >> 5) + 1] |= v >> (64 - shift);
    }
    for (int j = 4 * full_bytes; j < body_nt_; ++j) {
      uint64_t v = (frame[j >> 2] >> (6 - 2 * (j & 3))) & 3;
      int pos = off + j;
      base[pos >> 5] |= v << (2 * (pos & 31));
    }
    uint64_t cand[kMaxWords + 1] = {};
    std::vector<uint64_t> extra_words;
    std::vector<uint8_t> extra_nts;
    const int64_t seeds = int64_t{1} << (2 * seed_nt_);
    for (int64_t c = 0; c < seeds; ++c) {
      const uint64_t* t;
      if (c < kTabledSeeds) {
        t = Row(kind, c);
      } else {  // long oligos: rarely needed seeds are computed on the fly
        extra_words.assign(words_, 0);
        extra_nts.assign(body_nt_, 0);
        SeedTable(kind, c, extra_words.data(), extra_nts.data());
        t = extra_words.data();
      }
      for (int w = 0; w < words_; ++w) cand[w] = base[w] ^ t[w];
      if (!Check(cand)) continue;
      oligo->resize(total_ + 3);  // room for whole 4-nt writes
      char* out = oligo->data();
      const auto& ascii = ByteTables().ascii;
      for (int i = 0; i < total_; i += 4) {
        const uint32_t chars = ascii[(cand[i >> 5] >> (2 * (i & 31))) & 0xFF];
        std::memcpy(out + i, &chars, 4);
      }
      oligo->resize(total_);
      return true;
    }
    return false;
  }

  bool Demap(std::string_view payload, FrameKind kind, uint8_t* frame) const override {
    if (static_cast<int>(payload.size()) != g_.payload_nt) return false;
    int64_t c = 0;
    for (int i = 0; i < seed_nt_; ++i) {
      int v = BaseCode(payload[i]);
      c = (c << 2) | (v < 0 ? 0 : v);
    }
    const uint8_t* ks;
    std::vector<uint8_t> extra_nts;
    if (c < kTabledSeeds) {
      ks = reinterpret_cast<const uint8_t*>(Row(kind, c) + words_);
    } else {
      std::vector<uint64_t> extra_words(words_, 0);
      extra_nts.assign(body_nt_, 0);
      SeedTable(kind, c, extra_words.data(), extra_nts.data());
      ks = extra_nts.data();
    }
    // A byte (4 nt) at a time, in a register: this runs for every read.
    const char* body = payload.data() + seed_nt_;
    const int n = body_nt_;
    int j = 0, b = 0;
    for (; j + 4 <= n; j += 4, ++b) {
      uint32_t x = 0;
      for (int k = 0; k < 4; ++k) x = x << 2 | (DemapCode(body[j + k]) ^ ks[j + k]);
      frame[b] = static_cast<uint8_t>(x);
    }
    if (j < n) {
      uint32_t x = 0;
      for (int k = 0; k < 4; ++k) x = x << 2 | (j + k < n ? DemapCode(body[j + k]) ^ ks[j + k] : 0);
      frame[b] = static_cast<uint8_t>(x);
    }
    return true;
  }

  bool SatisfiesConstraints(std::string_view oligo) const override {
    if (static_cast<int>(oligo.size()) != total_) return false;
    uint64_t w[kMaxWords + 1] = {};
    for (int i = 0; i < total_; ++i) {
      int v = BaseCode(oligo[i]);
      if (v < 0) return false;
      w[i >> 5] |= static_cast<uint64_t>(v) << (2 * (i & 31));
    }
    if (oligo.substr(0, pf_) != g_.fwd_primer || oligo.substr(total_ - pr_) != patterns_.rev_rc)
      return false;
    return Check(w);
  }

  static constexpr int kTabledSeeds = 256;
  static constexpr int kMaxWords = 16;  // oligos up to 512 nt

 private:
  // Seed c's row of the table (c < kTabledSeeds): words_ words of
  // SeedTable's `w`, then its `nts` bytes.
  const uint64_t* Row(FrameKind kind, int64_t c) const {
    return rows_[static_cast<int>(kind)]->Get(static_cast<size_t>(c), [&](size_t, uint64_t* row) {
      std::fill(row, row + words_, 0);
      SeedTable(kind, c, row, reinterpret_cast<uint8_t*>(row + words_));
    });
  }

  // Seed digits and keystream of seed c, in oligo coordinates (`w`, zero
  // outside the seed and the body) and as body nucleotides (`nts`).
  void SeedTable(FrameKind kind, int64_t c, uint64_t* w, uint8_t* nts) const {
    for (int i = 0; i < seed_nt_; ++i)
      SetNt(w, pf_ + i, static_cast<int>((c >> (2 * (seed_nt_ - 1 - i))) & 3));
    auto ks =
        KeystreamWords(Mapping::kDirect, kind, static_cast<uint64_t>(c), (body_nt_ + 31) / 32);
    for (int j = 0; j < body_nt_; ++j) {
      int v = static_cast<int>((ks[j / 32] >> (2 * (j % 32))) & 3);
      nts[j] = static_cast<uint8_t>(v);
      SetNt(w, pf_ + seed_nt_ + j, v);
    }
  }
  int seed_nt_ = 4;
  static void SetNt(uint64_t* w, int pos, int v) {
    w[pos >> 5] &= ~(3ULL << (2 * (pos & 31)));
    w[pos >> 5] |= static_cast<uint64_t>(v) << (2 * (pos & 31));
  }

  bool Check(const uint64_t* w) const {
    // Homopolymers first: they reject most candidates.
    // eq[i] has bit 2t set when base t equals base t+1.
    uint64_t eq[kMaxWords + 1];
    for (int i = 0; i < words_; ++i) {
      uint64_t nxt = (w[i] >> 2) | (i + 1 < words_ ? w[i + 1] << 62 : 0);
      uint64_t d = w[i] ^ nxt;
      eq[i] = ~(d | (d >> 1)) & kEvenBits & pair_[i];
    }
    eq[words_] = 0;
    const int h = g_.constraints.max_homopolymer;
    for (int i = 0; i < words_; ++i) {
      uint64_t f = eq[i];
      for (int s = 1; s < h && f; ++s) f &= (eq[i] >> (2 * s)) | (eq[i + 1] << (64 - 2 * s));
      if (f) return false;
    }
    int gc = 0;
    for (int i = 0; i < words_; ++i)
      gc += std::popcount((w[i] ^ (w[i] >> 1)) & kEvenBits & valid_[i]);
    if (gc < gc_lo_ || gc > gc_hi_) return false;
    return PrimerSitesClean(w);
  }

  // Bits [2*pos, 2*pos + 2*n) of the packed oligo (first base lowest).
  static uint64_t Extract(const uint64_t* w, int pos, int n) {
    const int bit = 2 * pos, k = bit >> 6, s = bit & 63;
    uint64_t v = w[k] >> s;
    if (s && 2 * n > 64 - s) v |= w[k + 1] << (64 - s);
    return n == 32 ? v : v & ((1ULL << (2 * n)) - 1);
  }

  // No primer pattern occurs anywhere but at its own site. Short k-mers
  // sampled every `sample_step_` bases find every window that could hold a
  // pattern (any window of a pattern's length contains a whole sample);
  // candidates are verified exactly.
  bool PrimerSitesClean(const uint64_t* w) const {
    for (int y = 0;; y += sample_step_) {
      if (y + kKmer > total_) y = total_ - kKmer;
      const uint32_t key = static_cast<uint32_t>(Extract(w, y, kKmer));
      if (kmer_filter_[key >> 6] >> (key & 63) & 1) {
        for (const auto& [pat, off] : kmer_hits_.at(key)) {
          const Pattern& p = pattern_info_[pat];
          const int x = y - off;
          if (x < 0 || x + p.length > total_ || x == p.allowed_pos) continue;
          if (Extract(w, x, p.length) == p.packed) return false;
        }
      }
      if (y + kKmer >= total_) break;
    }
    return true;
  }

  void BuildPrimerFilter() {
    const std::string* pats[4] = {&patterns_.fwd, &patterns_.fwd_rc, &patterns_.rev,
                                  &patterns_.rev_rc};
    const int allowed[4] = {0, -1, -1, total_ - pr_};
    kmer_filter_.assign((1u << (2 * kKmer)) / 64, 0);
    int min_len = 64;
    for (int i = 0; i < 4; ++i) {
      Pattern& p = pattern_info_[i];
      p.length = static_cast<int>(pats[i]->size());
      p.allowed_pos = allowed[i];
      p.packed = 0;
      for (int j = 0; j < p.length; ++j)
        p.packed |= static_cast<uint64_t>(BaseCode((*pats[i])[j])) << (2 * j);
      min_len = std::min(min_len, p.length);
      for (int off = 0; off + kKmer <= p.length; ++off) {
        uint32_t key = static_cast<uint32_t>((p.packed >> (2 * off)) & ((1u << (2 * kKmer)) - 1));
        kmer_filter_[key >> 6] |= 1ULL << (key & 63);
        kmer_hits_[key].push_back({i, off});
      }
    }
    sample_step_ = min_len - kKmer + 1;
  }

  struct Pattern {
    uint64_t packed = 0;
    int length = 0;
    int allowed_pos = -1;
  };
  static constexpr int kKmer = 8;  // primers must be >= 16 nt (MakeMapper checks)
  Pattern pattern_info_[4];
  std::vector<uint64_t> kmer_filter_;
  std::unordered_map<uint32_t, std::vector<std::pair<int, int>>> kmer_hits_;
  int sample_step_ = 1;

  OligoGeometry g_;
  int pf_, pr_, total_, body_nt_, words_, gc_lo_, gc_hi_;
  PrimerPatterns patterns_;
  std::vector<uint64_t> base_, valid_, pair_;
  std::array<std::unique_ptr<LazySeedRows>, 2> rows_;  // by FrameKind
};

class TransitionMapper final : public PayloadMapper {
 public:
  explicit TransitionMapper(const OligoGeometry& g) : g_(g) {
    body_trits_ = g.payload_nt - kSeedTrits;
    full_chunks_ = body_trits_ / kChunkTrits;
    rem_trits_ = body_trits_ % kChunkTrits;
    uint64_t pow3 = 1;
    for (int i = 0; i < rem_trits_; ++i) pow3 *= 3;
    rem_bits_ = 0;
    while (rem_bits_ < 63 && (1ULL << (rem_bits_ + 1)) <= pow3) ++rem_bits_;
    if (rem_trits_ == 0) rem_bits_ = 0;
    body_bits_ = kChunkBits * full_chunks_ + rem_bits_;
    patterns_ = {g.fwd_primer, ReverseComplement(g.fwd_primer), g.rev_primer,
                 ReverseComplement(g.rev_primer)};
    first_prev_ = BaseCode(g.fwd_primer.back());
    after_ = BaseCode(patterns_.rev_rc.front());
    total_ = g.length_nt();
    gc_lo_ = GcLow(g.constraints, total_);
    gc_hi_ = GcHigh(g.constraints, total_);
    frame_bytes_ = (body_bits_ + 7) / 8;
    for (auto& rows : ks_)
      rows = std::make_unique<LazySeedRows>(kSeeds, (static_cast<size_t>(frame_bytes_) + 7) / 8);
  }

  int body_bits() const override { return body_bits_; }

  bool Map(const uint8_t* frame, FrameKind kind, std::string* oligo) const override {
    std::vector<uint8_t> wf(frame_bytes_);
    std::vector<int> trits(g_.payload_nt);
    std::string payload(g_.payload_nt, 'A');
    for (int c = 0; c < kSeeds; ++c) {
      const uint8_t* ks = Keystream(kind, c);
      for (int b = 0; b < frame_bytes_; ++b) wf[b] = frame[b] ^ ks[b];
      int t = 0;
      for (int i = kSeedTrits - 1, v = c; i >= 0; --i, v /= 3) trits[i] = v % 3;
      t = kSeedTrits;
      for (int ch = 0; ch <= full_chunks_; ++ch) {
        int nbits = ch < full_chunks_ ? kChunkBits : rem_bits_;
        int ntr = ch < full_chunks_ ? kChunkTrits : rem_trits_;
        if (ntr == 0) continue;
        uint64_t v = GetBits(wf.data(), kChunkBits * ch, nbits);
        for (int i = ntr - 1; i >= 0; --i) {
          trits[t + i] = static_cast<int>(v % 3);
          v /= 3;
        }
        t += ntr;
      }
      int prev = first_prev_, gc = 0;
      for (int i = 0; i < g_.payload_nt; ++i) {
        prev = (prev + 1 + trits[i]) & 3;
        payload[i] = kBases[prev];
        gc += (prev == 1 || prev == 2);
      }
      if (prev == after_) continue;
      gc += fixed_gc_;
      if (gc < gc_lo_ || gc > gc_hi_) continue;
      std::string full = g_.fwd_primer + payload + patterns_.rev_rc;
      if (MaxHomopolymer(full) > g_.constraints.max_homopolymer) continue;
      if (!PrimerSitesOk(full, patterns_)) continue;
      *oligo = std::move(full);
      return true;
    }
    return false;
  }

  bool Demap(std::string_view payload, FrameKind kind, uint8_t* frame) const override {
    if (static_cast<int>(payload.size()) != g_.payload_nt) return false;
    int prev = first_prev_;
    // On the stack: Demap runs for every candidate geometry of every record
    // while a header is looked for (MakeMapper bounds payload_nt).
    std::array<int, kMaxPayloadNt> trits;
    for (int i = 0; i < g_.payload_nt; ++i) {
      int v = BaseCode(payload[i]);
      if (v < 0) v = (prev + 1) & 3;
      int tr = (v - prev - 1) & 3;
      trits[i] = tr == 3 ? 0 : tr;  // a repeat cannot be valid; the CRC will reject it
      prev = v;
    }
    int c = 0;
    for (int i = 0; i < kSeedTrits; ++i) c = c * 3 + trits[i];
    if (c >= kSeeds) c %= kSeeds;  // a read error in the seed; the CRC decides
    for (int b = 0; b < frame_bytes_; ++b) frame[b] = 0;
    int t = kSeedTrits;
    for (int ch = 0; ch <= full_chunks_; ++ch) {
      int nbits = ch < full_chunks_ ? kChunkBits : rem_bits_;
      int ntr = ch < full_chunks_ ? kChunkTrits : rem_trits_;
      if (ntr == 0) continue;
      unsigned __int128 v = 0;
      for (int i = 0; i < ntr; ++i) v = v * 3 + trits[t + i];
      t += ntr;
      // An impossible chunk value means a read error; keep the low bits so
      // that the frame can still serve as a "suspect" (the CRC rejects it).
      if (nbits < 64) v &= (static_cast<unsigned __int128>(1) << nbits) - 1;
      PutBits(frame, kChunkBits * ch, nbits, static_cast<uint64_t>(v));
    }
    const uint8_t* ks = Keystream(kind, c);
    for (int b = 0; b < frame_bytes_; ++b) frame[b] ^= ks[b];
    if (body_bits_ % 8)
      frame[frame_bytes_ - 1] &= static_cast<uint8_t>(0xFF << (8 - body_bits_ % 8));
    return true;
  }

  bool SatisfiesConstraints(std::string_view oligo) const override {
    return CheckOligoConstraints(oligo, g_).empty();
  }
  void SetFixedGc(int gc) { fixed_gc_ = gc; }
  static constexpr int kSeedTrits = 5;
  static constexpr int kSeeds = 243;
  // 11 bits <-> 7 trits (3^7 = 2187 >= 2^11): 1.571 bits/nt, and a read
  // error garbles at most one 11-bit chunk (two bytes) of the frame.
  static constexpr int kChunkBits = 11;
  static constexpr int kChunkTrits = 7;

 private:
  // The frame_bytes_ keystream bytes of seed c (< kSeeds).
  const uint8_t* Keystream(FrameKind kind, int c) const {
    const uint64_t* row =
        ks_[static_cast<int>(kind)]->Get(static_cast<size_t>(c), [&](size_t, uint64_t* out) {
          auto w = KeystreamWords(Mapping::kTransition, kind, static_cast<uint64_t>(c),
                                  (frame_bytes_ + 7) / 8);
          uint8_t* bytes = reinterpret_cast<uint8_t*>(out);
          for (int b = 0; b < frame_bytes_; ++b)
            bytes[b] = static_cast<uint8_t>(w[b / 8] >> (56 - 8 * (b % 8)));
        });
    return reinterpret_cast<const uint8_t*>(row);
  }

  static uint64_t GetBits(const uint8_t* buf, int offset, int nbits) {
    uint64_t v = 0;
    for (int i = 0; i < nbits; ++i) {
      int b = offset + i;
      v = (v << 1) | ((buf[b >> 3] >> (7 - (b & 7))) & 1);
    }
    return v;
  }
  static void PutBits(uint8_t* buf, int offset, int nbits, uint64_t v) {
    for (int i = 0; i < nbits; ++i) {
      int b = offset + i;
      if ((v >> (nbits - 1 - i)) & 1) buf[b >> 3] |= static_cast<uint8_t>(1 << (7 - (b & 7)));
    }
  }

  OligoGeometry g_;
  PrimerPatterns patterns_;
  int body_trits_, full_chunks_, rem_trits_, rem_bits_, body_bits_, first_prev_, after_;
  int total_, gc_lo_, gc_hi_, frame_bytes_, fixed_gc_ = 0;
  std::array<std::unique_ptr<LazySeedRows>, 2> ks_;  // by FrameKind
};

}  // namespace

std::string CheckOligoConstraints(std::string_view oligo, const OligoGeometry& g) {
  if (static_cast<int>(oligo.size()) != g.length_nt()) return "wrong length";
  for (char ch : oligo)
    if (BaseCode(ch) < 0) return "non-ACGT base";
  if (MaxHomopolymer(oligo) > g.constraints.max_homopolymer) return "homopolymer too long";
  const int total = static_cast<int>(oligo.size());
  int gc = 0;
  for (char ch : oligo) gc += (ch == 'G' || ch == 'C');
  if (gc < GcLow(g.constraints, total) || gc > GcHigh(g.constraints, total))
    return "GC content out of range";
  PrimerPatterns p{g.fwd_primer, ReverseComplement(g.fwd_primer), g.rev_primer,
                   ReverseComplement(g.rev_primer)};
  if (oligo.substr(0, g.fwd_primer.size()) != g.fwd_primer) return "forward primer missing";
  if (oligo.substr(total - p.rev_rc.size()) != p.rev_rc) return "reverse primer missing";
  if (!PrimerSitesOk(oligo, p)) return "primer sequence inside the payload";
  if (g.mapping == Mapping::kTransition) {
    const size_t pf = g.fwd_primer.size();
    for (size_t i = pf; i <= pf + g.payload_nt && i < oligo.size(); ++i)
      if (oligo[i] == oligo[i - 1]) return "repeated base in a transition payload";
  }
  return "";
}

std::unique_ptr<PayloadMapper> MakeMapper(const OligoGeometry& g, std::string* error) {
  auto fail = [&](const std::string& m) -> std::unique_ptr<PayloadMapper> {
    *error = m;
    return nullptr;
  };
  for (const std::string* p : {&g.fwd_primer, &g.rev_primer}) {
    if (p->size() < static_cast<size_t>(kMinPrimerNt) ||
        p->size() > static_cast<size_t>(kMaxPrimerNt))
      return fail("primers must be " + std::to_string(kMinPrimerNt) + " to " +
                  std::to_string(kMaxPrimerNt) + " nt long");
    for (char ch : *p)
      if (BaseCode(ch) < 0 || ch >= 'a') return fail("primer '" + *p + "' has a non-ACGT base");
    if (MaxHomopolymer(*p) > g.constraints.max_homopolymer)
      return fail("primer '" + *p + "' has a homopolymer longer than --max-homopolymer");
  }
  if (g.fwd_primer == ReverseComplement(g.fwd_primer) ||
      g.rev_primer == ReverseComplement(g.rev_primer) ||
      g.fwd_primer == ReverseComplement(g.rev_primer) || g.fwd_primer == g.rev_primer)
    return fail("primers must differ from each other and from their reverse complements");
  if (g.constraints.max_homopolymer < 1 || g.constraints.max_homopolymer > 31)
    return fail("--max-homopolymer must be between 1 and 31");
  if (g.mapping == Mapping::kDirect && g.constraints.max_homopolymer < 2)
    return fail("--max-homopolymer 1 needs --mapping transition");
  if (!(g.constraints.gc_min >= 0 && g.constraints.gc_max <= 1 &&
        g.constraints.gc_max - g.constraints.gc_min >= 0.05))
    return fail("GC bounds must satisfy 0 <= gc-min < gc-max <= 1 with at least 5 points between");
  if (g.payload_nt < kMinPayloadNt || g.payload_nt > kMaxPayloadNt)
    return fail("payload length must be between " + std::to_string(kMinPayloadNt) + " and " +
                std::to_string(kMaxPayloadNt) + " nt");
  if (g.mapping == Mapping::kDirect) return std::make_unique<DirectMapper>(g);
  auto m = std::make_unique<TransitionMapper>(g);
  int gc = 0;
  for (char ch : g.fwd_primer + g.rev_primer) gc += (ch == 'G' || ch == 'C');
  m->SetFixedGc(gc);
  return m;
}

}  // namespace dnastore
