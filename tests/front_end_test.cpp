// Unit and synthetic integration tests of the read front end:
// primer trimming, clustering, consensus (against a slow twin), pair merging,
// ReconstructStrandsFromReads.
#include <edlib.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <unordered_set>

#include "dnastore/read_front_end.h"
#include "reads/pair_merge.h"
#include "reads/payload_errors.h"
#include "reads/primer_trim.h"
#include "reads/read_cluster.h"
#include "reads/read_consensus.h"
#include "tests/front_end_test_util.h"

using namespace dnastore;
using namespace dnastore::testing;

namespace {

PrimerTrimmer MakeTrimmer(int payload_nt = 0) {
  PrimerTrimOptions o;
  o.fwd_primer = kTestFwd;
  o.rev_primer = kTestRev;
  o.payload_nt = payload_nt;
  auto t = PrimerTrimmer::Create(o);
  EXPECT_TRUE(t.ok()) << t.status().message();
  return std::move(t.value());
}

// Quadratic Levenshtein DP (the slow twin of BoundedEditDistance).
int SlowEditDistance(const std::string& a, const std::string& b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    prev.swap(cur);
  }
  return prev[b.size()];
}

// Slow twin of the consensus on equal-length, substitution-only clusters:
// plain per-column majority vote (ties: A < C < G < T).
std::string MajorityVote(const std::vector<std::string>& reads) {
  std::string out;
  for (size_t j = 0; j < reads[0].size(); ++j) {
    int count[4] = {0, 0, 0, 0};
    for (const auto& r : reads) count[BaseCode(r[j])]++;
    out.push_back(kBases[std::max_element(count, count + 4) - count]);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- trimming

TEST(FrontEndPrimerTrim, ForwardAndReverseExact) {
  Rng rng(7, 0);
  PrimerTrimmer t = MakeTrimmer();
  std::string payload = RandomBases(rng, 120);
  std::string oligo = kTestFwd + payload + ReverseComplement(kTestRev);
  std::string qual(oligo.size(), 'I');
  for (size_t i = 0; i < qual.size(); ++i) qual[i] = static_cast<char>('!' + i % 40);
  TrimmedRead out;
  ASSERT_TRUE(t.Trim(oligo, qual, &out));
  EXPECT_EQ(out.orientation, ReadOrientation::kForward);
  EXPECT_EQ(out.seq, payload);
  EXPECT_EQ(out.qual, qual.substr(kTestFwd.size(), payload.size()));
  EXPECT_EQ(out.start_primer_edits, 0);

  std::string rc = ReverseComplement(oligo);
  std::string rq(qual.rbegin(), qual.rend());
  ASSERT_TRUE(t.Trim(rc, rq, &out));
  EXPECT_EQ(out.orientation, ReadOrientation::kReverse);
  EXPECT_EQ(out.seq, payload);
  EXPECT_EQ(out.qual, qual.substr(kTestFwd.size(), payload.size()));  // back in forward order
}

TEST(FrontEndPrimerTrim, PrimersWithErrorsAndAdapters) {
  Rng rng(8, 0);
  PrimerTrimmer t = MakeTrimmer(100);
  int ok = 0, exact = 0;
  const int kTrials = 400;
  for (int trial = 0; trial < kTrials; ++trial) {
    std::string payload = RandomBases(rng, 100);
    std::string fwd = kTestFwd, rev_rc = ReverseComplement(kTestRev);
    // Up to 3 errors in each primer (substitution, deletion or insertion).
    for (std::string* p : {&fwd, &rev_rc}) {
      int e = static_cast<int>(rng.Below(4));
      for (int k = 0; k < e; ++k) {
        size_t pos = 1 + rng.Below(p->size() - 2);
        switch (rng.Below(3)) {
          case 0:
            (*p)[pos] = (*p)[pos] == 'A' ? 'C' : 'A';
            break;
          case 1:
            p->erase(pos, 1);
            break;
          default:
            p->insert(pos, 1, 'G');
            break;
        }
      }
    }
    std::string read =
        RandomBases(rng, rng.Below(10)) + fwd + payload + rev_rc + RandomBases(rng, rng.Below(10));
    if (trial % 2) read = ReverseComplement(read);
    TrimmedRead out;
    if (t.Trim(read, "", &out)) {
      ++ok;
      EXPECT_EQ(out.orientation, trial % 2 ? ReadOrientation::kReverse : ReadOrientation::kForward);
      EXPECT_LE(SlowEditDistance(out.seq, payload), 3);
      exact += out.seq == payload;
    }
  }
  EXPECT_GE(ok, kTrials * 99 / 100);
  EXPECT_GE(exact, kTrials * 80 / 100);
}

TEST(FrontEndPrimerTrim, JunkIsRejected) {
  Rng rng(9, 0);
  PrimerTrimmer t = MakeTrimmer(100);
  TrimmedRead out;
  EXPECT_FALSE(t.Trim("", "", &out));
  EXPECT_FALSE(t.Trim("NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN", "", &out));
  EXPECT_FALSE(t.Trim(kTestFwd + ReverseComplement(kTestRev), "", &out));  // primer dimer
  int accepted = 0;
  for (int i = 0; i < 500; ++i) accepted += t.Trim(RandomBases(rng, 140), "", &out);
  EXPECT_EQ(accepted, 0);
  // Foreign primers.
  for (int i = 0; i < 200; ++i)
    accepted +=
        t.Trim(RandomBases(rng, 20) + RandomBases(rng, 100) + RandomBases(rng, 20), "", &out);
  EXPECT_EQ(accepted, 0);
  EXPECT_EQ(out.orientation, ReadOrientation::kJunk);
}

TEST(FrontEndPrimerTrim, BadOptions) {
  PrimerTrimOptions o;
  o.fwd_primer = "ACGTN";
  o.rev_primer = kTestRev;
  EXPECT_EQ(PrimerTrimmer::Create(o).status().code(), ErrorCode::kUsage);
  o.fwd_primer = "";
  EXPECT_EQ(PrimerTrimmer::Create(o).status().code(), ErrorCode::kUsage);
}

TEST(FrontEndPrimerTrim, CollapseHomopolymers) {
  std::string s, q;
  CollapseHomopolymers("AAACGGTTTTA", "#$%&'()*+,-", &s, &q);
  EXPECT_EQ(s, "ACGTA");
  EXPECT_EQ(q, "%&(,-");
  CollapseHomopolymers("", "", &s, &q);
  EXPECT_EQ(s, "");
}

TEST(FrontEndPrimerTrim, EstimatePrimerErrors) {
  // Slow twin: the rates the reads were made with.
  for (ErrorRates e : {ErrorRates{0, 0, 0}, ErrorRates{0, 0, 0.10}, ErrorRates{0, 0.06, 0},
                       ErrorRates{0.05, 0, 0}, ErrorRates{0.02, 0.013, 0.022}}) {
    PoolSpec spec;
    spec.oligos = 300;
    spec.errors = e;
    spec.junk_fraction = 0.05;
    auto pool = MakePool(spec);
    const PrimerErrorProfile prof =
        EstimatePrimerErrors(pool.reads.data(), pool.reads.size(), kTestFwd, kTestRev, 0.25, 24);
    const std::string what =
        std::to_string(e.sub) + " " + std::to_string(e.ins) + " " + std::to_string(e.del);
    EXPECT_NEAR(prof.del, e.del, 0.2 * e.del + 0.006) << what;
    EXPECT_NEAR(prof.ins, e.ins, 0.2 * e.ins + 0.006) << what;
    EXPECT_NEAR(prof.sub, e.sub, 0.2 * (e.ins + e.del + e.sub) + 0.006) << what;
    const double truth = e.ins - e.del;
    EXPECT_NEAR(prof.net_indel(), truth, 0.2 * std::abs(truth) + 0.006) << what;
    if (truth != 0) {
      EXPECT_GT(prof.net_indel() * truth, 0) << what;  // the sign is right
    }
    EXPECT_GT(prof.bases, 1000u);
  }
  EXPECT_EQ(EstimatePrimerErrors(nullptr, 0, kTestFwd, kTestRev, 0.25, 24).bases, 0u);
}

TEST(FrontEndPrimerTrim, PrimersThatLookAlikeAreNotTakenForEachOther) {
  // dt4dds-benchmark's TruSeq-derived pair shares its last 12 nt: the
  // forward primer matches the start of a reverse read with 4 edits. Reads
  // of either strand without errors must measure ~0%.
  const std::string fwd = "ACACGACGCTCTTCCGATCT", rev = "AGACGTGTGCTCTTCCGATCT";
  Rng rng(43, 0);
  std::vector<SeqRecord> reads;
  for (int i = 0; i < 400; ++i) {
    const std::string oligo = fwd + RandomBases(rng, 150) + ReverseComplement(rev);
    SeqRecord r;
    r.name = "r" + std::to_string(i);
    r.seq = i % 2 ? ReverseComplement(oligo) : oligo;
    reads.push_back(r);
  }
  const PrimerErrorProfile prof =
      EstimatePrimerErrors(reads.data(), reads.size(), fwd, rev, 0.25, 24);
  EXPECT_GT(prof.bases, 5000u);
  EXPECT_LT(prof.sub + prof.ins + prof.del, 0.001);
}

TEST(FrontEndPrimerTrim, InferPrimers) {
  PoolSpec spec;
  spec.oligos = 100;
  spec.reverse_fraction = 0.3;  // forward reads dominate: orientation is the designer's
  auto pool = MakePool(spec);
  auto inf = InferPrimers(pool.reads, 20);
  ASSERT_TRUE(inf.ok()) << inf.status().message();
  EXPECT_EQ(inf->fwd_primer, kTestFwd);
  EXPECT_EQ(inf->rev_primer, kTestRev);
  EXPECT_GT(inf->reads_supporting, pool.reads.size() / 2);

  spec.reverse_fraction = 0.7;  // now the other orientation is more common
  pool = MakePool(spec);
  inf = InferPrimers(pool.reads, 20);
  ASSERT_TRUE(inf.ok());
  EXPECT_EQ(inf->fwd_primer, kTestRev);
  EXPECT_EQ(inf->rev_primer, kTestFwd);

  // Noisy reads with a few adapter bases before the primer: the window search.
  spec.reverse_fraction = 0.3;
  spec.errors = {0.02, 0.015, 0.025};
  pool = MakePool(spec);
  Rng ad(4, 0);
  for (auto& r : pool.reads) {
    r.seq = RandomBases(ad, ad.Below(8)) + r.seq;
    r.qual.clear();
  }
  inf = InferPrimers(pool.reads, 20);
  ASSERT_TRUE(inf.ok()) << inf.status().message();
  EXPECT_EQ(inf->fwd_primer, kTestFwd);
  EXPECT_EQ(inf->rev_primer, kTestRev);

  std::vector<SeqRecord> junk(50);
  Rng rng(3, 0);
  for (auto& r : junk) r.seq = RandomBases(rng, 100);
  EXPECT_EQ(InferPrimers(junk, 20).status().code(), ErrorCode::kBadInput);
  EXPECT_EQ(InferPrimers(junk, 4).status().code(), ErrorCode::kUsage);
}

// ------------------------------------------------------------- distances

TEST(FrontEndCluster, BoundedEditDistanceMatchesSlowTwin) {
  Rng rng(11, 0);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string a = RandomBases(rng, rng.Below(40));
    std::string b, q;
    if (trial % 3 == 0) {
      b = RandomBases(rng, rng.Below(40));
    } else {
      Mutate(rng, a, {0.1, 0.05, 0.05}, &b, &q);
    }
    int slow = SlowEditDistance(a, b);
    int k = static_cast<int>(rng.Below(12));
    int fast = BoundedEditDistance(a, b, k);
    if (slow <= k) {
      EXPECT_EQ(fast, slow) << a << " " << b;
    } else {
      EXPECT_EQ(fast, -1) << a << " " << b;
    }
  }
}

// Slow twin of OneIndelDistance: best alignment cost with no indel (equal
// lengths) or exactly one, by trying every position of the indel.
int SlowOneIndelDistance(const std::string& a, const std::string& b, int* pos = nullptr) {
  auto hamming = [](const std::string& x, const std::string& y) {
    int d = 0;
    for (size_t i = 0; i < x.size(); ++i) d += x[i] != y[i];
    return d;
  };
  if (a.size() == b.size()) return hamming(a, b);
  const std::string& lo = a.size() > b.size() ? a : b;  // the longer one
  const std::string& sh = a.size() > b.size() ? b : a;
  if (lo.size() != sh.size() + 1) return 1 << 20;
  int best = 1 << 20;
  for (size_t p = 0; p < lo.size(); ++p) {
    const int c = 1 + hamming(lo.substr(0, p) + lo.substr(p + 1), sh);
    if (c < best) {
      best = c;
      if (pos) *pos = static_cast<int>(p);  // leftmost of the best
    }
  }
  return best;
}

TEST(FrontEndCluster, OneIndelDistanceMatchesSlowTwin) {
  Rng rng(12, 0);
  int exact_checked = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string a = RandomBases(rng, rng.Below(60));
    std::string b, q;
    Mutate(rng, a, {0.05, 0.02, 0.02}, &b, &q);
    if (trial % 5 == 0) b = RandomBases(rng, a.size() + rng.Below(2));
    int slow_pos = -1, fast_pos = -2;
    const int slow = SlowOneIndelDistance(a, b, &slow_pos);
    const int limit = static_cast<int>(rng.Below(20));
    const int fast = OneIndelDistance(a, b, limit, &fast_pos);
    if (slow <= limit) {
      EXPECT_EQ(fast, slow) << a << " " << b;
      EXPECT_EQ(fast_pos, slow_pos) << a << " " << b;
      // An upper bound on the edit distance.
      EXPECT_GE(fast, SlowEditDistance(a, b)) << a << " " << b;
      ++exact_checked;
    } else {
      EXPECT_GT(fast, limit) << a << " " << b;
    }
  }
  EXPECT_GT(exact_checked, 1000);
}

// Targets of `len` random bases and queries that are, where `copy(i)`, a
// mutated copy of a random target (want: its index), else random (-1).
struct MatchCase {
  std::vector<std::string> targets, queries;
  std::vector<int64_t> want;
  ClusterOptions options;
  std::vector<int64_t> Match() const {
    const std::vector<std::string_view> tv(targets.begin(), targets.end()),
        qv(queries.begin(), queries.end());
    return MatchToTargets(tv, qv, options);
  }
};
MatchCase MakeMatchCase(Rng rng, int n_targets, size_t len, int n_queries,
                        const std::function<bool(int)>& copy, ErrorRates errors) {
  MatchCase c;
  for (int t = 0; t < n_targets; ++t) c.targets.push_back(RandomBases(rng, len));
  std::string m, q;
  for (int i = 0; i < n_queries; ++i) {
    if (!copy(i)) {
      c.queries.push_back(RandomBases(rng, len));  // matches nothing
      c.want.push_back(-1);
    } else {
      int t = static_cast<int>(rng.Below(c.targets.size()));
      Mutate(rng, c.targets[t], errors, &m, &q);
      c.queries.push_back(m);
      c.want.push_back(t);
    }
  }
  c.options.payload_nt = static_cast<int>(len);
  c.options.error_rate = 0.005;
  return c;
}

TEST(FrontEndCluster, MatchToTargets) {
  const MatchCase c = MakeMatchCase(Rng(16, 0), 200, 150, 300, [](int i) { return i % 3 != 2; },
                                    {0.01, 0.005, 0.005});
  EXPECT_EQ(c.Match(), c.want);
  const std::vector<std::string_view> qv(c.queries.begin(), c.queries.end());
  EXPECT_EQ(MatchToTargets({}, qv, c.options), std::vector<int64_t>(c.queries.size(), -1));
}

// More queries than MatchToTargets matches at once: the answers are each
// query's own, block boundaries or not.
TEST(FrontEndCluster, MatchToTargetsAcrossQueryBlocks) {
  const MatchCase c =
      MakeMatchCase(Rng(16, 1), 100, 120, 40000, [](int i) { return i % 97 == 0; }, {0.01, 0, 0});
  EXPECT_EQ(c.Match(), c.want);
}

// ------------------------------------------------------------- consensus

TEST(FrontEndConsensus, MatchesMajorityVoteOnSubstitutionClusters) {
  // Each read has at most one substitution, so every read is within two
  // mismatches of any draft: the fast engine must equal the plain vote.
  auto engine = MakeConsensusEngine({});
  int differ = 0;
  for (int trial = 0; trial < 500; ++trial) {
    Rng rng(12, trial);
    std::string truth = RandomBases(rng, 20 + rng.Below(100));
    size_t n = 1 + rng.Below(9);
    std::vector<std::string> reads(n, truth);
    for (auto& r : reads)
      if (rng.Bernoulli(0.6)) {
        size_t p = rng.Below(r.size());
        r[p] = kBases[(BaseCode(r[p]) + 1 + rng.Below(3)) % 4];
      }
    std::vector<ConsensusRead> in;
    for (auto& r : reads) in.push_back({r, ""});
    ConsensusResult res;
    engine->Consensus(in, &res);
    ASSERT_EQ(res.qual.size(), res.seq.size());
    // Ties may legitimately differ (the engine's draft breaks them); compare
    // only columns without a tie.
    std::string twin = MajorityVote(reads);
    ASSERT_EQ(res.seq.size(), twin.size());
    for (size_t j = 0; j < twin.size(); ++j) {
      int count[4] = {0, 0, 0, 0};
      for (auto& r : reads) count[BaseCode(r[j])]++;
      int best = *std::max_element(count, count + 4);
      if (std::count(count, count + 4, best) == 1) differ += res.seq[j] != twin[j];
    }
  }
  EXPECT_EQ(differ, 0);
}

// Slow twin of WeightedAlign: the full quadratic DP (no band), cost only.
int SlowWeightedCost(const std::string& q, const std::string& t, int s, int i, int d) {
  std::vector<std::vector<int>> c(q.size() + 1, std::vector<int>(t.size() + 1, 0));
  for (size_t a = 0; a <= q.size(); ++a) {
    for (size_t b = 0; b <= t.size(); ++b) {
      if (a == 0 && b == 0) continue;
      int best = 1 << 29;
      if (a > 0 && b > 0) best = c[a - 1][b - 1] + (q[a - 1] == t[b - 1] ? 0 : s);
      if (a > 0) best = std::min(best, c[a - 1][b] + i);
      if (b > 0) best = std::min(best, c[a][b - 1] + d);
      c[a][b] = best;
    }
  }
  return c[q.size()][t.size()];
}

TEST(FrontEndConsensus, WeightedAlignMatchesSlowTwin) {
  Rng rng(21, 0);
  std::vector<uint8_t> ops, dir;
  for (int trial = 0; trial < 1500; ++trial) {
    const std::string t = RandomBases(rng, 1 + rng.Below(60));
    std::string q, qual;
    Mutate(rng, t, {0.03, 0.06, 0.10}, &q, &qual);
    const int sc = 1 + static_cast<int>(rng.Below(6)), ic = 1 + static_cast<int>(rng.Below(3)),
              dc = 1 + static_cast<int>(rng.Below(3));
    const int band = static_cast<int>(q.size() + t.size());  // ample: the optimum fits
    const int cost = WeightedAlign(q, t, sc, ic, dc, band, &ops, &dir);
    ASSERT_EQ(cost, SlowWeightedCost(q, t, sc, ic, dc)) << q << " " << t;
    // The ops spell both sequences and add up to the cost.
    size_t a = 0, b = 0;
    int sum = 0;
    for (uint8_t op : ops) {
      if (op == kAlignMatch || op == kAlignMismatch) {
        ASSERT_LT(a, q.size());
        ASSERT_LT(b, t.size());
        EXPECT_EQ(op == kAlignMatch, q[a] == t[b]);
        sum += op == kAlignMatch ? 0 : sc;
        ++a;
        ++b;
      } else if (op == kAlignInsert) {
        sum += ic;
        ++a;
      } else {
        sum += dc;
        ++b;
      }
    }
    EXPECT_EQ(a, q.size());
    EXPECT_EQ(b, t.size());
    EXPECT_EQ(sum, cost);
    // A narrow band never beats the optimum and refuses length gaps beyond it.
    const int narrow = WeightedAlign(q, t, sc, ic, dc, 3, &ops, &dir);
    const int gap = static_cast<int>(q.size()) - static_cast<int>(t.size());
    if (std::abs(gap) > 3) {
      EXPECT_EQ(narrow, -1);
    } else {
      EXPECT_GE(narrow, cost);
    }
  }
  // Gaps go left in a run: AAAT vs AAT deletes the first A.
  ASSERT_EQ(WeightedAlign("AAT", "AAAT", 5, 2, 2, 4, &ops, &dir), 2);
  EXPECT_EQ(ops.front(), kAlignDelete);
}

// Deletion-dominated reads (11% deletions, 30 reads): told the error
// profile, consensus aligns with indel-pair-friendly costs and recovers more
// strands exactly than with unit edit costs.
// `n` copies of `truth` mutated with `e` (seqs/quals filled in order) and the
// engine's consensus of them, with their qualities unless `use_qual` is false.
ConsensusResult ConsensusOfCopies(ConsensusEngine& engine, Rng& rng, const std::string& truth,
                                  size_t n, ErrorRates e, bool realistic_qual, bool use_qual,
                                  std::vector<std::string>* seqs) {
  std::vector<std::string> quals(n);
  seqs->assign(n, std::string());
  for (size_t r = 0; r < n; ++r) Mutate(rng, truth, e, &(*seqs)[r], &quals[r], realistic_qual);
  std::vector<ConsensusRead> in;
  for (size_t r = 0; r < n; ++r)
    in.push_back({(*seqs)[r], use_qual ? std::string_view(quals[r]) : std::string_view()});
  ConsensusResult res;
  engine.Consensus(in, &res);
  return res;
}

TEST(FrontEndConsensus, DeletionProfileImprovesConsensus) {
  int exact[2] = {0, 0};
  const int kTrials = 60;
  for (int with_profile = 0; with_profile < 2; ++with_profile) {
    ConsensusOptions o;
    o.payload_nt = 150;
    o.error_rate = 0.11;
    if (with_profile) o.del_rate = 0.11;
    auto engine = MakeConsensusEngine(o);
    for (int trial = 0; trial < kTrials; ++trial) {
      Rng rng(31, trial);
      const std::string truth = RandomBases(rng, 150);
      std::vector<std::string> seqs;
      const ConsensusResult res =
          ConsensusOfCopies(*engine, rng, truth, 30, {0, 0, 0.11}, false, true, &seqs);
      exact[with_profile] += res.seq == truth;
    }
  }
  EXPECT_GT(exact[1], exact[0]);
  EXPECT_GE(exact[1], kTrials * 3 / 4) << exact[0] << " " << exact[1];
}

TEST(FrontEndConsensus, RecoversTruthWithIndels) {
  for (ConsensusMethod method : {ConsensusMethod::kAlignVote, ConsensusMethod::kSpoa}) {
    ConsensusOptions o;
    o.method = method;
    o.payload_nt = 150;
    o.error_rate = 0.03;
    auto engine = MakeConsensusEngine(o);
    int exact = 0, vote_exact = 0;
    const int kTrials = 200;
    for (int trial = 0; trial < kTrials; ++trial) {
      Rng rng(13, trial);
      std::string truth = RandomBases(rng, 150);
      std::vector<std::string> seqs;
      const ConsensusResult res =
          ConsensusOfCopies(*engine, rng, truth, 7, {0.01, 0.01, 0.01}, true, true, &seqs);
      exact += res.seq == truth;
      // The slow twin can only handle equal-length reads.
      std::vector<std::string> same;
      for (auto& s : seqs)
        if (s.size() == truth.size()) same.push_back(s);
      if (!same.empty()) vote_exact += MajorityVote(same) == truth;
    }
    EXPECT_GE(exact, kTrials * 95 / 100) << "method " << static_cast<int>(method);
    EXPECT_GE(exact, vote_exact);
  }
}

TEST(FrontEndConsensus, NanoporeLevelErrors) {
  ConsensusOptions o;
  o.payload_nt = 120;
  o.error_rate = 0.08;
  auto engine = MakeConsensusEngine(o);
  int exact = 0, close = 0;
  const int kTrials = 100;
  for (int trial = 0; trial < kTrials; ++trial) {
    Rng rng(14, trial);
    std::string truth = RandomBases(rng, 120);
    std::vector<std::string> seqs;
    const ConsensusResult res =
        ConsensusOfCopies(*engine, rng, truth, 25, {0.025, 0.02, 0.03}, false, false, &seqs);
    exact += res.seq == truth;
    close += SlowEditDistance(res.seq, truth) <= 2;
  }
  EXPECT_GE(exact, kTrials * 85 / 100);
  EXPECT_GE(close, kTrials * 97 / 100);
}

TEST(FrontEndConsensus, ConfidenceReflectsAgreement) {
  auto engine = MakeConsensusEngine({});
  std::string a = "ACGTACGTAC", b = "ACGTTCGTAC", c = "ACGTACGTAC";
  ConsensusResult res;
  engine->Consensus({{a, ""}, {b, ""}, {c, ""}}, &res);
  EXPECT_EQ(res.seq, a);
  EXPECT_LT(res.qual[4], res.qual[0]);  // the disputed base is less certain
  engine->Consensus({}, &res);
  EXPECT_TRUE(res.seq.empty());
}

// -------------------------------------------------------------- pair merge

TEST(FrontEndPairMerge, OverlapAndReadThrough) {
  Rng rng(15, 0);
  std::string insert = RandomBases(rng, 190);
  SeqRecord r1{"p", insert.substr(0, 150), std::string(150, 'I')};
  SeqRecord r2{"p", ReverseComplement(insert.substr(40)), std::string(150, 'I')};
  // A disagreement in the overlap: R1 is low quality there, so R2 wins.
  r1.seq[100] = insert[100] == 'A' ? 'C' : 'A';
  r1.qual[100] = '#';
  SeqRecord m;
  ASSERT_TRUE(MergePair(r1, r2, {}, &m));
  EXPECT_EQ(m.seq, insert);
  EXPECT_EQ(m.qual.size(), m.seq.size());

  // Read-through: 100-nt insert, 150-nt reads that run into adapters.
  std::string small = RandomBases(rng, 100);
  SeqRecord a{"q", small + RandomBases(rng, 50), std::string(150, 'I')};
  SeqRecord b{"q", ReverseComplement(small) + RandomBases(rng, 50), std::string(150, 'I')};
  ASSERT_TRUE(MergePair(a, b, {}, &m));
  EXPECT_EQ(m.seq, small);

  // No overlap: a long insert.
  std::string big = RandomBases(rng, 400);
  SeqRecord c{"r", big.substr(0, 150), ""};
  SeqRecord d{"r", ReverseComplement(big.substr(250)), ""};
  EXPECT_FALSE(MergePair(c, d, {}, &m));
}

// ------------------------------------------------------ whole front end

namespace {

struct Score {
  size_t eligible = 0, exact = 0;
};

// Oligos with >= min_reads reads whose payload appears exactly among the strands.
Score ScoreStrands(const SyntheticPool& pool, const std::vector<Strand>& strands, int min_reads) {
  std::unordered_set<std::string> got;
  for (const auto& s : strands) got.insert(s.seq);
  Score sc;
  for (size_t i = 0; i < pool.payloads.size(); ++i) {
    if (pool.coverage[i] < min_reads) continue;
    ++sc.eligible;
    sc.exact += got.count(pool.payloads[i]);
  }
  return sc;
}

TEST(FrontEndPayloadErrors, MeasuredOnPayloadsWhenPrimersAreClean) {
  // Primers attached after synthesis carry none of its errors: the primers
  // alone would say ~0%, the payloads carry 1.5% deletions.
  PoolSpec spec;
  spec.oligos = 1500;
  spec.mean_coverage = 10;
  spec.errors = {0.003, 0.0005, 0.015};
  spec.primers_attached = true;
  spec.junk_fraction = 0.02;
  auto pool = MakePool(spec);
  FrontEndOptions o;
  o.fwd_primer = kTestFwd;
  o.rev_primer = kTestRev;
  o.payload_nt = 150;
  o.threads = 2;
  std::vector<Strand> strands;
  FrontEndStats st;
  ASSERT_TRUE(ReconstructStrandsFromReads(pool.reads, o, &strands, &st).ok());
  EXPECT_LT(st.primer_sub_rate + st.primer_ins_rate + st.primer_del_rate, 0.002);
  EXPECT_GE(st.payload_profile_groups, kMinProfileGroups);
  EXPECT_NEAR(st.payload_del_rate, 0.015, 0.004);
  EXPECT_NEAR(st.payload_sub_rate, 0.003, 0.0015);
  EXPECT_LT(st.payload_ins_rate, 0.003);
  EXPECT_GE(st.error_rate, 0.015);  // the larger of the two measures
  Score sc = ScoreStrands(pool, strands, 3);
  EXPECT_GE(sc.exact, sc.eligible * 97 / 100) << sc.exact << "/" << sc.eligible;
}

TEST(FrontEndPayloadErrors, PayloadLengthSurvivesDeletionSkew) {
  // Reads of 150-nt payloads with 1.5% deletions are ~147.8 nt on average;
  // the consensus of a group of them is 150 nt.
  Rng rng(41, 0);
  std::vector<std::string> reads;
  std::string m, q;
  for (int o = 0; o < 200; ++o) {
    const std::string truth = RandomBases(rng, 150);
    for (int c = 0; c < 6; ++c) {
      Mutate(rng, truth, {0.002, 0, 0.015}, &m, &q);
      reads.push_back(m);
    }
  }
  for (size_t i = reads.size(); i > 1; --i) std::swap(reads[i - 1], reads[rng.Below(i)]);
  double mean = 0;
  for (const auto& r : reads) mean += static_cast<double>(r.size()) / reads.size();
  EXPECT_LT(mean, 148.5);
  std::vector<std::string_view> views(reads.begin(), reads.end());
  const PayloadErrorProfile p = EstimatePayloadErrors(views, 12);
  ASSERT_TRUE(p.measured()) << p.groups << " groups";
  EXPECT_EQ(p.payload_nt, 150);
  EXPECT_NEAR(p.del, 0.015, 0.004);
  EXPECT_NEAR(p.sub, 0.002, 0.0015);
  // Too few reads of any oligo: nothing is claimed.
  std::vector<std::string_view> few(views.begin(), views.begin() + 40);
  EXPECT_FALSE(EstimatePayloadErrors(few, 12).measured());
  EXPECT_EQ(EstimatePayloadErrors(few, 12).payload_nt, 0);
}

TEST(FrontEndConsensus, DeletionDominatedGapsKeepTheBase) {
  // On a deletion-dominated channel a base that one read has and another
  // lacks is likelier there than not; two reads that agree on a gap still
  // outweigh one read's base.
  Rng rng(42, 0);
  const std::string truth = RandomBases(rng, 150);
  auto without = [&](std::initializer_list<size_t> cut) {
    std::string s;
    for (size_t i = 0; i < truth.size(); ++i)
      if (std::find(cut.begin(), cut.end(), i) == cut.end()) s.push_back(truth[i]);
    return s;
  };
  const std::string a = without({30}), b = without({100}), c = without({30, 100});
  ConsensusOptions o;
  o.error_rate = 0.02;
  o.sub_rate = 0.003;
  o.ins_rate = 0.0005;
  o.del_rate = 0.015;
  auto engine = MakeConsensusEngine(o);
  ConsensusResult res;
  engine->Consensus({{a, {}, -1}, {b, {}, -1}}, &res);
  EXPECT_EQ(res.seq, truth);
  engine->Consensus({{c, {}, -1}, {c, {}, -1}, {truth, {}, -1}}, &res);
  EXPECT_EQ(res.seq, c);
  // Without a profile a base against a gap is a tie, and the draft's gap stays.
  auto plain = MakeConsensusEngine(ConsensusOptions());
  plain->Consensus({{a, {}, -1}, {b, {}, -1}}, &res);
  EXPECT_EQ(res.seq.size(), 149u);
}

}  // namespace

TEST(FrontEnd, IlluminaLikeSyntheticPool) {
  PoolSpec spec;
  spec.oligos = 2000;
  spec.mean_coverage = 6;
  auto pool = MakePool(spec);
  FrontEndOptions o;
  o.fwd_primer = kTestFwd;
  o.rev_primer = kTestRev;
  o.payload_nt = 150;
  o.threads = 2;
  o.batch_reads = 4000;
  std::vector<Strand> strands;
  FrontEndStats st;
  ASSERT_TRUE(ReconstructStrandsFromReads(pool.reads, o, &strands, &st).ok());
  size_t junk = std::count(pool.read_oligo.begin(), pool.read_oligo.end(), -1);
  EXPECT_EQ(st.reads_total, pool.reads.size());
  EXPECT_EQ(st.reads_junk, junk);
  EXPECT_EQ(st.reads_used + st.reads_junk, st.reads_total);
  EXPECT_NEAR(static_cast<double>(st.reads_forward) / st.reads_used, 0.5, 0.05);
  Score sc = ScoreStrands(pool, strands, 2);
  EXPECT_GE(sc.exact, sc.eligible * 995 / 1000) << sc.exact << "/" << sc.eligible;
  size_t present =
      std::count_if(pool.coverage.begin(), pool.coverage.end(), [](int c) { return c > 0; });
  EXPECT_LE(st.clusters, present * 102 / 100);  // little over-splitting
  EXPECT_GE(st.clusters, present);
  for (const auto& s : strands) {
    EXPECT_EQ(s.seq.size(), s.qual.size());
    EXPECT_GE(s.reads, 1u);
  }
  EXPECT_LT(st.error_rate, 0.01);
}

TEST(FrontEnd, NanoporeLikeSyntheticPool) {
  PoolSpec spec;
  spec.oligos = 300;
  spec.payload_nt = 120;
  spec.mean_coverage = 25;
  spec.errors = {0.025, 0.015, 0.025};
  spec.seed = 5;
  auto pool = MakePool(spec);
  FrontEndOptions o;
  o.fwd_primer = kTestFwd;
  o.rev_primer = kTestRev;
  o.payload_nt = 120;
  o.threads = 2;
  std::vector<Strand> strands;
  FrontEndStats st;
  ASSERT_TRUE(ReconstructStrandsFromReads(pool.reads, o, &strands, &st).ok());
  Score sc = ScoreStrands(pool, strands, 10);
  EXPECT_GE(sc.exact, sc.eligible * 90 / 100) << sc.exact << "/" << sc.eligible;
  EXPECT_GT(st.error_rate, 0.02);
  EXPECT_GE(st.reads_used, (st.reads_total - st.reads_junk) * 95 / 100);
}

TEST(FrontEnd, DeterministicAcrossThreadCounts) {
  PoolSpec spec;
  spec.oligos = 300;
  spec.errors = {0.01, 0.005, 0.005};
  auto pool = MakePool(spec);
  FrontEndOptions o;
  o.fwd_primer = kTestFwd;
  o.rev_primer = kTestRev;
  o.payload_nt = 150;
  o.batch_reads = 500;
  std::vector<Strand> s1, s2;
  o.threads = 1;
  ASSERT_TRUE(ReconstructStrandsFromReads(pool.reads, o, &s1, nullptr).ok());
  o.threads = 2;
  ASSERT_TRUE(ReconstructStrandsFromReads(pool.reads, o, &s2, nullptr).ok());
  ASSERT_EQ(s1.size(), s2.size());
  for (size_t i = 0; i < s1.size(); ++i) {
    EXPECT_EQ(s1[i].seq, s2[i].seq);
    EXPECT_EQ(s1[i].qual, s2[i].qual);
    EXPECT_EQ(s1[i].reads, s2[i].reads);
  }
}

// Reads a caller takes and drops (as a decoder's index votes do) wait for
// the second look packed; spilled to scratch past deferred_memory_bytes,
// they come back in order: the strands and counts are the same.
TEST(FrontEnd, SpilledDeferredReadsGiveTheSameStrands) {
  PoolSpec spec;
  spec.oligos = 400;
  spec.errors = {0.01, 0.005, 0.005};
  auto pool = MakePool(spec);
  const std::string dir = ::testing::TempDir() + "front_end_spill_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  auto run = [&](uint64_t memory, std::vector<Strand>* strands, FrontEndStats* st) {
    FrontEndOptions o;
    o.fwd_primer = kTestFwd;
    o.rev_primer = kTestRev;
    o.payload_nt = 150;
    o.threads = 2;
    o.batch_reads = 700;
    auto hash = [](std::string_view s) { return std::hash<std::string_view>()(s); };
    o.take_read = [&](std::string_view p) { return hash(p) % 3 == 0; };
    o.drop_before_clustering = [&](std::string_view p) { return hash(p) % 5 == 0; };
    int offered = 0;
    o.all_reads_offered = [&] { ++offered; };
    o.deferred_memory_bytes = memory;
    o.scratch_dir = dir;
    ASSERT_TRUE(ReconstructStrandsFromReads(pool.reads, o, strands, st).ok());
    EXPECT_EQ(offered, 1);
  };
  std::vector<Strand> s1, s2;
  FrontEndStats st1, st2;
  run(0, &s1, &st1);
  run(1 << 14, &s2, &st2);
  EXPECT_EQ(st1.bytes_spilled, 0u);
  EXPECT_GT(st2.bytes_spilled, 0u);
  EXPECT_GT(st1.reads_deferred, 0u);
  EXPECT_EQ(st1.reads_deferred, st2.reads_deferred);
  EXPECT_GT(st1.reads_dropped, 0u);
  EXPECT_EQ(st1.reads_dropped, st2.reads_dropped);
  EXPECT_EQ(st1.reads_taken, st2.reads_taken);
  EXPECT_EQ(st1.clusters, st2.clusters);
  ASSERT_EQ(s1.size(), s2.size());
  for (size_t i = 0; i < s1.size(); ++i) {
    EXPECT_EQ(s1[i].seq, s2[i].seq);
    EXPECT_EQ(s1[i].qual, s2[i].qual);
    EXPECT_EQ(s1[i].reads, s2[i].reads);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "scratch is unlinked";
  std::filesystem::remove_all(dir);
}

TEST(FrontEnd, InfersPrimersWhenNotGiven) {
  PoolSpec spec;
  spec.oligos = 300;
  spec.reverse_fraction = 0.4;
  auto pool = MakePool(spec);
  FrontEndOptions o;
  o.payload_nt = 150;
  std::vector<Strand> strands;
  FrontEndStats st;
  ASSERT_TRUE(ReconstructStrandsFromReads(pool.reads, o, &strands, &st).ok());
  EXPECT_TRUE(st.primers_inferred);
  EXPECT_EQ(st.fwd_primer, kTestFwd);
  Score sc = ScoreStrands(pool, strands, 2);
  EXPECT_GE(sc.exact, sc.eligible * 99 / 100);
}

TEST(FrontEnd, TdtHomopolymerCollapse) {
  // Designed payloads have no repeats; synthesis turns each base into a run.
  Rng rng(21, 0);
  std::vector<std::string> designs;
  std::vector<SeqRecord> reads;
  const std::string rev_rc = ReverseComplement(kTestRev);
  for (int i = 0; i < 200; ++i) {
    designs.push_back(RandomTransitionBases(rng, 80));
    for (int c = 0; c < 8; ++c) {
      std::string expanded;
      for (char b : designs.back()) expanded.append(1 + rng.Below(3), b);
      std::string m, q;
      Mutate(rng, expanded, {0.003, 0.0, 0.0}, &m, &q);
      std::string read = kTestFwd + m + rev_rc;
      if (c % 2) read = ReverseComplement(read);
      reads.push_back({"r", read, ""});
    }
  }
  FrontEndOptions o;
  o.fwd_primer = kTestFwd;
  o.rev_primer = kTestRev;
  o.payload_nt = 80;
  o.collapse_homopolymers = true;
  std::vector<Strand> strands;
  FrontEndStats st;
  ASSERT_TRUE(ReconstructStrandsFromReads(reads, o, &strands, &st).ok());
  std::unordered_set<std::string> got;
  for (auto& s : strands) got.insert(s.seq);
  int exact = 0;
  for (auto& d : designs) exact += got.count(d);
  EXPECT_GE(exact, 196);
}

TEST(FrontEnd, OddReadsNeverCrash) {
  // Seeded fuzz: primers with random fragments, lower case, N, odd quality
  // lengths, empty reads. Only checks invariants.
  Rng rng(23, 0);
  const std::string alphabet = "ACGTacgtNRY";
  std::vector<SeqRecord> reads;
  for (int i = 0; i < 3000; ++i) {
    SeqRecord r;
    int parts = static_cast<int>(rng.Below(5));
    for (int p = 0; p < parts; ++p) {
      switch (rng.Below(5)) {
        case 0:
          r.seq += kTestFwd;
          break;
        case 1:
          r.seq += ReverseComplement(kTestRev);
          break;
        case 2:
          r.seq += ReverseComplement(kTestFwd);
          break;
        default:
          for (uint64_t k = rng.Below(200); k > 0; --k)
            r.seq.push_back(alphabet[rng.Below(alphabet.size())]);
      }
    }
    if (rng.Bernoulli(0.5)) r.qual.assign(rng.Bernoulli(0.8) ? r.seq.size() : rng.Below(50), '5');
    reads.push_back(std::move(r));
  }
  for (int payload_nt : {0, 60}) {
    for (bool collapse : {false, true}) {
      FrontEndOptions o;
      o.fwd_primer = kTestFwd;
      o.rev_primer = kTestRev;
      o.payload_nt = payload_nt;
      o.collapse_homopolymers = collapse;
      o.batch_reads = 700;
      o.threads = 2;
      std::vector<Strand> strands;
      FrontEndStats st;
      ASSERT_TRUE(ReconstructStrandsFromReads(reads, o, &strands, &st).ok());
      EXPECT_EQ(st.reads_used + st.reads_junk, st.reads_total);
      for (const auto& s : strands) {
        EXPECT_EQ(s.seq.size(), s.qual.size());
        EXPECT_EQ(s.seq.find_first_not_of("ACGT"), std::string::npos);
      }
    }
  }
}

TEST(FrontEnd, JunkOnlyAndBadOptions) {
  Rng rng(22, 0);
  std::vector<SeqRecord> reads(100);
  for (auto& r : reads) r.seq = RandomBases(rng, rng.Below(300));
  FrontEndOptions o;
  o.fwd_primer = kTestFwd;
  o.rev_primer = kTestRev;
  std::vector<Strand> strands;
  FrontEndStats st;
  ASSERT_TRUE(ReconstructStrandsFromReads(reads, o, &strands, &st).ok());
  EXPECT_EQ(st.reads_junk, 100u);
  EXPECT_TRUE(strands.empty());
  ASSERT_TRUE(ReconstructStrandsFromReads({}, o, &strands, &st).ok());
  EXPECT_TRUE(strands.empty());
  o.threads = 0;
  EXPECT_EQ(ReconstructStrandsFromReads(reads, o, &strands, &st).code(), ErrorCode::kUsage);
  o.threads = 1;
  o.fwd_primer = "";
  EXPECT_EQ(ReconstructStrandsFromReads(reads, o, &strands, &st).code(), ErrorCode::kUsage);
  o.rev_primer = "";  // infer, but nothing to infer from
  EXPECT_EQ(ReconstructStrandsFromReads(reads, o, &strands, &st).code(), ErrorCode::kBadInput);
  EXPECT_EQ(ReconstructStrands({"/nonexistent/reads.fq"}, o, &strands, &st).code(), ErrorCode::kIo);
}

// Clustering within a memory budget (FrontEndOptions::cluster_memory_bytes):
// with every partition in one group the strands are the unbudgeted run's;
// with a budget that forces many groups every oligo still comes back, and
// the scratch directory is checked before any work.
TEST(FrontEnd, PartitionedClusteringKeepsTheStrands) {
  PoolSpec spec;
  spec.oligos = 300;
  spec.mean_coverage = 8;
  auto pool = MakePool(spec);
  const std::string dir = ::testing::TempDir() + "front_end_part_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  auto run = [&](uint64_t memory, std::vector<Strand>* strands, FrontEndStats* st) {
    FrontEndOptions o;
    o.fwd_primer = kTestFwd;
    o.rev_primer = kTestRev;
    o.payload_nt = 150;
    o.threads = 2;
    o.batch_reads = 500;
    o.cluster_memory_bytes = memory;
    o.scratch_dir = dir;
    return ReconstructStrandsFromReads(pool.reads, o, strands, st);
  };
  std::vector<Strand> plain, one, many;
  FrontEndStats st_plain, st_one, st_many;
  ASSERT_TRUE(run(0, &plain, &st_plain).ok());
  ASSERT_TRUE(run(uint64_t{1} << 30, &one, &st_one).ok());
  ASSERT_TRUE(run(uint64_t{1} << 18, &many, &st_many).ok());
  EXPECT_EQ(st_plain.partition_groups, 0u);
  EXPECT_EQ(st_one.partition_groups, 1u);
  EXPECT_GT(st_many.partition_groups, 4u);
  EXPECT_GT(st_many.bytes_spilled, 0u);
  ASSERT_EQ(one.size(), plain.size());
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].seq, plain[i].seq);
    EXPECT_EQ(one[i].qual, plain[i].qual);
    EXPECT_EQ(one[i].reads, plain[i].reads);
  }
  std::set<std::string> got;
  for (const Strand& s : many) got.insert(s.seq);
  size_t found = 0;
  for (const std::string& p : pool.payloads) found += got.count(p);
  size_t found_plain = 0;
  std::set<std::string> got_plain;
  for (const Strand& s : plain) got_plain.insert(s.seq);
  for (const std::string& p : pool.payloads) found_plain += got_plain.count(p);
  EXPECT_GE(found, found_plain - found_plain / 50) << "partitions lose at most 2% of oligos";
  EXPECT_GE(found, pool.payloads.size() * 95 / 100);

  std::vector<Strand> none;
  FrontEndOptions bad;
  bad.fwd_primer = kTestFwd;
  bad.rev_primer = kTestRev;
  bad.cluster_memory_bytes = 1 << 20;
  bad.scratch_dir = dir + "/missing";
  Status st = ReconstructStrandsFromReads(pool.reads, bad, &none, nullptr);
  EXPECT_EQ(st.code(), ErrorCode::kIo);
  EXPECT_NE(st.message().find("missing"), std::string::npos) << st.message();
  std::filesystem::remove_all(dir);
}
