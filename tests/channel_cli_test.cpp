// `dnastore simulate` end to end: runs the built binary.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "tests/test_util.h"

namespace {

using dnastore::testing::ReadText;
using dnastore::testing::RunDnastore;

size_t Lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

class SimulateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = dnastore::testing::TestScratchDir();  // outputs are never overwritten without --force
    pool_ = dir_ + "/pool.fa";
    std::ofstream f(pool_);
    uint64_t x = 12345;
    for (int i = 0; i < 50; ++i) {
      f << ">o" << i << " designed\n";
      for (int j = 0; j < 100; ++j) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        f << "ACGT"[(x >> 33) & 3];
      }
      f << "\n";
    }
  }
  std::string dir_, pool_;
};

TEST_F(SimulateCli, WritesReadsTruthAndStats) {
  auto r = RunDnastore("simulate " + pool_ + " -o " + dir_ + "/r.fastq --coverage 10 --truth " +
                       dir_ + "/t.tsv --stats " + dir_ + "/s.json --seed 3");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("error rates"), std::string::npos) << r.err;
  std::string fq = ReadText(dir_ + "/r.fastq");
  EXPECT_EQ(Lines(fq), 500u * 4);
  EXPECT_EQ(fq[0], '@');
  EXPECT_EQ(Lines(ReadText(dir_ + "/t.tsv")), 501u);
  std::string js = ReadText(dir_ + "/s.json");
  EXPECT_NE(js.find("\"error_rates\""), std::string::npos);
  EXPECT_NE(js.find("\"dropout_fraction\""), std::string::npos);
  EXPECT_NE(js.find("\"histogram\""), std::string::npos);
}

TEST_F(SimulateCli, DeterministicAndSeeded) {
  ASSERT_EQ(
      RunDnastore("simulate " + pool_ + " -o " + dir_ + "/a.fastq -t 1 -q --preset worstcase").code,
      0);
  ASSERT_EQ(
      RunDnastore("simulate " + pool_ + " -o " + dir_ + "/b.fastq -t 2 -q --preset worstcase").code,
      0);
  ASSERT_EQ(RunDnastore("simulate " + pool_ + " -o " + dir_ +
                        "/c.fastq -t 2 -q --preset worstcase --seed 9")
                .code,
            0);
  EXPECT_EQ(ReadText(dir_ + "/a.fastq"), ReadText(dir_ + "/b.fastq"));
  EXPECT_NE(ReadText(dir_ + "/a.fastq"), ReadText(dir_ + "/c.fastq"));
}

TEST_F(SimulateCli, GzipAndPaired) {
  auto r = RunDnastore("simulate " + pool_ + " -o " + dir_ + "/g.fastq.gz -q --coverage 5");
  ASSERT_EQ(r.code, 0) << r.err;
  std::string gz = ReadText(dir_ + "/g.fastq.gz");
  ASSERT_GE(gz.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  r = RunDnastore("simulate " + pool_ + " -o " + dir_ + "/p.fastq --paired -q --coverage 4");
  ASSERT_EQ(r.code, 0) << r.err;
  std::string r1 = ReadText(dir_ + "/p_R1.fastq"), r2 = ReadText(dir_ + "/p_R2.fastq");
  EXPECT_EQ(Lines(r1), 200u * 4);
  EXPECT_EQ(Lines(r2), 200u * 4);
  EXPECT_NE(r1.find("@r0/1"), std::string::npos);
  r = RunDnastore("simulate " + pool_ + " -o " + dir_ + "/x1.fq " + dir_ +
                  "/x2.fq --paired -q --coverage 2 --read-length 80");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(ReadText(dir_ + "/x2.fq")), 100u * 4);
}

TEST_F(SimulateCli, ErrorsAndExitCodes) {
  auto r = RunDnastore("simulate " + dir_ + "/missing.fa -o " + dir_ + "/m.fastq");
  EXPECT_EQ(r.code, 2) << r.err;
  r = RunDnastore("simulate " + pool_ + " -o " + dir_ + "/m.fastq --preset nosuch");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("nosuch"), std::string::npos) << r.err;
  {
    std::ofstream f(dir_ + "/bad.toml");
    f << "[pcr]\nefficiency = 3\n";
  }
  r = RunDnastore("simulate " + pool_ + " -o " + dir_ + "/m.fastq -c " + dir_ + "/bad.toml");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("pcr.efficiency"), std::string::npos) << r.err;
  {
    std::ofstream f(dir_ + "/unknown.toml");
    f << "[pcr]\nfoo = 3\n";
  }
  r = RunDnastore("simulate " + pool_ + " -o " + dir_ + "/m.fastq -c " + dir_ + "/unknown.toml");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("pcr.foo"), std::string::npos) << r.err;
  r = RunDnastore("simulate " + pool_ + " -o " + dir_ + "/m.fastq --pcr-efficiency 2");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("pcr.efficiency"), std::string::npos) << r.err;
  r = RunDnastore("simulate " + pool_ + " -o /nonexistent_dir/m.fastq -q");
  EXPECT_EQ(r.code, 2) << r.err;
}

TEST_F(SimulateCli, ExplicitFlagsOverridePresetAndConfig) {
  {
    std::ofstream f(dir_ + "/c.toml");
    f << "preset = \"nanopore\"\n[pcr]\ncycles = 11\n";
  }
  auto r =
      RunDnastore("simulate " + pool_ + " -c " + dir_ + "/c.toml --pcr-cycles 7 --dump-config");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string& t = r.out;
  EXPECT_NE(t.find("nanopore-r10"), std::string::npos) << t;
  EXPECT_NE(t.find("cycles = 7"), std::string::npos) << t;
}

TEST_F(SimulateCli, PhysicalRedundancyAndAttachedPrimers) {
  auto r = RunDnastore("simulate " + pool_ + " -o " + dir_ +
                       "/r.fq --preset dt4dds-worstcase --physical-redundancy 3 --stats " + dir_ +
                       "/s.json --seed 4");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("molecules"), std::string::npos) << r.err;
  std::string js = ReadText(dir_ + "/s.json");
  EXPECT_NE(js.find("\"molecules\""), std::string::npos);
  EXPECT_NE(js.find("\"physical_redundancy\": 3.0"), std::string::npos) << js;
  EXPECT_NE(js.find("primers_attached = true"), std::string::npos);
  auto d = RunDnastore("simulate " + pool_ + " --primers-attached --dump-config");
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_NE(d.out.find("primers_attached = true"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("physical_redundancy = 0"), std::string::npos) << d.out;
  auto bad = RunDnastore("simulate " + pool_ + " -o " + dir_ + "/b.fq --physical-redundancy -1");
  EXPECT_EQ(bad.code, 1) << bad.err;
}

}  // namespace
