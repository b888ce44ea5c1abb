// `dnastore consensus` end to end (the binary), and the file-based entry
// points ReconstructStrands / ReconstructStrandsPaired.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unordered_set>

#include "dnastore/read_front_end.h"
#include "tests/front_end_test_util.h"
#include "tests/test_util.h"

using namespace dnastore;
using namespace dnastore::testing;
namespace fs = std::filesystem;

namespace {

class FrontEndCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = TestScratchDir(); }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  void WriteReads(const std::string& path, const std::vector<SeqRecord>& reads) const {
    auto w = SeqWriter::Open(path, SeqFormat::kFastq);
    ASSERT_TRUE(w.ok());
    for (const auto& r : reads) ASSERT_TRUE((*w)->Write(r).ok());
    ASSERT_TRUE((*w)->Close().ok());
  }

  static size_t ExactStrands(const std::string& fasta, const std::vector<std::string>& payloads) {
    auto recs = ReadAllRecords(fasta);
    if (!recs.ok()) return 0;
    std::unordered_set<std::string> got;
    for (const auto& r : *recs) got.insert(r.seq);
    size_t n = 0;
    for (const auto& p : payloads) n += got.count(p);
    return n;
  }

  fs::path dir_;
};

// Mates of a 190-nt oligo read with 150-nt reads: R1 from the start, R2 from
// the end (reverse strand), so they overlap by 110 nt.
void MakeMates(const SyntheticPool& pool, std::vector<SeqRecord>* r1, std::vector<SeqRecord>* r2) {
  Rng rng(77, 0);
  const std::string rev_rc = ReverseComplement(kTestRev);
  for (size_t i = 0; i < pool.payloads.size(); ++i) {
    const std::string oligo = kTestFwd + pool.payloads[i] + rev_rc;
    for (int c = 0; c < 4; ++c) {
      std::string frag = c % 2 ? ReverseComplement(oligo) : oligo;
      std::string m1, q1, m2, q2;
      Mutate(rng, frag.substr(0, 150), {0.002, 0, 0}, &m1, &q1);
      Mutate(rng, ReverseComplement(frag.substr(frag.size() - 150)), {0.004, 0, 0}, &m2, &q2);
      std::string name = std::to_string(i);
      name.append(1, '_').append(std::to_string(c));
      r1->push_back({name, m1, q1});
      r2->push_back({name, m2, q2});
    }
  }
}

}  // namespace

TEST_F(FrontEndCli, ConsensusWithPrimersAndReport) {
  PoolSpec spec;
  spec.oligos = 300;
  auto pool = MakePool(spec);
  WriteReads(Path("reads.fq.gz"), pool.reads);
  auto r = RunDnastore("consensus " + Path("reads.fq.gz") + " -o " + Path("out.fa") +
                       " --primers " + kTestFwd + "," + kTestRev +
                       " --payload-length 150 -t 2 --report " + Path("r.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("clusters:"), std::string::npos) << r.err;
  EXPECT_GE(ExactStrands(Path("out.fa"), pool.payloads), 295u);
  std::string report = ReadText(Path("r.json"));
  EXPECT_NE(report.find("\"reads_total\""), std::string::npos);
  EXPECT_NE(report.find("\"coverage_histogram\""), std::string::npos);
  std::string fa = ReadText(Path("out.fa"));
  EXPECT_NE(fa.find(" reads="), std::string::npos);
  EXPECT_NE(fa.find(" mean_q="), std::string::npos);
}

// --memory: the same strands within a budget that holds them, a report of
// the groups clustered; too small a budget is a usage error naming the
// least, a missing --tmp-dir an I/O error, and neither writes output.
TEST_F(FrontEndCli, ConsensusMemoryBudget) {
  PoolSpec spec;
  spec.oligos = 300;
  auto pool = MakePool(spec);
  WriteReads(Path("reads.fq"), pool.reads);
  const std::string base = "consensus " + Path("reads.fq") + " --primers " + kTestFwd + "," +
                           kTestRev + " --payload-length 150 -t 2";
  auto r = RunDnastore(base + " -o " + Path("a.fa") + " -q");
  ASSERT_EQ(r.code, 0) << r.err;
  r = RunDnastore(base + " -o " + Path("b.fa") + " --memory 300M --tmp-dir " + dir_.string() +
                  " --report " + Path("r.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("memory:   budget 300 MiB; 1 group(s)"), std::string::npos) << r.err;
  EXPECT_EQ(ReadText(Path("a.fa")), ReadText(Path("b.fa")));
  const std::string report = ReadText(Path("r.json"));
  EXPECT_NE(report.find("\"partition_groups\": 1"), std::string::npos) << report;
  EXPECT_NE(report.find("\"budget_bytes\": 314572800"), std::string::npos) << report;

  r = RunDnastore(base + " -o " + Path("c.fa") + " --memory 100M");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("256 MiB"), std::string::npos) << r.err;
  r = RunDnastore(base + " -o " + Path("c.fa") + " --tmp-dir " + Path("missing"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("missing: no such directory"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(Path("c.fa")));
}

TEST_F(FrontEndCli, ConsensusInfersPrimers) {
  PoolSpec spec;
  spec.oligos = 200;
  auto pool = MakePool(spec);
  WriteReads(Path("reads.fq"), pool.reads);
  auto r = RunDnastore("consensus " + Path("reads.fq") + " -o " + Path("out.fa"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("inferred primers"), std::string::npos) << r.err;
  // Either orientation may be inferred; count both.
  std::vector<std::string> rc;
  for (const auto& p : pool.payloads) rc.push_back(ReverseComplement(p));
  EXPECT_GE(ExactStrands(Path("out.fa"), pool.payloads) + ExactStrands(Path("out.fa"), rc), 195u);
  r = RunDnastore("consensus " + Path("reads.fq") + " -o " + Path("q.fa") + " -q");
  ASSERT_EQ(r.code, 0);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(FrontEndCli, ConsensusPaired) {
  PoolSpec spec;
  spec.oligos = 200;
  auto pool = MakePool(spec);
  std::vector<SeqRecord> r1, r2;
  MakeMates(pool, &r1, &r2);
  WriteReads(Path("r1.fq"), r1);
  WriteReads(Path("r2.fq"), r2);
  auto r = RunDnastore("consensus --paired " + Path("r1.fq") + " " + Path("r2.fq") + " -o " +
                       Path("out.fa") + " --primers " + kTestFwd + "," + kTestRev +
                       " --payload-length 150");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("merged"), std::string::npos);
  EXPECT_GE(ExactStrands(Path("out.fa"), pool.payloads), 198u);

  // The library entry point directly.
  FrontEndOptions o;
  o.fwd_primer = kTestFwd;
  o.rev_primer = kTestRev;
  o.payload_nt = 150;
  std::vector<Strand> strands;
  FrontEndStats st;
  ASSERT_TRUE(ReconstructStrandsPaired(Path("r1.fq"), Path("r2.fq"), o, &strands, &st).ok());
  EXPECT_EQ(st.pairs_total, r1.size());
  EXPECT_GE(st.pairs_merged, r1.size() * 99 / 100);
  EXPECT_EQ(st.reads_total, st.pairs_merged + 2 * (st.pairs_total - st.pairs_merged));
  // Mismatched mate files are bad input.
  r2.pop_back();
  WriteReads(Path("r2short.fq"), r2);
  EXPECT_EQ(ReconstructStrandsPaired(Path("r1.fq"), Path("r2short.fq"), o, &strands, &st).code(),
            ErrorCode::kBadInput);
}

TEST_F(FrontEndCli, ConsensusErrors) {
  auto r = RunDnastore("consensus -o " + Path("x.fa"));  // no reads
  EXPECT_EQ(r.code, 1) << r.err;
  r = RunDnastore("consensus reads.fq");  // no -o
  EXPECT_EQ(r.code, 1) << r.err;
  r = RunDnastore("consensus " + Path("missing.fq") + " -o " + Path("x.fa"));
  EXPECT_EQ(r.code, 2) << r.err;
  {
    std::ofstream bad(Path("bad.fq"));
    bad << "@r1\nACGT\n+\nII\n";  // quality length mismatch
  }
  r = RunDnastore("consensus " + Path("bad.fq") + " -o " + Path("x.fa") +
                  " --primers ACGTACGTAC,TTTTGGGGCC");
  EXPECT_EQ(r.code, 2) << r.err;
  r = RunDnastore("consensus " + Path("bad.fq") + " -o " + Path("x.fa") + " --primers ACGT");
  EXPECT_EQ(r.code, 1) << r.err;
}

TEST_F(FrontEndCli, ConsensusOnLcrcRealData) {
  const std::string reads =
      std::string(DNASTORE_SHARED_DATA_DIR) + "/real/lcrc/HFS_Pool_11.7K_NGS_PEmerged.fastq.gz";
  if (!fs::exists(reads)) GTEST_SKIP() << "shared data not found: " << reads;
  auto r = RunDnastore("consensus " + reads + " -o " + Path("lcrc.fa") +
                       " --payload-length 160 -t 2 --report " + Path("lcrc.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  auto recs = ReadAllRecords(Path("lcrc.fa"));
  ASSERT_TRUE(recs.ok());
  EXPECT_GE(recs->size(), 11000u);
  EXPECT_NE(r.err.find("inferred primers"), std::string::npos);
}
