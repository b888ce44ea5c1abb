// Channel simulator implementation.
//
// Hot loop design (target >= 2 M Illumina reads/s on 2 threads):
// - a read is a list of tokens (base, origin), origin = position in the
//   reference or -1 for an inserted base. Stages rewrite the token list only
//   when they inject an event; the initial list is a view of the oligo and a
//   shared 0..n-1 origin table, so an error-free stage costs one log().
// - events are placed by geometric skipping (one uniform + one log per event),
//   position-dependent rates by thinning.
// - qualities come from a seeded bank of pre-drawn quality rows; bases with
//   injected sequencing errors are then given low qualities.
// - per-thread scratch buffers are reused, so no per-read heap allocation.
// - reads are formatted in parallel chunks and written in order
//   (tbb::parallel_pipeline), so memory is bounded by the pool size.
#include <tbb/concurrent_queue.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <mutex>

#include "core/dna.h"
#include "core/rng.h"
#include "dnastore/channel.h"
#include "dnastore/seq_io.h"

namespace dnastore::channel {
namespace {

// Stream ids: stage tags mixed with item indices (core/rng.h MixIds).
constexpr uint64_t kStreamOligo = 0x4f4c49474f;   // per-oligo decisions
constexpr uint64_t kStreamSampling = 0x53414d50;  // multinomial read counts
constexpr uint64_t kStreamRead = 0x52454144;      // per-read errors
constexpr uint64_t kStreamShuffle = 0x53485546;   // output permutation keys
constexpr uint64_t kStreamQuality = 0x5155414c;   // quality bank

constexpr int kStageSynthesis = 0, kStagePcr = 1, kStageDecay = 2, kStageSequencing = 3;
constexpr uint32_t kMaxOligoNt = 100000;
constexpr int kQualityBankRows = 1024;
constexpr size_t kChunkReads = 4096;
constexpr size_t kCoverageBins = 1001;

// ------------------------------------------------------------ small tools --

// Cumulative distribution over 1..n (index i -> length i+1).
struct LengthCdf {
  std::vector<double> cdf;
  explicit LengthCdf(const std::vector<double>& w = {1.0}) {
    double sum = 0;
    for (double x : w) sum += x;
    double acc = 0;
    for (double x : w) {
      acc += x / sum;
      cdf.push_back(acc);
    }
    if (!cdf.empty()) cdf.back() = 1.0;
  }
  uint32_t Draw(Rng& rng) const {
    if (cdf.size() == 1) return 1;
    double u = rng.Uniform();
    size_t i = 0;
    while (i + 1 < cdf.size() && u >= cdf[i]) ++i;
    return static_cast<uint32_t>(i + 1);
  }
  double Mean() const {
    double m = 0, prev = 0;
    for (size_t i = 0; i < cdf.size(); ++i) {
      m += (cdf[i] - prev) * static_cast<double>(i + 1);
      prev = cdf[i];
    }
    return m;
  }
};

// For each source base, the cumulative distribution over the 3 other bases,
// and the base's relative substitution propensity (row sum / mean row sum):
// as in dt4dds, the bias matrix weighs each (from, to) pair jointly, so e.g.
// the aging bias makes C and G ~9x likelier to mutate than A and T. The mean
// over the four bases is 1, so the configured rate is the rate for a
// balanced sequence.
struct SubTable {
  double cdf[4][3];
  char to[4][3];
  double rel[4] = {1, 1, 1, 1};
  double max_rel = 1;
  explicit SubTable(const SubstitutionBias& b = {}) {
    double rows[4], total = 0;
    for (int f = 0; f < 4; ++f) {
      rows[f] = 0;
      for (int t = 0; t < 4; ++t)
        if (t != f) rows[f] += b[f][t];
      total += rows[f];
    }
    if (total > 0) {
      max_rel = 0;
      for (int f = 0; f < 4; ++f) {
        rel[f] = rows[f] / (total / 4);
        max_rel = std::max(max_rel, rel[f]);
      }
    }
    for (int f = 0; f < 4; ++f) {
      double w[3], sum = 0;
      int k = 0;
      for (int t = 0; t < 4; ++t) {
        if (t == f) continue;
        to[f][k] = kBases[t];
        w[k] = b[f][t];
        sum += w[k++];
      }
      if (!(sum > 0)) {
        w[0] = w[1] = w[2] = 1;
        sum = 3;
      }
      double acc = 0;
      for (k = 0; k < 3; ++k) cdf[f][k] = (acc += w[k] / sum);
      cdf[f][2] = 1.0;
    }
  }
  char Draw(char from, Rng& rng) const {
    int f = BaseCode(from);
    if (f < 0) return kBases[rng.Below(4)];
    double u = rng.Uniform();
    return u < cdf[f][0] ? to[f][0] : (u < cdf[f][1] ? to[f][1] : to[f][2]);
  }
};

// Binomial(n, p) draw: inversion for small means, normal approximation for
// large ones (means >= 300, where its error is negligible for coverage).
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

// Geometric skip: number of failures before the next success at rate p,
// given log_q = log(1 - p). Returns a huge value when none within range.
inline uint64_t GeometricSkip(Rng& rng, double log_q) {
  double u = 1.0 - rng.Uniform();  // (0, 1]
  double s = std::log(u) / log_q;
  return s >= 4e9 ? 4000000000ULL : static_cast<uint64_t>(s);
}

// Per-molecule / per-read error-rate multiplier: log-normal with mean 1.
// Real errors cluster (bad synthesis spots, bad clusters): dt4dds models
// this with per-read error-count distributions (*_read_bias).
inline double RateScale(Rng& rng, double sigma) {
  if (sigma <= 0) return 1.0;
  return std::exp(sigma * rng.Normal() - 0.5 * sigma * sigma);
}

// ------------------------------------------------------------ tokens -------

struct View {
  const char* b;
  const int32_t* o;
  uint32_t n;
};

struct Buf {
  std::vector<char> b;
  std::vector<int32_t> o;
  uint32_t n = 0;
  void Clear(size_t expect) {
    n = 0;
    if (b.size() < expect) {
      b.resize(expect * 2 + 64);
      o.resize(expect * 2 + 64);
    }
  }
  void Grow() {
    b.resize(b.size() * 2 + 64);
    o.resize(o.size() * 2 + 64);
  }
  void Push(char base, int32_t org) {
    if (n == b.size()) Grow();
    b[n] = base;
    o[n] = org;
    ++n;
  }
  void Append(const View& v, uint32_t from, uint32_t to) {
    uint32_t len = to - from;
    while (n + len > b.size()) Grow();
    std::memcpy(&b[n], v.b + from, len);
    std::memcpy(&o[n], v.o + from, len * sizeof(int32_t));
    n += len;
  }
  View view() const { return View{b.data(), o.data(), n}; }
};

enum class FactorMode { kFlat, kIllumina, kHomopolymer };

// Rates of one generic mutation stage (events per nt).
struct StageModel {
  int stage = 0;
  double p_sub = 0, p_ins = 0, p_del = 0;
  double p_tot = 0;
  LengthCdf del_len, ins_len;
  SubTable sub;
  bool ins_same_base = false;  // n+1 additions copy the base at the position
  FactorMode mode = FactorMode::kFlat;
  double end_factor = 1.0;  // Illumina
  double hp_factor = 1.0;   // nanopore
  int hp_min = 4;
  uint32_t lo_margin = 0, hi_margin = 0;  // untouched ends (TdT primers)
  // Deletion excess at the 5' end: rate x (1 + A exp(-pos / d)), normalised
  // so the mean over the oligo stays p_del.
  double del_5p_excess = 0, del_5p_decay_nt = 4;

  bool active() const { return p_tot > 0; }
  // Candidate rate: substitutions at the most mutable base's rate; a
  // candidate on a less mutable base is rejected in proportion.
  void Finish() { p_tot = p_sub * sub.max_rel + p_ins + p_del; }
};

// Illumina error profile over read position r of a read of length n: a small
// bump on the first bases and a quadratic rise over the last third up to
// `end_factor`, normalised to mean 1 (so the configured rate is the mean).
struct IlluminaProfile {
  double end_factor;
  double Mean(uint32_t n) const {
    double nn = std::max<double>(n, 1);
    return 1.0 + 0.5 * 2.5415 / nn + (end_factor - 1.0) / 9.0;
  }
  double Raw(uint32_t r, uint32_t n) const {
    double x = n > 1 ? static_cast<double>(r) / (n - 1) : 0;
    double tail = x > 2.0 / 3.0 ? (x - 2.0 / 3.0) * 3.0 : 0.0;
    return 1.0 + 0.5 * std::exp(-0.5 * r) + (end_factor - 1.0) * tail * tail;
  }
  double Max() const { return 1.5 + (end_factor - 1.0); }
};

// Sink for differences between tokens and their reference.
struct CountDiff {
  SimulateStats* st;
  uint32_t max_pos;
  void Sub(uint32_t pos, char, char) {
    ++st->substitutions;
    if (pos < max_pos) ++st->substitutions_by_position[pos];
  }
  void Ins(uint32_t pos, const char*, uint32_t n, const int32_t*) {
    st->insertions += n;
    ++st->insertion_events;
    if (pos < max_pos) st->insertions_by_position[pos] += n;
  }
  void Del(uint32_t pos, uint32_t len) {
    st->deletions += len;
    ++st->deletion_events;
    for (uint32_t i = pos; i < pos + len && i < max_pos; ++i) ++st->deletions_by_position[i];
  }
};

struct VectorDiff {
  std::vector<Edit>* out;
  void Sub(uint32_t pos, char, char to) {
    out->push_back(Edit{EditType::kSubstitution, pos, 1, std::string(1, to)});
  }
  void Ins(uint32_t pos, const char* b, uint32_t n, const int32_t*) {
    out->push_back(Edit{EditType::kInsertion, pos, n, std::string(b, n)});
  }
  void Del(uint32_t pos, uint32_t len) {
    out->push_back(Edit{EditType::kDeletion, pos, len, std::string()});
  }
};

struct TextDiff {
  std::string* out;
  bool any = false;
  void Sep() {
    if (any) out->push_back(',');
    any = true;
  }
  void Num(uint64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out->append(buf, r.ptr);
  }
  void Sub(uint32_t pos, char from, char to) {
    Sep();
    out->push_back('S');
    Num(pos);
    out->push_back(':');
    out->push_back(from);
    out->push_back('>');
    out->push_back(to);
  }
  void Ins(uint32_t pos, const char* b, uint32_t n, const int32_t*) {
    Sep();
    out->push_back('I');
    Num(pos);
    out->push_back(':');
    out->append(b, n);
  }
  void Del(uint32_t pos, uint32_t len) {
    Sep();
    out->push_back('D');
    Num(pos);
    out->push_back(':');
    Num(len);
  }
  void Finish() {
    if (!any) out->push_back('.');
  }
};

// Walks tokens (forward reference orientation) against ref[0, ref_n) and
// reports net edits. When `tail_deletion` is false, reference bases after the
// last token are not reported (a read cut to its length).
template <typename Sink>
void Diff(const View& v, const char* ref, uint32_t ref_n, bool tail_deletion, Sink& sink) {
  uint32_t expected = 0;
  uint32_t i = 0;
  while (i < v.n) {
    if (v.o[i] < 0) {
      uint32_t j = i;
      while (j < v.n && v.o[j] < 0) ++j;
      sink.Ins(expected, v.b + i, j - i, v.o + i);
      i = j;
      continue;
    }
    uint32_t org = static_cast<uint32_t>(v.o[i]);
    if (org > expected) sink.Del(expected, org - expected);
    if (v.b[i] != ref[org]) sink.Sub(org, ref[org], v.b[i]);
    expected = org + 1;
    ++i;
  }
  if (tail_deletion && expected < ref_n) sink.Del(expected, ref_n - expected);
}

// Per-thread reusable buffers.
struct Scratch {
  Buf buf[2];
  int cur = -1;                   // which buf holds the current view, -1 = initial view
  std::vector<uint32_t> seq_err;  // output token indices with sequencing errors
  std::string tmpl[2];            // paired mode templates
  Buf mate;
  std::vector<uint32_t> mate_err;
  std::string text;                                 // scratch text
  std::vector<std::pair<uint64_t, uint32_t>> jobs;  // (sorted read id, oligo) per chunk read
};

// Quality model: a bank of rows for correct bases plus a table of error
// qualities (Phred+33 chars).
struct QualityModel {
  std::vector<std::string> rows;
  std::vector<std::vector<uint32_t>> prefix;  // phred prefix sums per row
  char error_q[256];
  uint32_t row_len = 0;
  bool constant = false;
};

struct ChunkStats {
  SimulateStats st;
  std::vector<uint64_t> ref_len_hist;  // reference length per counted reference
  uint64_t phred_sum = 0;
};

}  // namespace

// ====================================================================== Impl

struct ChannelSimulator::Impl {
  std::vector<PoolOligo> pool;
  ChannelConfig cfg;
  uint64_t seed = 0;
  uint32_t max_len = 0;
  std::vector<int32_t> iota;
  std::vector<uint32_t> counts;
  std::vector<uint64_t> start;  // prefix sums of counts, size n+1
  // Oligo sequences stored contiguously (cache-friendly random access).
  std::string seq_data;
  std::vector<uint32_t> seq_off;  // size n+1
  // block_oligo[b] = oligo holding sorted read b << kBlockShift.
  static constexpr int kBlockShift = 6;
  std::vector<uint32_t> block_oligo;

  uint32_t Locate(uint64_t j) const {
    uint32_t o = block_oligo[j >> kBlockShift];
    while (start[o + 1] <= j) ++o;
    return o;
  }
  const char* OligoSeq(uint32_t o) const { return seq_data.data() + seq_off[o]; }
  uint32_t OligoLen(uint32_t o) const { return seq_off[o + 1] - seq_off[o]; }
  uint64_t total = 0;
  // Feistel permutation of [0, total).
  int half_bits = 1;
  uint64_t keys[4] = {};
  // Stage models.
  StageModel synth, pcr, decay;
  StageModel seq[2];  // mate 1 / single-end, mate 2
  bool tdt = false;
  // Cycle outcome CDF per (prev, cur): index 0 = missed cycle, k = run of k
  // bases (geometric with the configured mean, capped at kTdtMaxRun).
  static constexpr int kTdtMaxRun = 50;
  double tdt_cdf[5][4][kTdtMaxRun + 1] = {};
  QualityModel qual;
  SimulateStats pool_stats;  // coverage part

  uint64_t Permute(uint64_t k) const;
  void SimulateRead(uint64_t j, uint32_t oligo, Scratch& s, bool& reverse, View& mol,
                    uint64_t* stage_events) const;
  void Mutate(const StageModel& m, Rng& rng, Scratch& s, View& v, bool reverse, bool record,
              uint64_t* events, double scale = 1.0) const;
  void TdtSynthesize(Rng& rng, Scratch& s, View& v, uint64_t* events) const;
  void Qualities(Rng& rng, const View& v, bool reverse, const std::vector<uint32_t>& err,
                 uint32_t n_out, char* dst, uint64_t& phred_sum) const;
  void ProcessChunk(uint64_t first, uint64_t count, Scratch& s, std::string* fq1, std::string* fq2,
                    std::string* truth, ChunkStats& cs,
                    std::vector<SimulatedRead>* records = nullptr) const;
  void EmitRead(Rng& qrng, uint64_t k, const char* suffix, const View& v, bool reverse,
                uint32_t n_out, Scratch& s, std::string* fq, std::string* rec_seq,
                std::string* rec_qual, uint64_t& phred_sum) const;
};

namespace {

Buf& NextBuf(Scratch& s) {
  int nb = s.cur == 0 ? 1 : 0;
  s.cur = nb;
  return s.buf[nb];
}

}  // namespace

uint64_t ChannelSimulator::Impl::Permute(uint64_t k) const {
  // Balanced Feistel network over 2*half_bits bits, cycle-walking into [0, total).
  const uint64_t mask = (1ULL << half_bits) - 1;
  uint64_t x = k;
  do {
    uint64_t l = x >> half_bits, r = x & mask;
    for (int round = 0; round < 4; ++round) {
      uint64_t st = r ^ keys[round];
      uint64_t f = SplitMix64(st) & mask;
      uint64_t nl = r;
      r = l ^ f;
      l = nl;
    }
    x = (l << half_bits) | r;
  } while (x >= total);
  return x;
}

// Generic stage: substitutions, insertions, deletions at (possibly
// position-dependent) rates, placed by geometric skipping with thinning.
void ChannelSimulator::Impl::Mutate(const StageModel& m, Rng& rng, Scratch& s, View& v,
                                    bool reverse, bool record, uint64_t* events,
                                    double scale) const {
  if (!m.active() || v.n == 0) return;
  double max_factor = 1.0;
  IlluminaProfile prof{m.end_factor};
  double prof_mean = 1.0;
  if (m.mode == FactorMode::kIllumina) {
    prof_mean = prof.Mean(v.n);
    max_factor = prof.Max() / prof_mean;
  } else if (m.mode == FactorMode::kHomopolymer) {
    max_factor = std::max(1.0, m.hp_factor);
  }
  // `scale` is this molecule's / read's rate multiplier (error clustering);
  // the type split below is relative to p_tot and unaffected by it.
  double del_norm = 1.0, p_del_max = m.p_del;
  if (m.del_5p_excess > 0) {
    const double d = m.del_5p_decay_nt, n = v.n;
    del_norm = 1.0 + m.del_5p_excess * d * (1.0 - std::exp(-n / d)) / n;
    p_del_max = m.p_del * (1.0 + m.del_5p_excess) / del_norm;
  }
  const double p_tot = m.p_tot - m.p_del + p_del_max;
  double p_max = std::min(0.95, p_tot * max_factor * scale);
  double log_q = std::log1p(-p_max);
  uint32_t lo = m.lo_margin, hi = v.n > m.hi_margin ? v.n - m.hi_margin : 0;
  if (lo >= hi) return;
  uint64_t pos = lo + GeometricSkip(rng, log_q);
  if (pos >= hi) return;
  Buf* out = nullptr;
  uint32_t cursor = 0;
  while (pos < hi) {
    uint32_t p = static_cast<uint32_t>(pos);
    double accept = 1.0;
    if (m.mode == FactorMode::kIllumina) {
      uint32_t r = reverse ? v.n - 1 - p : p;
      accept = prof.Raw(r, v.n) / prof_mean / max_factor;
    } else if (m.mode == FactorMode::kHomopolymer && max_factor > 1.0) {
      uint32_t a = p, b = p;
      while (a > 0 && v.b[a - 1] == v.b[p]) --a;
      while (b + 1 < v.n && v.b[b + 1] == v.b[p]) ++b;
      accept = (b - a + 1 >= static_cast<uint32_t>(m.hp_min) ? m.hp_factor : 1.0) / max_factor;
    }
    if (accept >= 1.0 || rng.Uniform() < accept) {
      if (!out) {
        out = &NextBuf(s);
        out->Clear(v.n + 16);
        if (record) s.seq_err.clear();
      }
      out->Append(v, cursor, p);
      cursor = p;
      double u = rng.Uniform() * p_tot;
      const double p_sub_max = m.p_sub * m.sub.max_rel;
      if (u < p_sub_max) {
        int code = BaseCode(v.b[p]);
        if (code >= 0 && reverse) code = 3 - code;
        if (code >= 0 && u >= m.p_sub * m.sub.rel[code]) {  // base less mutable: no event
          pos = pos + 1 + GeometricSkip(rng, log_q);
          continue;
        }
        char from = v.b[p];
        char to;
        if (reverse) {
          to = ComplementBase(m.sub.Draw(ComplementBase(from), rng));
        } else {
          to = m.sub.Draw(from, rng);
        }
        if (record) s.seq_err.push_back(out->n);
        out->Push(to, v.o[p]);
        cursor = p + 1;
        ++events[0];
      } else if (u < p_sub_max + m.p_ins) {
        uint32_t len = m.ins_len.Draw(rng);
        for (uint32_t i = 0; i < len; ++i) {
          if (record) s.seq_err.push_back(out->n);
          out->Push(m.ins_same_base ? v.b[p] : kBases[rng.Below(4)], -1);
        }
        out->Push(v.b[p], v.o[p]);
        cursor = p + 1;
        ++events[1];
      } else {
        if (m.del_5p_excess > 0 &&
            u - p_sub_max - m.p_ins >=
                m.p_del *
                    (1.0 +
                     m.del_5p_excess * std::exp(-static_cast<double>(p) / m.del_5p_decay_nt)) /
                    del_norm) {
          pos = pos + 1 + GeometricSkip(rng, log_q);  // away from the 5' end: no event
          continue;
        }
        uint32_t len = m.del_len.Draw(rng);
        uint32_t end = std::min<uint32_t>(p + len, hi);
        // Base callers usually lower the quality next to a deletion: the
        // next base written gets an error quality half of the time.
        if (record && end < v.n && rng.Uniform() < 0.5) s.seq_err.push_back(out->n);
        cursor = end;
        pos = end;  // continue after the deleted bases
        ++events[2];
        pos += GeometricSkip(rng, log_q);
        continue;
      }
    }  // else: candidate rejected by thinning
    pos = pos + 1 + GeometricSkip(rng, log_q);
  }
  if (!out) return;
  out->Append(v, cursor, v.n);
  v = out->view();
}

// Terminator-free TdT: each designed base outside the ligated primers is one
// cycle that adds a run of that base (geometric length with the configured
// mean) or, with missed_cycle_rate, nothing.
void ChannelSimulator::Impl::TdtSynthesize(Rng& rng, Scratch& s, View& v, uint64_t* events) const {
  const auto& sp = cfg.synthesis;
  uint32_t lo = std::min<uint32_t>(sp.primer_5p_nt, v.n);
  uint32_t hi = v.n > static_cast<uint32_t>(sp.primer_3p_nt) ? v.n - sp.primer_3p_nt : 0;
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
    const double* cdf = tdt_cdf[prev][cur];
    const double u = rng.Uniform();
    int k = 0;
    while (k < kTdtMaxRun && u >= cdf[k]) ++k;
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

// Simulates the molecule and (single-end) the read of output read k. On
// return `mol` holds the final tokens in forward oligo orientation.
void ChannelSimulator::Impl::SimulateRead(uint64_t j, uint32_t oligo, Scratch& s, bool& reverse,
                                          View& mol, uint64_t* stage_events) const {
  Rng rng(seed, MixIds(kStreamRead, j));
  View v{OligoSeq(oligo), iota.data(), OligoLen(oligo)};
  s.cur = -1;
  s.seq_err.clear();
  if (tdt) {
    TdtSynthesize(rng, s, v, stage_events + 3 * kStageSynthesis);
  } else {
    Mutate(synth, rng, s, v, false, false, stage_events + 3 * kStageSynthesis,
           RateScale(rng, cfg.synthesis.rate_sigma));
  }
  Mutate(decay, rng, s, v, false, false, stage_events + 3 * kStageDecay);
  Mutate(pcr, rng, s, v, false, false, stage_events + 3 * kStagePcr);
  reverse = rng.Uniform() < cfg.sequencing.reverse_fraction;
  if (!cfg.sequencing.paired) {
    Mutate(seq[0], rng, s, v, reverse, true, stage_events + 3 * kStageSequencing,
           RateScale(rng, cfg.sequencing.rate_sigma));
  }
  mol = v;
}

void ChannelSimulator::Impl::Qualities(Rng& rng, const View& v, bool reverse,
                                       const std::vector<uint32_t>& err, uint32_t n_out, char* dst,
                                       uint64_t& phred_sum) const {
  if (qual.constant) {
    std::memset(dst, qual.rows[0][0], n_out);
    phred_sum += static_cast<uint64_t>(qual.rows[0][0] - 33) * n_out;
    return;
  }
  uint32_t row = static_cast<uint32_t>(rng.Below(kQualityBankRows));
  const std::string& r = qual.rows[row];
  uint32_t done = 0;
  while (done < n_out) {  // rows are long; wrap only for very long reads
    uint32_t take = std::min<uint32_t>(n_out - done, qual.row_len);
    std::memcpy(dst + done, r.data(), take);
    phred_sum += qual.prefix[row][take];
    done += take;
  }
  for (uint32_t e : err) {
    uint32_t idx = reverse ? v.n - 1 - e : e;
    if (idx >= n_out) continue;
    char q = qual.error_q[rng.Next() & 255];
    phred_sum += static_cast<uint64_t>(q) - static_cast<uint64_t>(dst[idx]);
    dst[idx] = q;
  }
}

namespace {

inline void AppendName(std::string& out, char lead, uint64_t k, const char* suffix) {
  if (lead) out.push_back(lead);
  out.push_back('r');
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, k);
  out.append(buf, r.ptr);
  if (suffix) out.append(suffix);
}

inline void AppendSeq(std::string& out, const View& v, bool reverse, uint32_t n_out) {
  size_t at = out.size();
  out.resize(at + n_out);
  char* d = &out[at];
  if (!reverse) {
    std::memcpy(d, v.b, n_out);
  } else {
    for (uint32_t i = 0; i < n_out; ++i) d[i] = ComplementBase(v.b[v.n - 1 - i]);
  }
}

void InitStats(SimulateStats& st, uint32_t max_len) {
  st.substitutions_by_position.assign(max_len + 1, 0);
  st.insertions_by_position.assign(max_len + 1, 0);
  st.deletions_by_position.assign(max_len + 1, 0);
}

// Position p is covered by every reference longer than p.
std::vector<uint64_t> CoverageByPosition(const std::vector<uint64_t>& len_hist, uint32_t max_len) {
  std::vector<uint64_t> cov(max_len + 1, 0);
  uint64_t acc = 0;
  for (size_t len = len_hist.size(); len-- > 1;) {
    acc += len_hist[len];
    if (len - 1 < cov.size()) cov[len - 1] = acc;
  }
  return cov;
}

void MergeStats(SimulateStats& a, const SimulateStats& b) {
  a.reads += b.reads;
  a.read_nt += b.read_nt;
  a.reference_nt += b.reference_nt;
  a.substitutions += b.substitutions;
  a.insertions += b.insertions;
  a.deletions += b.deletions;
  a.insertion_events += b.insertion_events;
  a.deletion_events += b.deletion_events;
  a.error_free_reads += b.error_free_reads;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) a.stage_events[i][j] += b.stage_events[i][j];
  auto add = [](std::vector<uint64_t>& x, const std::vector<uint64_t>& y) {
    if (x.size() < y.size()) x.resize(y.size(), 0);
    for (size_t i = 0; i < y.size(); ++i) x[i] += y[i];
  };
  add(a.substitutions_by_position, b.substitutions_by_position);
  add(a.insertions_by_position, b.insertions_by_position);
  add(a.deletions_by_position, b.deletions_by_position);
}

}  // namespace

// Writes one read (or mate) as FASTQ into `fq` and/or into a record's
// seq/qual strings (any may be null; qualities are drawn once either way).
void ChannelSimulator::Impl::EmitRead(Rng& qrng, uint64_t k, const char* suffix, const View& v,
                                      bool reverse, uint32_t n_out, Scratch& s, std::string* fq,
                                      std::string* rec_seq, std::string* rec_qual,
                                      uint64_t& phred_sum) const {
  if (rec_seq) {
    rec_seq->clear();
    AppendSeq(*rec_seq, v, reverse, n_out);
    rec_qual->resize(n_out);
    Qualities(qrng, v, reverse, s.seq_err, n_out, rec_qual->data(), phred_sum);
    if (fq) {
      AppendName(*fq, '@', k, suffix);
      fq->push_back('\n');
      fq->append(*rec_seq);
      fq->append("\n+\n");
      fq->append(*rec_qual);
      fq->push_back('\n');
    }
    return;
  }
  if (fq) {  // hot path: format straight into the chunk buffer
    AppendName(*fq, '@', k, suffix);
    fq->push_back('\n');
    AppendSeq(*fq, v, reverse, n_out);
    fq->append("\n+\n");
    size_t at = fq->size();
    fq->resize(at + n_out);
    Qualities(qrng, v, reverse, s.seq_err, n_out, &(*fq)[at], phred_sum);
    fq->push_back('\n');
    return;
  }
  s.text.resize(n_out);  // stats only: qualities still drawn for mean_phred
  Qualities(qrng, v, reverse, s.seq_err, n_out, s.text.data(), phred_sum);
}

// Generates reads [first, first+count) and formats them. Any of the text
// outputs may be null; `records` (if given) receives one structured record
// per read.
void ChannelSimulator::Impl::ProcessChunk(uint64_t first, uint64_t count, Scratch& s,
                                          std::string* fq1, std::string* fq2, std::string* truth,
                                          ChunkStats& cs,
                                          std::vector<SimulatedRead>* records) const {
  SimulateStats& st = cs.st;
  const bool paired = cfg.sequencing.paired;
  CountDiff counter{&st, max_len + 1};
  // Pass 1: where each read comes from; prefetch the oligos (random access).
  s.jobs.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t j = Permute(first + i);
    uint32_t o = Locate(j);
    s.jobs[i] = {j, o};
    const char* p = OligoSeq(o);
    for (uint32_t off = 0; off < OligoLen(o); off += 64) __builtin_prefetch(p + off);
  }
  for (uint64_t k = first; k < first + count; ++k) {
    const uint32_t oligo = s.jobs[k - first].second;
    bool reverse;
    View v;
    uint64_t ev[12] = {};
    SimulateRead(s.jobs[k - first].first, oligo, s, reverse, v, ev);
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 3; ++j) st.stage_events[i][j] += ev[3 * i + j];
    const std::string_view ref(OligoSeq(oligo), OligoLen(oligo));
    const uint32_t ref_n = static_cast<uint32_t>(ref.size());
    const bool changed = s.cur >= 0;
    Rng qrng(seed, MixIds(kStreamQuality, k));
    ++st.reads;
    const uint64_t before = st.substitutions + st.insertion_events + st.deletion_events;
    if (changed) Diff(v, ref.data(), ref_n, true, counter);
    st.reference_nt += ref_n;
    if (cs.ref_len_hist.size() <= ref_n) cs.ref_len_hist.resize(ref_n + 1, 0);
    ++cs.ref_len_hist[ref_n];
    SimulatedRead* rec = nullptr;
    if (records) {
      records->emplace_back();
      rec = &records->back();
      rec->read_index = k;
      rec->oligo_index = oligo;
      rec->reverse = reverse;
      AppendName(rec->name, 0, k, nullptr);
      VectorDiff vd{&rec->edits};
      if (changed) Diff(v, ref.data(), ref_n, true, vd);
    }
    if (truth) {
      AppendName(*truth, 0, k, nullptr);
      truth->push_back('\t');
      truth->append(pool[oligo].id);
      truth->push_back('\t');
      char buf[16];
      auto r = std::to_chars(buf, buf + sizeof buf, oligo);
      truth->append(buf, r.ptr);
      truth->push_back('\t');
      truth->push_back(reverse ? '-' : '+');
      truth->push_back('\t');
      TextDiff td{truth};
      if (changed) Diff(v, ref.data(), ref_n, true, td);
      td.Finish();
    }
    if (!paired) {
      if (st.substitutions + st.insertion_events + st.deletion_events == before)
        ++st.error_free_reads;
      st.read_nt += v.n;
      EmitRead(qrng, k, nullptr, v, reverse, v.n, s, fq1, rec ? &rec->seq : nullptr,
               rec ? &rec->qual : nullptr, cs.phred_sum);
      if (truth) truth->push_back('\n');
      continue;
    }
    // Paired mode: build the mate templates from the fragment.
    const auto& sq = cfg.sequencing;
    const uint32_t rl = static_cast<uint32_t>(sq.read_length_nt);
    std::string& t1 = s.tmpl[0];
    std::string& t2 = s.tmpl[1];
    t1.clear();
    t2.clear();
    AppendSeq(t1, v, reverse, v.n);
    AppendSeq(t2, v, !reverse, v.n);
    t1 += sq.adapter_r1;
    t2 += sq.adapter_r2;
    // Past the adapter a 2-colour sequencer reads dark cycles as G.
    if (t1.size() < rl + 32) t1.append(rl + 32 - t1.size(), 'G');
    if (t2.size() < rl + 32) t2.append(rl + 32 - t2.size(), 'G');
    bool mate_clean = true;
    for (int mate = 0; mate < 2; ++mate) {
      const std::string& t = s.tmpl[mate];
      const uint32_t t_n = static_cast<uint32_t>(t.size());
      View mv{t.data(), iota.data(), t_n};
      s.cur = -1;
      s.seq_err.clear();
      Mutate(seq[mate], qrng, s, mv, false, true, st.stage_events[kStageSequencing],
             RateScale(qrng, sq.rate_sigma));
      const uint32_t n_out = std::min(rl, mv.n);
      const View cut{mv.b, mv.o, n_out};
      const bool mchanged = s.cur >= 0;
      const uint64_t b2 = st.substitutions + st.insertion_events + st.deletion_events;
      if (mchanged) Diff(cut, t.data(), t_n, false, counter);
      if (st.substitutions + st.insertion_events + st.deletion_events != b2) mate_clean = false;
      st.reference_nt += n_out;
      st.read_nt += n_out;
      if (truth) {
        truth->push_back('\t');
        TextDiff td{truth};
        if (mchanged) Diff(cut, t.data(), t_n, false, td);
        td.Finish();
      }
      if (rec && mchanged) {
        VectorDiff vd{mate == 0 ? &rec->edits_r1 : &rec->edits_r2};
        Diff(cut, t.data(), t_n, false, vd);
      }
      EmitRead(qrng, k, mate == 0 ? "/1" : "/2", cut, false, n_out, s, mate == 0 ? fq1 : fq2,
               rec ? (mate == 0 ? &rec->seq : &rec->seq2) : nullptr,
               rec ? (mate == 0 ? &rec->qual : &rec->qual2) : nullptr, cs.phred_sum);
    }
    if (mate_clean && st.substitutions + st.insertion_events + st.deletion_events == before)
      ++st.error_free_reads;
    if (truth) truth->push_back('\n');
  }
}

// ================================================================ public ====

Result<std::vector<PoolOligo>> LoadPool(const std::string& path) {
  auto recs = ReadAllRecords(path);
  if (!recs.ok()) return recs.status();
  std::vector<PoolOligo> pool;
  pool.reserve(recs->size());
  for (size_t i = 0; i < recs->size(); ++i) {
    auto& r = (*recs)[i];
    PoolOligo o;
    o.id = r.name.substr(0, r.name.find_first_of(" \t"));
    o.seq = NormalizeBases(r.seq);
    if (o.seq.find('N') != std::string::npos)
      return BadInput(path + ": record " + std::to_string(i + 1) + " ('" + o.id +
                      "') contains a base other than A, C, G, T");
    if (o.seq.empty())
      return BadInput(path + ": record " + std::to_string(i + 1) + " ('" + o.id + "') is empty");
    if (o.seq.size() > kMaxOligoNt)
      return BadInput(path + ": record " + std::to_string(i + 1) + " is longer than " +
                      std::to_string(kMaxOligoNt) + " nt");
    pool.push_back(std::move(o));
  }
  if (pool.empty()) return BadInput(path + ": the pool contains no oligos");
  return pool;
}

Result<std::string> ApplyEdits(const std::string& ref, const std::vector<Edit>& edits) {
  std::string out;
  size_t cursor = 0;
  for (const Edit& e : edits) {
    if (e.pos < cursor || e.pos > ref.size())
      return BadInput("edit at " + std::to_string(e.pos) + " is out of order or out of range");
    out.append(ref, cursor, e.pos - cursor);
    cursor = e.pos;
    switch (e.type) {
      case EditType::kSubstitution:
        if (e.pos >= ref.size() || e.bases.size() != 1)
          return BadInput("bad substitution at " + std::to_string(e.pos));
        out += e.bases;
        ++cursor;
        break;
      case EditType::kInsertion:
        out += e.bases;
        break;
      case EditType::kDeletion:
        if (e.pos + e.length > ref.size())
          return BadInput("deletion at " + std::to_string(e.pos) + " runs past the end");
        cursor += e.length;
        break;
    }
  }
  out.append(ref, cursor, std::string::npos);
  return out;
}

std::string FormatEdits(const std::vector<Edit>& edits, const std::string& ref) {
  std::string out;
  TextDiff td{&out};
  for (const Edit& e : edits) {
    switch (e.type) {
      case EditType::kSubstitution:
        td.Sub(e.pos, e.pos < ref.size() ? ref[e.pos] : 'N', e.bases.empty() ? 'N' : e.bases[0]);
        break;
      case EditType::kInsertion:
        td.Ins(e.pos, e.bases.data(), static_cast<uint32_t>(e.bases.size()), nullptr);
        break;
      case EditType::kDeletion:
        td.Del(e.pos, e.length);
        break;
    }
  }
  td.Finish();
  return out;
}

double SimulateStats::SubstitutionRate() const {
  return reference_nt ? static_cast<double>(substitutions) / static_cast<double>(reference_nt) : 0;
}
double SimulateStats::InsertionRate() const {
  return reference_nt ? static_cast<double>(insertions) / static_cast<double>(reference_nt) : 0;
}
double SimulateStats::DeletionRate() const {
  return reference_nt ? static_cast<double>(deletions) / static_cast<double>(reference_nt) : 0;
}

ChannelSimulator::ChannelSimulator() : impl_(std::make_unique<Impl>()) {}
ChannelSimulator::~ChannelSimulator() = default;

uint64_t ChannelSimulator::read_count() const { return impl_->total; }
const std::vector<PoolOligo>& ChannelSimulator::pool() const { return impl_->pool; }
const ChannelConfig& ChannelSimulator::config() const { return impl_->cfg; }
const std::vector<uint32_t>& ChannelSimulator::reads_per_oligo() const { return impl_->counts; }

namespace {

void BuildQualityModel(const ChannelConfig& cfg, uint64_t seed, uint32_t row_len, QualityModel& q) {
  q.row_len = row_len;
  q.rows.assign(kQualityBankRows, std::string());
  q.prefix.assign(kQualityBankRows, std::vector<uint32_t>());
  const SequencingModel m = cfg.sequencing.model;
  Rng rng(seed, MixIds(kStreamQuality, 0xBA2C));
  if (m == SequencingModel::kPerfect) {
    q.constant = true;
    q.rows.assign(1, std::string(1, 'I'));
    for (auto& c : q.error_q) c = 'I';
    return;
  }
  if (m == SequencingModel::kIllumina) {
    // NovaSeq-style 4-bin qualities (2, 12, 23, 37). Correct bases are mostly
    // Q37 with lower bins becoming commoner toward the read end; bases with an
    // injected error mostly get Q2/Q12, as real base callers report them.
    const int bins[4] = {2, 12, 23, 37};
    const double nominal = 150.0;
    for (int row = 0; row < kQualityBankRows; ++row) {
      std::string& s = q.rows[row];
      s.resize(row_len);
      int prev = 3;
      for (uint32_t i = 0; i < row_len; ++i) {
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
        s[i] = static_cast<char>(33 + bins[b]);
      }
    }
    for (int i = 0; i < 256; ++i) {
      double v = (i + 0.5) / 256.0;
      int b = v < 0.40 ? 0 : (v < 0.80 ? 1 : (v < 0.95 ? 2 : 3));
      q.error_q[i] = static_cast<char>(33 + bins[b]);
    }
  } else {
    // Nanopore: continuous Phred, correct bases ~N(mu, 4) (R10 mu 20, R9 mu
    // 13; Chandak et al. report mean Q 15.5 over all bases), errors ~N(6, 2.5).
    const double mu = m == SequencingModel::kNanoporeR10 ? 20.0 : 13.0;
    for (int row = 0; row < kQualityBankRows; ++row) {
      std::string& s = q.rows[row];
      s.resize(row_len);
      double drift = 0;
      for (uint32_t i = 0; i < row_len; ++i) {
        drift = 0.8 * drift + 0.6 * 4.0 * rng.Normal();
        double qv = std::clamp(std::round(mu + drift), 3.0, 50.0);
        s[i] = static_cast<char>(33 + static_cast<int>(qv));
      }
    }
    for (int i = 0; i < 256; ++i) {
      double qv = std::clamp(std::round(6.0 + 2.5 * rng.Normal()), 1.0, 15.0);
      q.error_q[i] = static_cast<char>(33 + static_cast<int>(qv));
    }
  }
  for (int row = 0; row < kQualityBankRows; ++row) {
    auto& p = q.prefix[row];
    p.assign(row_len + 1, 0);
    for (uint32_t i = 0; i < row_len; ++i) p[i + 1] = p[i] + (q.rows[row][i] - 33);
  }
}

}  // namespace

Result<std::unique_ptr<ChannelSimulator>> ChannelSimulator::Create(std::vector<PoolOligo> pool,
                                                                   const ChannelConfig& config,
                                                                   uint64_t seed) {
  DNASTORE_RETURN_IF_ERROR(ValidateConfig(config));
  if (pool.empty()) return BadInput("the pool contains no oligos");
  if (pool.size() > 0xFFFFFFF0ULL) return BadInput("the pool has too many oligos");
  std::unique_ptr<ChannelSimulator> sim(new ChannelSimulator());
  Impl& m = *sim->impl_;
  m.cfg = config;
  m.seed = seed;
  for (size_t i = 0; i < pool.size(); ++i) {
    auto& o = pool[i];
    if (o.seq.empty() || o.seq.size() > kMaxOligoNt)
      return BadInput("oligo " + std::to_string(i + 1) + " ('" + o.id +
                      "') is empty or longer than 100000 nt");
    for (char c : o.seq)
      if (BaseCode(c) < 0 || c > 'Z')
        return BadInput("oligo " + std::to_string(i + 1) + " ('" + o.id +
                        "') contains a base other than upper-case A, C, G, T");
    m.max_len = std::max<uint32_t>(m.max_len, static_cast<uint32_t>(o.seq.size()));
  }
  m.pool = std::move(pool);
  const size_t n = m.pool.size();
  const auto& sp = config.synthesis;
  const auto& pc = config.pcr;
  const auto& dc = config.decay;
  const auto& sq = config.sequencing;
  uint32_t template_max =
      m.max_len + static_cast<uint32_t>(std::max(sq.adapter_r1.size(), sq.adapter_r2.size())) +
      static_cast<uint32_t>(sq.read_length_nt) + 64;
  m.iota.resize(template_max);
  for (uint32_t i = 0; i < template_max; ++i) m.iota[i] = static_cast<int32_t>(i);

  // ---- per-oligo weights (log domain)
  double mean_len = 0;
  for (auto& o : m.pool) mean_len += static_cast<double>(o.seq.size());
  mean_len /= static_cast<double>(n);
  double wsum = dc.break_base_weights[0] + dc.break_base_weights[1] + dc.break_base_weights[2] +
                dc.break_base_weights[3];
  double break_rate[4];  // per nt per half-life: survival 0.5 for a mean-length uniform strand
  for (int b = 0; b < 4; ++b)
    break_rate[b] = std::log(2.0) * (dc.break_base_weights[b] / (wsum / 4.0)) / mean_len;
  std::vector<double> logw(n);
  std::vector<char> present(n, 1);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n), [&](const tbb::blocked_range<size_t>& r) {
    for (size_t i = r.begin(); i != r.end(); ++i) {
      Rng rng(seed, MixIds(kStreamOligo, i));
      const std::string& s = m.pool[i].seq;
      const double len = static_cast<double>(s.size());
      double lw = 0;
      // Synthesis copy number: log-normal with mean 1.
      double z = rng.Normal();
      lw += sp.copy_sigma * z - 0.5 * sp.copy_sigma * sp.copy_sigma;
      if (rng.Uniform() < sp.dropout_fraction) present[i] = 0;
      // Truncated products carry no 5' primer and do not amplify.
      if (sp.truncation_rate > 0) lw += len * std::log1p(-sp.truncation_rate);
      if (sp.model == SynthesisModel::kTdtTerminator) {
        double steps = std::max(0.0, len - sp.primer_5p_nt - sp.primer_3p_nt);
        lw += steps * std::log1p(-(1 - sp.coupling_yield) * sp.capped_fraction);
      }
      // Decay: broken strands lose a primer and do not amplify.
      if (dc.halflives > 0) {
        double hazard = 0;
        for (char c : s) hazard += break_rate[BaseCode(c)];
        lw -= dc.halflives * hazard;
      }
      // PCR: per-oligo efficiency, amplification (1 + e)^cycles.
      double z2 = rng.Normal();
      if (pc.cycles > 0) {
        double e = std::clamp(pc.efficiency + pc.efficiency_sd * z2, 0.0, 1.0);
        lw += pc.cycles * std::log1p(e);
      }
      logw[i] = lw;
    }
  });
  double maxlw = -1e300;
  for (size_t i = 0; i < n; ++i)
    if (present[i]) maxlw = std::max(maxlw, logw[i]);
  std::vector<long double> suffix(n + 1, 0.0L);
  std::vector<double> w(n, 0.0);
  for (size_t i = 0; i < n; ++i) w[i] = present[i] ? std::exp(logw[i] - maxlw) : 0.0;
  for (size_t i = n; i-- > 0;) suffix[i] = suffix[i + 1] + w[i];

  // ---- multinomial read counts (sequential conditional binomials)
  uint64_t total = config.sampling.read_count
                       ? config.sampling.read_count
                       : static_cast<uint64_t>(
                             std::llround(config.sampling.coverage_x * static_cast<double>(n)));
  if (suffix[0] <= 0) total = 0;  // everything dropped out
  m.counts.assign(n, 0);
  {
    Rng rng(seed, MixIds(kStreamSampling, 0));
    uint64_t left = total;
    for (size_t i = 0; i < n && left > 0; ++i) {
      if (w[i] <= 0) continue;
      double p = static_cast<double>(w[i] / suffix[i]);
      uint64_t c = i + 1 == n ? left : Binomial(rng, left, p);
      if (c > 0xFFFFFFFFULL) c = 0xFFFFFFFFULL;
      m.counts[i] = static_cast<uint32_t>(c);
      left -= c;
    }
    if (left > 0) {  // the last present oligos absorbed rounding
      for (size_t i = n; i-- > 0 && left > 0;)
        if (w[i] > 0) {
          m.counts[i] += static_cast<uint32_t>(left);
          left = 0;
        }
    }
  }
  m.start.assign(n + 1, 0);
  for (size_t i = 0; i < n; ++i) m.start[i + 1] = m.start[i] + m.counts[i];
  m.total = m.start[n];
  m.block_oligo.resize((m.total >> Impl::kBlockShift) + 1);
  {
    uint32_t o = 0;
    for (size_t b = 0; b < m.block_oligo.size(); ++b) {
      uint64_t j = static_cast<uint64_t>(b) << Impl::kBlockShift;
      while (o + 1 < n && m.start[o + 1] <= j) ++o;
      m.block_oligo[b] = o;
    }
  }
  m.seq_off.assign(n + 1, 0);
  for (size_t i = 0; i < n; ++i)
    m.seq_off[i + 1] = m.seq_off[i] + static_cast<uint32_t>(m.pool[i].seq.size());
  if (m.seq_off[n] > 0xF0000000u) return BadInput("the pool is too large (> 4 G nt)");
  m.seq_data.reserve(m.seq_off[n]);
  for (auto& o : m.pool) m.seq_data += o.seq;
  // ---- permutation
  int bits = 2;
  while (bits < 62 && (1ULL << bits) < m.total) ++bits;
  if (bits % 2) ++bits;
  m.half_bits = bits / 2;
  for (int r = 0; r < 4; ++r) m.keys[r] = Rng(seed, MixIds(kStreamShuffle, r)).Next();

  // ---- stage models
  auto& syn = m.synth;
  syn.stage = kStageSynthesis;
  if (sp.model == SynthesisModel::kTdt) {
    m.tdt = true;
    for (int p = 0; p < 5; ++p)
      for (int c = 0; c < 4; ++c) {
        // P(run = k) = (1 - q) q^(k-1), mean 1 / (1 - q).
        double mean = std::max(1.0, sp.run_length_mean[p][c]);
        double q = 1.0 - 1.0 / mean;
        double* cdf = m.tdt_cdf[p][c];
        double acc = sp.missed_cycle_rate;
        cdf[0] = acc;
        double pk = (1 - sp.missed_cycle_rate) * (1 - q);
        for (int k = 1; k <= Impl::kTdtMaxRun; ++k) {
          acc += pk;
          cdf[k] = acc;
          pk *= q;
        }
        cdf[Impl::kTdtMaxRun] = 1.0;  // the tail is folded into the longest run
      }
  } else if (sp.model == SynthesisModel::kTdtTerminator) {
    // Conditional on reaching full length (capped strands are lost), a step
    // fails and continues with probability (1-y)(1-c) / (1 - (1-y)c).
    double f = 1 - sp.coupling_yield;
    syn.p_del = f * (1 - sp.capped_fraction) / (1 - f * sp.capped_fraction);
    syn.p_ins = sp.n_plus_one_rate;
    syn.ins_same_base = true;
    syn.lo_margin = static_cast<uint32_t>(sp.primer_5p_nt);
    syn.hi_margin = static_cast<uint32_t>(sp.primer_3p_nt);
  } else {
    // Phosphoramidite models; "none" still honours explicitly configured rates.
    syn.p_sub = sp.substitution_rate;
    syn.p_ins = sp.insertion_rate;
    syn.p_del = sp.deletion_rate;
    syn.del_len = LengthCdf(sp.deletion_length_weights);
    syn.ins_len = LengthCdf(sp.insertion_length_weights);
    syn.sub = SubTable(sp.substitution_bias);
    syn.del_5p_excess = sp.deletion_5p_excess;
    syn.del_5p_decay_nt = sp.deletion_5p_decay_nt;
  }
  syn.Finish();
  // PCR: a molecule after c cycles descends through ~c*e/(1+e) copying
  // events (each cycle it is a new copy with probability e/(1+e)).
  m.pcr.stage = kStagePcr;
  if (pc.cycles > 0) {
    m.pcr.p_sub = pc.substitution_rate_per_cycle / pc.fidelity * pc.cycles * pc.efficiency /
                  (1 + pc.efficiency);
  }
  m.pcr.sub = SubTable(pc.substitution_bias);
  m.pcr.Finish();
  m.decay.stage = kStageDecay;
  m.decay.p_sub = dc.substitution_rate_per_halflife * dc.halflives;
  m.decay.sub = SubTable(dc.substitution_bias);
  m.decay.Finish();
  for (int mate = 0; mate < 2; ++mate) {
    StageModel& s = m.seq[mate];
    s.stage = kStageSequencing;
    if (sq.model != SequencingModel::kPerfect || sq.substitution_rate > 0 ||
        sq.insertion_rate > 0 || sq.deletion_rate > 0) {
      s.p_sub = mate == 1 && sq.model == SequencingModel::kIllumina ? sq.substitution_rate_r2
                                                                    : sq.substitution_rate;
      s.p_ins = sq.insertion_rate;
      s.p_del = sq.deletion_rate;
    }
    s.del_len = LengthCdf(sq.deletion_length_weights);
    s.ins_len = LengthCdf(sq.insertion_length_weights);
    s.sub = SubTable(sq.substitution_bias);
    if (sq.model == SequencingModel::kIllumina) {
      s.mode = FactorMode::kIllumina;
      s.end_factor = sq.end_error_factor;
    } else if (sq.model == SequencingModel::kNanoporeR10 ||
               sq.model == SequencingModel::kNanoporeR9) {
      s.mode = FactorMode::kHomopolymer;
      s.hp_factor = sq.homopolymer_error_factor;
      s.hp_min = sq.homopolymer_min_nt;
    }
    s.Finish();
  }
  uint32_t row_len = std::max<uint32_t>(template_max, m.max_len * (m.tdt ? 4 : 2) + 64);
  BuildQualityModel(config, seed, row_len, m.qual);

  // ---- coverage statistics of the drawn counts
  SimulateStats& ps = m.pool_stats;
  ps.oligos = n;
  ps.coverage_histogram.assign(kCoverageBins, 0);
  double sum = 0, sum2 = 0;
  for (uint32_t c : m.counts) {
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
  return sim;
}

void ChannelSimulator::Generate(uint64_t first, uint64_t count,
                                std::vector<SimulatedRead>& out) const {
  const Impl& m = *impl_;
  if (first > m.total) first = m.total;
  count = std::min(count, m.total - first);
  out.clear();
  out.reserve(count);
  Scratch s;
  ChunkStats cs;
  InitStats(cs.st, m.max_len);
  for (uint64_t done = 0; done < count; done += kChunkReads) {
    uint64_t n = std::min<uint64_t>(kChunkReads, count - done);
    m.ProcessChunk(first + done, n, s, nullptr, nullptr, nullptr, cs, &out);
  }
}

SimulateStats ChannelSimulator::Measure(uint64_t first, uint64_t count, int threads) const {
  const Impl& m = *impl_;
  if (first > m.total) first = m.total;
  count = std::min(count, m.total - first);
  SimulateStats total = m.pool_stats;
  InitStats(total, m.max_len);
  std::vector<uint64_t> len_hist;
  uint64_t phred = 0;
  std::mutex mu;
  tbb::enumerable_thread_specific<Scratch> scratch;
  tbb::task_arena arena(std::max(1, threads));
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<uint64_t>(0, (count + kChunkReads - 1) / kChunkReads, 1),
                      [&](const tbb::blocked_range<uint64_t>& r) {
                        for (uint64_t c = r.begin(); c != r.end(); ++c) {
                          ChunkStats cs;
                          InitStats(cs.st, m.max_len);
                          uint64_t a = first + c * kChunkReads;
                          uint64_t b = std::min(first + count, a + kChunkReads);
                          m.ProcessChunk(a, b - a, scratch.local(), nullptr, nullptr, nullptr, cs);
                          std::lock_guard<std::mutex> lock(mu);
                          MergeStats(total, cs.st);
                          if (len_hist.size() < cs.ref_len_hist.size())
                            len_hist.resize(cs.ref_len_hist.size());
                          for (size_t i = 0; i < cs.ref_len_hist.size(); ++i)
                            len_hist[i] += cs.ref_len_hist[i];
                          phred += cs.phred_sum;
                        }
                      });
  });
  total.reference_nt_by_position = CoverageByPosition(len_hist, m.max_len);
  total.mean_phred = total.read_nt ? static_cast<double>(phred) / total.read_nt : 0;
  return total;
}

Result<SimulateStats> ChannelSimulator::Run(const SimulateOutput& output) const {
  const Impl& m = *impl_;
  const bool paired = m.cfg.sequencing.paired;
  if (paired && output.reads2_path.empty())
    return UsageError("paired-end mode needs a second output file for mate 2");
  int threads = std::max(1, output.threads);
  auto w1 = SeqWriter::Open(output.reads_path, SeqFormat::kFastq, threads);
  if (!w1.ok()) return w1.status();
  std::unique_ptr<SeqWriter> w2, wt;
  if (paired) {
    auto r = SeqWriter::Open(output.reads2_path, SeqFormat::kFastq, threads);
    if (!r.ok()) return r.status();
    w2 = std::move(*r);
  }
  if (!output.truth_path.empty()) {
    auto r = SeqWriter::Open(output.truth_path, SeqFormat::kFasta, 1);
    if (!r.ok()) return r.status();
    wt = std::move(*r);
    const char* header =
        paired ? "#read\toligo_id\toligo_index\tstrand\tfragment_edits\tr1_edits\tr2_edits\n"
               : "#read\toligo_id\toligo_index\tstrand\tedits\n";
    DNASTORE_RETURN_IF_ERROR(wt->WriteRaw(header, std::strlen(header)));
  }
  struct Chunk {
    uint64_t first = 0, count = 0;
    std::string fq1, fq2, truth;
    ChunkStats cs;
  };
  SimulateStats total = m.pool_stats;
  InitStats(total, m.max_len);
  std::vector<uint64_t> len_hist;
  uint64_t phred = 0;
  Status write_status;
  const uint64_t n_chunks = (m.total + kChunkReads - 1) / kChunkReads;
  uint64_t next_chunk = 0;
  tbb::concurrent_queue<Chunk*> free_chunks;
  std::vector<std::unique_ptr<Chunk>> owned;
  const size_t tokens = static_cast<size_t>(threads) * 2 + 2;
  for (size_t i = 0; i < tokens; ++i) {
    owned.push_back(std::make_unique<Chunk>());
    free_chunks.push(owned.back().get());
  }
  tbb::enumerable_thread_specific<Scratch> scratch;
  std::atomic<bool> failed{false};
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, Chunk*>(tbb::filter_mode::serial_in_order,
                                       [&](tbb::flow_control& fc) -> Chunk* {
                                         if (next_chunk >= n_chunks || failed.load()) {
                                           fc.stop();
                                           return nullptr;
                                         }
                                         Chunk* c = nullptr;
                                         while (!free_chunks.try_pop(c)) {
                                         }
                                         c->first = next_chunk * kChunkReads;
                                         c->count =
                                             std::min<uint64_t>(kChunkReads, m.total - c->first);
                                         ++next_chunk;
                                         return c;
                                       }) &
            tbb::make_filter<Chunk*, Chunk*>(tbb::filter_mode::parallel,
                                             [&](Chunk* c) -> Chunk* {
                                               c->fq1.clear();
                                               c->fq2.clear();
                                               c->truth.clear();
                                               c->cs = ChunkStats();
                                               InitStats(c->cs.st, m.max_len);
                                               m.ProcessChunk(c->first, c->count, scratch.local(),
                                                              &c->fq1, paired ? &c->fq2 : nullptr,
                                                              wt ? &c->truth : nullptr, c->cs);
                                               return c;
                                             }) &
            tbb::make_filter<Chunk*, void>(tbb::filter_mode::serial_in_order, [&](Chunk* c) {
              if (write_status.ok()) {
                Status st = (*w1)->WriteRaw(c->fq1.data(), c->fq1.size());
                if (st.ok() && w2) st = w2->WriteRaw(c->fq2.data(), c->fq2.size());
                if (st.ok() && wt) st = wt->WriteRaw(c->truth.data(), c->truth.size());
                if (!st.ok()) {
                  write_status = st;
                  failed = true;
                }
              }
              MergeStats(total, c->cs.st);
              if (len_hist.size() < c->cs.ref_len_hist.size())
                len_hist.resize(c->cs.ref_len_hist.size());
              for (size_t i = 0; i < c->cs.ref_len_hist.size(); ++i)
                len_hist[i] += c->cs.ref_len_hist[i];
              phred += c->cs.phred_sum;
              if (output.progress) output.progress(c->first + c->count, m.total);
              free_chunks.push(c);
            }));
  });
  Status cs = (*w1)->Close();
  if (write_status.ok() && !cs.ok()) write_status = cs;
  if (w2) {
    cs = w2->Close();
    if (write_status.ok() && !cs.ok()) write_status = cs;
  }
  if (wt) {
    cs = wt->Close();
    if (write_status.ok() && !cs.ok()) write_status = cs;
  }
  if (!write_status.ok()) return write_status;
  total.reference_nt_by_position = CoverageByPosition(len_hist, m.max_len);
  total.mean_phred = total.read_nt ? static_cast<double>(phred) / total.read_nt : 0;
  return total;
}

}  // namespace dnastore::channel
