#include "codec/read_consensus.h"

#include <edlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <spoa/spoa.hpp>

#include "core/dna.h"

namespace dnastore {
namespace {

constexpr int kMaxIns = 2;  // inserted bases per gap that can enter the consensus

// Vote weight of one observed base with error probability e: the log
// likelihood ratio ln((1 - e) / (e / 4)).
inline double WeightOfError(double e) { return std::log(4.0 * (1.0 - e) / e); }

class AlignVote {
 public:
  explicit AlignVote(const ConsensusOptions& o) : opt_(o) {
    floor_err_ = std::clamp(o.error_rate, 1e-3, 0.3);
    for (int q = 0; q < 128; ++q) {
      double e = std::max(std::pow(10.0, -std::max(0, q - 33) / 10.0), floor_err_ / 4);
      e = std::min(e, 0.7);
      qweight_[q] = WeightOfError(e);
      qerr_[q] = std::pow(10.0, -std::max(0, q - 33) / 10.0);
    }
    no_qual_weight_ = WeightOfError(floor_err_);
  }

  // Index of the read to start from: payload length first, then fewest expected errors.
  size_t PickDraft(const std::vector<ConsensusRead>& reads) const {
    size_t best = 0;
    double best_score = 1e300;
    for (size_t r = 0; r < reads.size(); ++r) {
      double ee = 0;
      if (reads[r].qual.size() == reads[r].seq.size() && !reads[r].qual.empty()) {
        for (char q : reads[r].qual) ee += qerr_[static_cast<unsigned char>(q) & 127];
      } else {
        ee = floor_err_ * static_cast<double>(reads[r].seq.size());
      }
      if (opt_.payload_nt > 0)
        ee += 1000.0 * std::abs(static_cast<int>(reads[r].seq.size()) - opt_.payload_nt);
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
    bool converged = false;
    for (int it = 0; it < std::max(1, iterations); ++it) {
      Vote(reads, draft);
      Build(&out->seq, &out->qual);
      if (out->seq == draft) {
        converged = true;
        break;
      }
      draft.swap(out->seq);
    }
    // Not converged: take the final votes against the newest draft.
    if (!converged) {
      Vote(reads, draft);
      Build(&out->seq, &out->qual);
    }
    if (opt_.payload_nt > 0 && opt_.max_length_fix_nt > 0) FixLength(&out->seq, &out->qual);
  }

 private:
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
    for (const ConsensusRead& r : reads) {
      const size_t n = r.seq.size();
      double wmean = 0;
      for (size_t i = 0; i < n; ++i) wmean += W(r, i);
      wmean = n ? wmean / static_cast<double>(n) : no_qual_weight_;
      total_ += wmean;
      // Fast path: equal length and few mismatches -> substitution-only alignment.
      if (n == m) {
        int mism = 0;
        for (size_t i = 0; i < n && mism <= 2; ++i) mism += r.seq[i] != draft[i];
        if (mism <= 2) {
          for (size_t i = 0; i < n; ++i) AddBase(i, r.seq[i], W(r, i));
          continue;
        }
      }
      if (n == 0 || m == 0) {
        for (size_t j = 0; j < m; ++j) col_[j][4] += wmean;
        continue;
      }
      // A bounded band first (fast); unbounded only for very divergent reads.
      const int k = std::max(
          8, static_cast<int>(3.0 * floor_err_ * static_cast<double>(std::max(n, m))) + 2);
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
      size_t i = 0, j = 0;
      int run = 0;  // bases inserted in the current gap
      for (int k = 0; k < a.alignmentLength; ++k) {
        switch (a.alignment[k]) {
          case EDLIB_EDOP_MATCH:
          case EDLIB_EDOP_MISMATCH:
            AddBase(j, r.seq[i], W(r, i));
            ++i;
            ++j;
            run = 0;
            break;
          case EDLIB_EDOP_INSERT:  // extra base in the read (query), before draft[j]
            if (run < kMaxIns) {
              ins_exist_[j * kMaxIns + run] += wmean;
              int b = BaseCode(r.seq[i]);
              if (b >= 0) ins_base_[j * kMaxIns + run][b] += W(r, i);
            }
            ++run;
            ++i;
            break;
          case EDLIB_EDOP_DELETE:  // draft[j] missing in the read
            col_[j][4] += wmean;
            ++j;
            run = 0;
            break;
        }
      }
      edlibFreeAlignResult(a);
    }
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
    if (s[best] - second > 0.2303 * opt_.max_quality + 2.0)
      return static_cast<char>(33 + opt_.max_quality);
    double sum = 0;
    for (int h = 0; h < k; ++h)
      if (h != best) sum += std::exp(std::max(-700.0, s[h] - s[best]));
    double p_err = sum / (1.0 + sum);
    double q = p_err <= 0 ? opt_.max_quality : -10.0 * std::log10(p_err);
    q = std::clamp(q, 0.0, static_cast<double>(opt_.max_quality));
    return static_cast<char>(33 + static_cast<int>(q + 0.5));
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
    if (qual) decisions_.clear();
    for (size_t g = 0; g <= m; ++g) {
      for (int t = 0; t < kMaxIns; ++t) {
        const size_t idx = g * kMaxIns + t;
        double yes = ins_exist_[idx], no = total_ - yes;
        bool present = ForcedIns(idx, yes > no);
        if (qual) decisions_.push_back({present, std::abs(yes - no), idx, true});
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
      if (qual) decisions_.push_back({present, std::abs(c[best_base] - c[4]), g, false});
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
  std::vector<std::pair<bool, size_t>> flips_;
};

class AlignVoteEngine final : public ConsensusEngine {
 public:
  explicit AlignVoteEngine(const ConsensusOptions& o) : opt_(o), vote_(o) {}
  void Consensus(const std::vector<ConsensusRead>& reads, ConsensusResult* out) override {
    out->seq.clear();
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
