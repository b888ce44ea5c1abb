#include "reads/read_consensus.h"

#include <edlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <spoa/spoa.hpp>
#include <string_view>

#include "core/dna.h"
#include "core/phred.h"
#include "reads/front_end_profile.h"
#include "reads/read_cluster.h"

namespace dnastore {

static_assert(kAlignMatch == EDLIB_EDOP_MATCH && kAlignInsert == EDLIB_EDOP_INSERT &&
                  kAlignDelete == EDLIB_EDOP_DELETE && kAlignMismatch == EDLIB_EDOP_MISMATCH,
              "AlignOp must keep edlib's numbering: edlib paths are read as AlignOp");

int WeightedAlign(std::string_view q, std::string_view t, int sub_cost, int ins_cost, int del_cost,
                  int band, std::vector<uint8_t>* ops, std::vector<uint8_t>* dir) {
  const int n = static_cast<int>(q.size()), m = static_cast<int>(t.size());
  ops->clear();
  if (band < 0 || std::abs(n - m) > band) return -1;
  // Cell (i, j) for j - i in [lo, hi], stored at i * w + (j - i - lo).
  const int lo = std::min(0, m - n) - band, hi = std::max(0, m - n) + band;
  const int w = hi - lo + 1;
  constexpr int kInf = 1 << 29;
  constexpr uint8_t kDiag = 0, kIns = 1, kDel = 2;
  dir->assign(static_cast<size_t>(n + 1) * static_cast<size_t>(w), kDiag);
  std::vector<int> prev(static_cast<size_t>(w), kInf), cur(static_cast<size_t>(w), kInf);
  for (int i = 0; i <= n; ++i) {
    std::fill(cur.begin(), cur.end(), kInf);
    const int jb = std::max(0, i + lo), je = std::min(m, i + hi);
    for (int j = jb; j <= je; ++j) {
      const int d = j - i - lo;
      int best = kInf;
      uint8_t how = kDiag;
      if (i == 0 && j == 0) {
        best = 0;
      } else {
        // Diagonal first, then gaps: tracing back from the end, ties take
        // the diagonal, which leaves gaps as far left as possible.
        if (i > 0 && j > 0) {  // same diagonal index d in the previous row
          const int c = prev[static_cast<size_t>(d)];
          if (c < kInf) best = c + (q[i - 1] == t[j - 1] ? 0 : sub_cost);
        }
        if (i > 0 && d + 1 < w) {  // (i - 1, j): read base not in the draft
          const int c = prev[static_cast<size_t>(d + 1)];
          if (c < kInf && c + ins_cost < best) {
            best = c + ins_cost;
            how = kIns;
          }
        }
        if (j > 0 && d > 0) {  // (i, j - 1): draft base not in the read
          const int c = cur[static_cast<size_t>(d - 1)];
          if (c < kInf && c + del_cost < best) {
            best = c + del_cost;
            how = kDel;
          }
        }
      }
      cur[static_cast<size_t>(d)] = best;
      (*dir)[static_cast<size_t>(i) * w + d] = how;
    }
    prev.swap(cur);
  }
  const int total = prev[static_cast<size_t>(m - n - lo)];
  if (total >= kInf) return -1;
  for (int i = n, j = m; i > 0 || j > 0;) {
    const uint8_t how = (*dir)[static_cast<size_t>(i) * w + (j - i - lo)];
    if (how == kDiag && i > 0 && j > 0) {
      ops->push_back(q[i - 1] == t[j - 1] ? kAlignMatch : kAlignMismatch);
      --i;
      --j;
    } else if (how == kIns || j == 0) {
      ops->push_back(kAlignInsert);
      --i;
    } else {
      ops->push_back(kAlignDelete);
      --j;
    }
  }
  std::reverse(ops->begin(), ops->end());
  return total;
}

namespace {

constexpr int kMaxIns = 2;  // inserted bases per gap that can enter the consensus

// Whether a base is in the strand, from reads that show it and reads that
// show a gap there: a read shows a present base with probability 1 - d and
// an absent one with probability ~i (an insertion), so a read's base weighs
// log((1 - d) / i) for presence and a read's gap log((1 - i) / d) for
// absence. This is the ratio of the two (1 when i = d, or nothing is
// known): on deletion-dominated channels (synthesis) one read's base
// outweighs another's gap, so two reads that lack different bases give the
// strand with both.
double AbsenceScale(double ins_rate, double del_rate) {
  if (ins_rate <= 0 && del_rate <= 0) return 1.0;
  const double i = std::clamp(ins_rate, kMinConsensusIndelRate, 0.3);
  const double d = std::clamp(del_rate, kMinConsensusIndelRate, 0.3);
  return std::clamp(std::log((1 - i) / d) / std::log((1 - d) / i), 0.25, 4.0);
}

// Vote weight of one observed base with error probability e: the log
// likelihood ratio ln((1 - e) / (e / 4)).
inline double WeightOfError(double e) { return std::log(4.0 * (1.0 - e) / e); }

class AlignVote {
 public:
  explicit AlignVote(const ConsensusOptions& o) : opt_(o) {
    floor_err_ = std::clamp(o.error_rate, 1e-3, 0.3);
    for (int q = 0; q < 128; ++q) {
      const double p_err = PhredErrorProbability(static_cast<char>(q));
      double e = std::max(p_err, floor_err_ / 4);
      e = std::min(e, 0.7);
      qweight_[q] = WeightOfError(e);
      qerr_[q] = p_err;
    }
    no_qual_weight_ = WeightOfError(floor_err_);
    // Indel-dominated reads (substitutions under a quarter of the indels):
    // an insertion next to a deletion is likelier than a substitution, so
    // the alignment to the draft must prefer the indel pair (unit edit costs
    // take the substitution and smear the votes of both indels).
    const double indels = o.ins_rate + o.del_rate;
    if (indels > 0 && o.sub_rate < kIndelDominatedSubShare * indels) {
      weighted_ = true;
      sub_cost_ = kIndelDominatedCosts.sub;
      ins_cost_ = kIndelDominatedCosts.ins;
      del_cost_ = kIndelDominatedCosts.del;
    }
    absent_scale_ = AbsenceScale(o.ins_rate, o.del_rate);
  }

  // Index of the read to start from: payload length first, then fewest expected errors.
  // Ranking score of a read as a draft: payload length first, then fewest
  // expected errors (lower is better).
  double DraftScore(const ConsensusRead& r) const {
    double ee = 0;
    if (r.expected_errors >= 0) {
      ee = r.expected_errors;
    } else if (r.qual.size() == r.seq.size() && !r.qual.empty()) {
      for (char q : r.qual) ee += qerr_[static_cast<unsigned char>(q) & 127];
    } else {
      ee = floor_err_ * static_cast<double>(r.seq.size());
    }
    if (opt_.payload_nt > 0)
      ee += 1000.0 * std::abs(static_cast<int>(r.seq.size()) - opt_.payload_nt);
    return ee;
  }

  size_t PickDraft(const std::vector<ConsensusRead>& reads) const {
    size_t best = 0;
    double best_score = 1e300;
    for (size_t r = 0; r < reads.size(); ++r) {
      double ee = DraftScore(reads[r]);
      if (ee < best_score) {
        best_score = ee;
        best = r;
      }
    }
    return best;
  }

  // Runs vote iterations from `draft`; fills out.
  void Run(const std::vector<ConsensusRead>& reads, std::string draft, int iterations,
           ConsensusResult* out) {
    iterations = std::max(1, iterations);
    wmean_.clear();
    for (int it = 0; it < iterations; ++it) {
      Vote(reads, draft);
      Build(&out->seq, &out->qual);
      // Converged, or only substitutions changed: the alignments (and so the
      // votes and confidences) against the new draft would be the same.
      if (out->seq.size() == draft.size() &&
          (out->seq == draft || it + 1 == iterations || SubstitutionsOnly(out->seq, draft)))
        break;
      if (it + 1 == iterations) {
        // Out of iterations with an indel change: final votes on the newest draft.
        draft.swap(out->seq);
        Vote(reads, draft);
        Build(&out->seq, &out->qual);
        break;
      }
      draft.swap(out->seq);
    }
    out->unfixed_seq.clear();
    if (opt_.payload_nt > 0 && opt_.max_length_fix_nt > 0 &&
        out->seq.size() != static_cast<size_t>(opt_.payload_nt)) {
      out->unfixed_seq = out->seq;
      FixLength(&out->seq, &out->qual);
      if (out->unfixed_seq == out->seq) out->unfixed_seq.clear();
    }
  }

  // True when a and b (equal length) differ by a few isolated substitutions.
  static bool SubstitutionsOnly(const std::string& a, const std::string& b) {
    int diff = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] == b[i]) continue;
      if (++diff > 4) return false;
      // Adjacent differences may be a shifted indel pair.
      if (i + 1 < a.size() && a[i + 1] != b[i + 1]) return false;
    }
    return true;
  }

 private:
  static bool HasQual(const ConsensusRead& r) {
    return r.qual.size() == r.seq.size() && !r.qual.empty();
  }
  double QW(char q) const { return qweight_[static_cast<unsigned char>(q) & 127]; }
  double W(const ConsensusRead& r, size_t i) const {
    return r.qual.size() == r.seq.size() && !r.qual.empty()
               ? qweight_[static_cast<unsigned char>(r.qual[i]) & 127]
               : no_qual_weight_;
  }

  void Vote(const std::vector<ConsensusRead>& reads, const std::string& draft) {
    const size_t m = draft.size();
    col_.assign(m, {});
    ins_exist_.assign((m + 1) * kMaxIns, 0.0);
    ins_base_.assign((m + 1) * kMaxIns, {});
    total_ = 0;
    if (wmean_.size() != reads.size()) {
      // Mean vote weight of each read (for gaps); the reads do not change
      // between the passes of one Consensus call.
      wmean_.resize(reads.size());
      for (size_t k = 0; k < reads.size(); ++k) {
        const ConsensusRead& r = reads[k];
        double w = 0;
        if (r.qual.size() == r.seq.size() && !r.qual.empty()) {
          // Four partial sums: no loop-carried dependency on one adder.
          double w4[4] = {0, 0, 0, 0};
          const size_t n = r.qual.size();
          size_t i = 0;
          for (; i + 4 <= n; i += 4)
            for (int h = 0; h < 4; ++h)
              w4[h] += qweight_[static_cast<unsigned char>(r.qual[i + h]) & 127];
          for (; i < n; ++i) w4[0] += qweight_[static_cast<unsigned char>(r.qual[i]) & 127];
          w = (w4[0] + w4[1]) + (w4[2] + w4[3]);
        } else {
          w = no_qual_weight_ * static_cast<double>(r.seq.size());
        }
        wmean_[k] = r.seq.empty() ? no_qual_weight_ : w / static_cast<double>(r.seq.size());
      }
    }
    dcode_.resize(m);
    for (size_t j = 0; j < m; ++j) {
      const int b = BaseCode(draft[j]);
      dcode_[j] = static_cast<uint8_t>(b < 0 ? 4 : b);
    }
    // Reads whose length is within one of the draft's; when they are at
    // least 4 and 3/4 of the reads (and errors are rare), reads off by more
    // are outliers (see below).
    size_t near = 0;
    for (const ConsensusRead& r : reads) near += r.seq.size() + 1 >= m && r.seq.size() <= m + 1;
    const bool outliers_skippable = FrontEndProfileFor(floor_err_).skip_length_outliers &&
                                    near >= 4 && 4 * near >= 3 * reads.size();
    for (size_t k = 0; k < reads.size(); ++k) {
      const ConsensusRead& r = reads[k];
      const size_t n = r.seq.size();
      const double wmean = wmean_[k];
      total_ += wmean;
      // Fast paths: identical to the draft, or equal length with few
      // mismatches -> substitution-only alignment.
      if (n == m && std::memcmp(r.seq.data(), draft.data(), n) == 0) {
        // The read's bases are the draft's: no base decoding.
        // (A non-ACGT draft base, code 4, gets no vote, as in AddBase.)
        if (HasQual(r)) {
          for (size_t i = 0; i < n; ++i)
            if (dcode_[i] < 4) col_[i][dcode_[i]] += QW(r.qual[i]);
        } else {
          for (size_t i = 0; i < n; ++i)
            if (dcode_[i] < 4) col_[i][dcode_[i]] += no_qual_weight_;
        }
        continue;
      }
      if (n == m) {
        int mism = 0;
        for (size_t i = 0; i < n && mism <= 2; ++i) mism += r.seq[i] != draft[i];
        if (mism <= 2) {
          for (size_t i = 0; i < n; ++i) AddBase(i, r.seq[i], W(r, i));
          continue;
        }
      }
      if (n == 0 || m == 0) {
        for (size_t j = 0; j < m; ++j) col_[j][4] += wmean * absent_scale_;
        continue;
      }
      if (!SingleIndelAlign(r.seq, draft, &ops_)) {
        // At low error rates, a read whose length is off by two or more
        // (a truncated or chimeric product) cannot change a decision that
        // most of the cluster's reads settle with one indel at most: its
        // votes are skipped (it would need a full alignment).
        if (outliers_skippable && (n > m + 1 || m > n + 1)) {
          total_ -= wmean;
          continue;
        }
        // A bounded band first (fast); unbounded only for very divergent reads.
        const int k = std::max(
            8, static_cast<int>(3.0 * floor_err_ * static_cast<double>(std::max(n, m))) + 2);
        const bool aligned = weighted_ && WeightedAlign(r.seq, draft, sub_cost_, ins_cost_,
                                                        del_cost_, k, &ops_, &dir_) >= 0;
        if (!aligned) {
          EdlibAlignResult a =
              edlibAlign(r.seq.data(), static_cast<int>(n), draft.data(), static_cast<int>(m),
                         edlibNewAlignConfig(k, EDLIB_MODE_NW, EDLIB_TASK_PATH, nullptr, 0));
          if (a.status == EDLIB_STATUS_OK && a.editDistance < 0) {
            edlibFreeAlignResult(a);
            a = edlibAlign(r.seq.data(), static_cast<int>(n), draft.data(), static_cast<int>(m),
                           edlibNewAlignConfig(-1, EDLIB_MODE_NW, EDLIB_TASK_PATH, nullptr, 0));
          }
          if (a.status != EDLIB_STATUS_OK || a.alignment == nullptr) {
            edlibFreeAlignResult(a);
            continue;
          }
          ops_.assign(a.alignment, a.alignment + a.alignmentLength);
          edlibFreeAlignResult(a);
        }
      }
      size_t i = 0, j = 0;
      int run = 0;  // bases inserted in the current gap
      for (uint8_t op : ops_) {
        switch (op) {
          case kAlignMatch:
          case kAlignMismatch:
            AddBase(j, r.seq[i], W(r, i));
            ++i;
            ++j;
            run = 0;
            break;
          case kAlignInsert:  // extra base in the read (query), before draft[j]
            if (run < kMaxIns) {
              ins_exist_[j * kMaxIns + run] += wmean;
              int b = BaseCode(r.seq[i]);
              if (b >= 0) ins_base_[j * kMaxIns + run][b] += W(r, i);
            }
            ++run;
            ++i;
            break;
          case kAlignDelete:  // draft[j] missing in the read
            col_[j][4] += wmean * absent_scale_;
            ++j;
            run = 0;
            break;
        }
      }
    }
  }

  // Fast path for reads one base shorter or longer than the draft (one indel,
  // the common Illumina case): the best one-indel alignment (OneIndelDistance,
  // O(length), leftmost indel on ties so gaps in a run land at its start in
  // every read). Writes edlib-style ops and returns true when it has at most
  // 3 mismatches besides the indel; false otherwise (use a full aligner).
  static bool SingleIndelAlign(std::string_view q, std::string_view t, std::vector<uint8_t>* ops) {
    const int n = static_cast<int>(q.size()), m = static_cast<int>(t.size());
    if (std::abs(n - m) != 1) return false;
    int best_p = 0;
    if (OneIndelDistance(q, t, 4, &best_p) > 4) return false;
    const bool del = n < m;  // a draft base is missing from the read
    const int len = std::min(n, m);
    ops->clear();
    for (int p = 0; p < best_p; ++p) ops->push_back(q[p] == t[p] ? kAlignMatch : kAlignMismatch);
    ops->push_back(del ? kAlignDelete : kAlignInsert);
    for (int p = best_p; p < len; ++p) {
      const bool eq = del ? q[p] == t[p + 1] : q[p + 1] == t[p];
      ops->push_back(eq ? kAlignMatch : kAlignMismatch);
    }
    return true;
  }

  void AddBase(size_t j, char c, double w) {
    int b = BaseCode(c);
    if (b >= 0) col_[j][b] += w;
  }

  // Phred of the best of `s` (log-likelihood scores) against the others.
  char Phred(const double* s, int k, int best) const {
    double second = -1e300;
    for (int h = 0; h < k; ++h)
      if (h != best) second = std::max(second, s[h]);
    // Far ahead of every alternative: the cap applies (saves exp/log per base).
    if (s[best] - second > 0.2303 * opt_.max_quality + 2.0) return PhredChar(opt_.max_quality);
    double sum = 0;
    for (int h = 0; h < k; ++h)
      if (h != best) sum += std::exp(std::max(-700.0, s[h] - s[best]));
    double p_err = sum / (1.0 + sum);
    double q = p_err <= 0 ? opt_.max_quality : -10.0 * std::log10(p_err);
    q = std::clamp(q, 0.0, static_cast<double>(opt_.max_quality));
    return PhredChar(static_cast<int>(q + 0.5));
  }

  // A decision taken when building: an emitted or skipped element with its
  // margin (log-likelihood difference between the decision and its opposite).
  struct Decision {
    bool present;
    double margin;
    size_t pos;  // column j, or gap index * kMaxIns + offset (for insertions)
    bool is_ins;
  };

  void Build(std::string* seq, std::string* qual) {
    const size_t m = col_.size();
    seq->clear();
    if (qual) qual->clear();
    const bool record = record_decisions_;
    if (record) decisions_.clear();
    for (size_t g = 0; g <= m; ++g) {
      for (int t = 0; t < kMaxIns; ++t) {
        const size_t idx = g * kMaxIns + t;
        double yes = ins_exist_[idx], no = (total_ - yes) * absent_scale_;
        bool present = ForcedIns(idx, yes > no);
        if (record) decisions_.push_back({present, std::abs(yes - no), idx, true});
        if (!present) break;
        const auto& bw = ins_base_[idx];
        int best = static_cast<int>(std::max_element(bw.begin(), bw.end()) - bw.begin());
        seq->push_back(kBases[best]);
        if (qual) {
          double s[5] = {bw[0], bw[1], bw[2], bw[3], no};
          qual->push_back(Phred(s, 5, best));
        }
      }
      if (g == m) break;
      const auto& c = col_[g];
      int best_base = static_cast<int>(std::max_element(c.begin(), c.begin() + 4) - c.begin());
      bool present = ForcedCol(g, c[best_base] >= c[4]);
      if (record) decisions_.push_back({present, std::abs(c[best_base] - c[4]), g, false});
      if (present) {
        seq->push_back(kBases[best_base]);
        if (qual) qual->push_back(Phred(c.data(), 5, best_base));
      }
    }
  }

  bool ForcedIns(size_t idx, bool v) const {
    for (const auto& f : flips_)
      if (f.first && f.second == idx) return !v;
    return v;
  }
  bool ForcedCol(size_t j, bool v) const {
    for (const auto& f : flips_)
      if (!f.first && f.second == j) return !v;
    return v;
  }

  void FixLength(std::string* seq, std::string* qual) {
    const int d = static_cast<int>(seq->size()) - opt_.payload_nt;
    if (d == 0 || std::abs(d) > opt_.max_length_fix_nt) return;
    // The decisions (and their margins) of the last build, recorded only
    // now that they are needed (same votes, same result).
    record_decisions_ = true;
    Build(seq, qual);
    record_decisions_ = false;
    // Candidates: too long -> present elements; too short -> absent ones
    // that have some support. Flip the ones with the smallest margins.
    std::vector<Decision> cand;
    for (const Decision& x : decisions_) {
      if (d > 0 && x.present) cand.push_back(x);
      if (d < 0 && !x.present) {
        bool support = x.is_ins
                           ? ins_exist_[x.pos] > 0
                           : *std::max_element(col_[x.pos].begin(), col_[x.pos].begin() + 4) > 0;
        if (support) cand.push_back(x);
      }
    }
    const size_t need = static_cast<size_t>(std::abs(d));
    if (cand.size() < need) return;
    std::stable_sort(cand.begin(), cand.end(),
                     [](const Decision& a, const Decision& b) { return a.margin < b.margin; });
    flips_.clear();
    for (size_t k = 0; k < need; ++k) flips_.emplace_back(cand[k].is_ins, cand[k].pos);
    Build(seq, qual);
    flips_.clear();
    // Flipped decisions are uncertain by construction: cap their confidence.
    // (Build recomputed per-base Phred from the votes, which already reflects
    // the weak margin.)
  }

  ConsensusOptions opt_;
  double floor_err_ = 0.01;
  std::array<double, 128> qweight_{};
  std::array<double, 128> qerr_{};
  double no_qual_weight_ = 1;
  std::vector<std::array<double, 5>> col_;
  std::vector<double> ins_exist_;
  std::vector<std::array<double, 4>> ins_base_;
  double total_ = 0;
  std::vector<Decision> decisions_;
  bool record_decisions_ = false;  // Build records its decisions (for FixLength)
  std::vector<uint8_t> ops_;
  std::vector<uint8_t> dcode_;  // base codes of the draft (4 = not ACGT)
  bool weighted_ = false;       // align with profile costs (see ConsensusOptions)
  double absent_scale_ = 1;     // weight of a read's gap against a read's base (AbsenceScale)
  int sub_cost_ = 1, ins_cost_ = 1, del_cost_ = 1;
  std::vector<uint8_t> dir_;  // WeightedAlign scratch
  std::vector<double> wmean_;
  std::vector<std::pair<bool, size_t>> flips_;
};

class AlignVoteEngine final : public ConsensusEngine {
 public:
  explicit AlignVoteEngine(const ConsensusOptions& o) : opt_(o), vote_(o) {}
  void Consensus(const std::vector<ConsensusRead>& reads, ConsensusResult* out) override {
    out->seq.clear();
    out->unfixed_seq.clear();
    out->qual.clear();
    if (reads.empty()) return;
    size_t d = vote_.PickDraft(reads);
    vote_.Run(reads, std::string(reads[d].seq), opt_.max_iterations, out);
  }

 private:
  ConsensusOptions opt_;
  AlignVote vote_;
};

class SpoaEngine final : public ConsensusEngine {
 public:
  explicit SpoaEngine(const ConsensusOptions& o)
      : opt_(o),
        vote_(o),
        engine_(spoa::AlignmentEngine::Create(spoa::AlignmentType::kNW, 5, -4, -8)) {}
  void Consensus(const std::vector<ConsensusRead>& reads, ConsensusResult* out) override {
    out->seq.clear();
    out->unfixed_seq.clear();
    out->qual.clear();
    if (reads.empty()) return;
    spoa::Graph graph;
    // Start with the best read so the graph's backbone is a good one.
    size_t d = vote_.PickDraft(reads);
    std::vector<size_t> order{d};
    for (size_t r = 0; r < reads.size(); ++r)
      if (r != d) order.push_back(r);
    for (size_t r : order) {
      std::string s(reads[r].seq);
      if (s.empty()) continue;
      auto aln = engine_->Align(s, graph);
      if (reads[r].qual.size() == s.size()) {
        graph.AddAlignment(aln, s, std::string(reads[r].qual));
      } else {
        graph.AddAlignment(aln, s, 1u);
      }
    }
    vote_.Run(reads, graph.GenerateConsensus(), 1, out);
  }

 private:
  ConsensusOptions opt_;
  AlignVote vote_;
  std::unique_ptr<spoa::AlignmentEngine> engine_;
};

}  // namespace

std::unique_ptr<ConsensusEngine> MakeConsensusEngine(const ConsensusOptions& options) {
  switch (options.method) {
    case ConsensusMethod::kSpoa:
      return std::make_unique<SpoaEngine>(options);
    case ConsensusMethod::kAlignVote:
      break;
  }
  return std::make_unique<AlignVoteEngine>(options);
}

}  // namespace dnastore
