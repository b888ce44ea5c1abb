// Per-read machinery shared by the stages: a read as tokens, the scratch
// buffers, the generic mutation kernel and the walk that turns tokens back
// into edits.
//
// Hot loop design (target >= 2 M Illumina reads/s on 2 threads):
// - a read is a list of tokens (base, origin), origin = position in the
//   reference or -1 for an inserted base. Stages rewrite the token list only
//   when they inject an event; the initial list is a view of the oligo and a
//   shared 0..n-1 origin table, so an error-free stage costs one log().
// - events are placed by geometric skipping (one uniform + one log per event),
//   position-dependent rates by thinning.
// - per-thread scratch buffers are reused, so no per-read heap allocation.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/dna.h"
#include "core/rng.h"
#include "dnastore/channel.h"
#include "dnastore/channel_config.h"

namespace dnastore::channel {

// Index of a stage in SimulateStats::stage_events (events[3 * stage + type],
// type order = EditType).
inline constexpr int kStageSynthesis = 0, kStagePcr = 1, kStageDecay = 2, kStageSequencing = 3;

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
  explicit SubTable(const SubstitutionBias& b = {});
  char Draw(char from, Rng& rng) const {
    int f = BaseCode(from);
    if (f < 0) return kBases[rng.Below(4)];
    double u = rng.Uniform();
    return u < cdf[f][0] ? to[f][0] : (u < cdf[f][1] ? to[f][1] : to[f][2]);
  }
};

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

// A read's tokens: bases b[0, n) with their reference origins o[0, n).
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

// Per-thread reusable buffers of one read.
struct Scratch {
  Buf buf[2];
  int cur = -1;                   // which buf holds the current view, -1 = initial view
  std::vector<uint32_t> seq_err;  // output token indices with sequencing errors
};

// The buffer a stage writes its rewritten tokens into (the other one holds
// its input).
inline Buf& NextBuf(Scratch& s) {
  int nb = s.cur == 0 ? 1 : 0;
  s.cur = nb;
  return s.buf[nb];
}

// Appends the first n_out bases of the read: v's bases, or their reverse
// complement read from the end when `reverse`.
inline void AppendOriented(std::string& out, const View& v, bool reverse, uint32_t n_out) {
  size_t at = out.size();
  out.resize(at + n_out);
  char* d = &out[at];
  if (!reverse) {
    std::memcpy(d, v.b, n_out);
  } else {
    for (uint32_t i = 0; i < n_out; ++i) d[i] = ComplementBase(v.b[v.n - 1 - i]);
  }
}

// ------------------------------------------------------------ stages -------

// How the event rate varies along the read: flat, Illumina's position
// profile (illumina.h) or nanopore's homopolymer factor (nanopore.h).
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

// A stage injecting the event rates, indel length weights and substitution
// bias of `p` (SynthesisParams or SequencingParams); not yet Finish()ed.
template <typename Params>
StageModel ErrorStage(int stage, const Params& p) {
  StageModel s;
  s.stage = stage;
  s.p_sub = p.substitution_rate;
  s.p_ins = p.insertion_rate;
  s.p_del = p.deletion_rate;
  s.del_len = LengthCdf(p.deletion_length_weights);
  s.ins_len = LengthCdf(p.insertion_length_weights);
  s.sub = SubTable(p.substitution_bias);
  return s;
}

// Injects substitutions, insertions and deletions at m's (possibly
// position-dependent) rates into v, placed by geometric skipping with
// thinning; v then views the rewritten tokens in s (s.cur >= 0) or is left
// untouched when nothing was placed. `reverse`: v is read from its end (rates
// and substitution bias apply to the read's orientation). `record`: note the
// output indices of injected errors in s.seq_err (low qualities). `events`
// gets +1 per event by type; `scale` multiplies every rate (error clustering).
void Mutate(const StageModel& m, Rng& rng, Scratch& s, View& v, bool reverse, bool record,
            uint64_t* events, double scale = 1.0);

// ------------------------------------------------------------ edits --------

// Walks tokens (forward reference orientation) against ref[0, ref_n) and
// reports net edits to `sink` (Sub, Ins, Del). When `tail_deletion` is false,
// reference bases after the last token are not reported (a read cut to its
// length).
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

// Diff sink collecting Edit records (SimulatedRead truth).
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

}  // namespace dnastore::channel
