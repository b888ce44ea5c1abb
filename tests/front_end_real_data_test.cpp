// The read front end on a real Illumina run (LCRC pool, see
// ../shared/data/README.md): reconstructs strands from 46,980 merged reads and
// checks them against the 11,745 designed oligos. Skipped when the shared data
// folder is absent.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/dna.h"
#include "dnastore/read_front_end.h"
#include "dnastore/seq_io.h"
#include "reads/primer_trim.h"
#include "reads/read_cluster.h"

using namespace dnastore;

namespace {

const std::string kLcrcDir = std::string(DNASTORE_SHARED_DATA_DIR) + "/real/lcrc";
const std::string kReads = kLcrcDir + "/HFS_Pool_11.7K_NGS_PEmerged.fastq.gz";
const std::string kDesign = kLcrcDir + "/oligoPool_11.7K.fa.gz";
constexpr int kPrimerNt = 20;

struct Design {
  std::string fwd, rev;
  std::vector<std::string> payloads;
};

Design LoadDesign() {
  Design d;
  auto recs = ReadAllRecords(kDesign);
  EXPECT_TRUE(recs.ok()) << recs.status().message();
  if (!recs.ok() || recs->empty()) return d;
  const std::string& first = recs->front().seq;
  d.fwd = first.substr(0, kPrimerNt);
  d.rev = ReverseComplement(first.substr(first.size() - kPrimerNt));
  for (const auto& r : *recs)
    d.payloads.push_back(r.seq.substr(kPrimerNt, r.seq.size() - 2 * kPrimerNt));
  return d;
}

// Reads per designed oligo: each read's trimmed payload is assigned to the
// closest design (exact hash first, then sampled 16-mer candidates verified by
// edit distance <= 16).
std::vector<int> DesignCoverage(const Design& d, const std::vector<SeqRecord>& reads) {
  PrimerTrimOptions to;
  to.fwd_primer = d.fwd;
  to.rev_primer = d.rev;
  to.payload_nt = static_cast<int>(d.payloads[0].size());
  auto trimmer = PrimerTrimmer::Create(to);
  std::unordered_map<std::string, int> exact;
  std::unordered_map<std::string, std::vector<int>> kmers;
  for (size_t i = 0; i < d.payloads.size(); ++i) {
    exact.emplace(d.payloads[i], static_cast<int>(i));
    for (size_t p = 0; p + 16 <= d.payloads[i].size(); p += 8)
      kmers[d.payloads[i].substr(p, 16)].push_back(static_cast<int>(i));
  }
  std::vector<int> cov(d.payloads.size(), 0);
  TrimmedRead t;
  for (const auto& r : reads) {
    if (!trimmer->Trim(r.seq, r.qual, &t)) continue;
    auto it = exact.find(t.seq);
    if (it != exact.end()) {
      ++cov[it->second];
      continue;
    }
    std::unordered_set<int> cand;
    for (size_t p = 0; p + 16 <= t.seq.size(); ++p) {
      auto k = kmers.find(t.seq.substr(p, 16));
      if (k != kmers.end()) cand.insert(k->second.begin(), k->second.end());
    }
    int best = -1, best_d = 17;
    for (int c : cand) {
      int dist = BoundedEditDistance(t.seq, d.payloads[c], best_d - 1);
      if (dist >= 0 && dist < best_d) {
        best_d = dist;
        best = c;
      }
    }
    if (best >= 0) ++cov[best];
  }
  return cov;
}

}  // namespace

TEST(FrontEndRealData, LcrcIlluminaPool) {
  if (!std::filesystem::exists(kReads) || !std::filesystem::exists(kDesign))
    GTEST_SKIP() << "shared data not found at " << kLcrcDir;
  Design d = LoadDesign();
  ASSERT_FALSE(d.payloads.empty());
  EXPECT_EQ(d.fwd, "ATAATTGGCTCCTGCTTGCA");

  FrontEndOptions o;
  o.fwd_primer = d.fwd;
  o.rev_primer = d.rev;
  o.payload_nt = static_cast<int>(d.payloads[0].size());
  o.threads = 2;
  std::vector<Strand> strands;
  FrontEndStats st;
  auto t0 = std::chrono::steady_clock::now();
  Status s = ReconstructStrands({kReads}, o, &strands, &st);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(s.ok()) << s.message();

  auto reads = ReadAllRecords(kReads);
  ASSERT_TRUE(reads.ok());
  std::vector<int> cov = DesignCoverage(d, *reads);
  std::unordered_set<std::string> got;
  for (const auto& x : strands) got.insert(x.seq);
  size_t eligible = 0, exact = 0, any_exact = 0;
  for (size_t i = 0; i < d.payloads.size(); ++i) {
    bool hit = got.count(d.payloads[i]) > 0;
    any_exact += hit;
    if (cov[i] >= 3) {
      ++eligible;
      exact += hit;
    }
  }
  const double frac = eligible ? static_cast<double>(exact) / eligible : 0;
  std::printf(
      "LCRC: %llu reads (%llu used, %llu junk), %llu clusters, est. error %.4f, %.2f s\n"
      "LCRC: designs with >= 3 reads reconstructed exactly: %zu / %zu = %.3f%%; "
      "all designs exact: %zu / %zu\n",
      static_cast<unsigned long long>(st.reads_total),
      static_cast<unsigned long long>(st.reads_used),
      static_cast<unsigned long long>(st.reads_junk), static_cast<unsigned long long>(st.clusters),
      st.error_rate, secs, exact, eligible, 100.0 * frac, any_exact, d.payloads.size());
  RecordProperty("exact_fraction_cov3", std::to_string(frac));
  EXPECT_GE(frac, 0.99);
  EXPECT_GE(st.reads_used, st.reads_total * 9 / 10);
}

TEST(FrontEndRealData, LcrcInferredPrimers) {
  if (!std::filesystem::exists(kReads)) GTEST_SKIP() << "shared data not found at " << kLcrcDir;
  auto reads = ReadAllRecords(kReads);
  ASSERT_TRUE(reads.ok());
  std::vector<SeqRecord> sample(reads->begin(),
                                reads->begin() + std::min<size_t>(20000, reads->size()));
  auto inf = InferPrimers(sample, kPrimerNt);
  ASSERT_TRUE(inf.ok()) << inf.status().message();
  // Either orientation is a valid answer from the reads alone.
  std::set<std::string> got{inf->fwd_primer, inf->rev_primer};
  std::set<std::string> want{"ATAATTGGCTCCTGCTTGCA", ReverseComplement("AATGTAGGCGGAAAGTGCAA")};
  EXPECT_EQ(got, want);
}
