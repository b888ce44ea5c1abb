// Golden files of archive format version 1 (tests/data; how each was made is
// in tests/data/README.md). What version 1 wrote must decode forever; the
// encoder must still write the golden pools byte for byte from their input;
// noisy reads simulated once from a golden pool must decode forever too.
#include <gtest/gtest.h>

#include <string>

#include "dnastore/decoder.h"
#include "tests/test_util.h"

using namespace dnastore;
using dnastore::testing::ReadText;
using dnastore::testing::RunDnastore;
using dnastore::testing::ScratchPath;

namespace {

const std::string kData = DNASTORE_TEST_DATA_DIR;
const std::string kContent = kData + "/golden_v1_content.txt";

}  // namespace

// Golden pools written by format version 1 must decode forever.
TEST(Golden, FormatV1PoolsDecode) {
  for (std::string name : {"golden_v1_direct", "golden_v1_transition"}) {
    std::string pool = kData + "/" + name + ".fasta";
    std::string expected = ReadText(kContent);
    ASSERT_FALSE(expected.empty());
    std::string out = ScratchPath(name + ".out");
    DecodeOptions d;
    d.inputs = {pool};
    d.output_path = out;
    d.force = true;
    d.threads = 2;
    DecodeReport r;
    Status st = DecodeFile(d, nullptr, &r);
    ASSERT_TRUE(st.ok()) << name << ": " << st.message();
    EXPECT_EQ(ReadText(out), expected) << name;
  }
}

// The other direction: `dnastore encode` still writes each golden pool byte
// for byte from golden_v1_content.txt. Both were written with the default
// options except 4 header copies and 2 stripe blocks; the transition pool
// also with `--mapping transition`.
TEST(Golden, FormatV1PoolsEncodeByteForByte) {
  struct Case {
    const char* pool;
    const char* options;
  };
  for (Case c :
       {Case{"golden_v1_direct", "--header-copies 4 --stripe-blocks 2"},
        Case{"golden_v1_transition", "--header-copies 4 --stripe-blocks 2 --mapping transition"}}) {
    const std::string expected = ReadText(kData + "/" + c.pool + ".fasta");
    ASSERT_FALSE(expected.empty()) << c.pool;
    for (const char* threads : {"1", "2"}) {
      const std::string out = ScratchPath(std::string(c.pool) + "_t" + threads + ".fasta");
      auto r =
          RunDnastore("encode " + kContent + " -o " + out + " -q -t " + threads + " " + c.options);
      ASSERT_EQ(r.code, 0) << c.pool << ": " << r.err;
      EXPECT_TRUE(ReadText(out) == expected)
          << c.pool << " -t " << threads << ": the encoder no longer writes the golden pool";
    }
  }
}

// Noisy reads (worstcase preset, 10x, simulated once from golden_v1_direct.fasta:
// substitutions, indels, dropped oligos, both strands) must decode to the
// golden content forever, through the library and through `dnastore decode`.
TEST(Golden, FormatV1NoisyReadsDecode) {
  const std::string reads = kData + "/golden_v1_reads.fastq.gz";
  const std::string expected = ReadText(kContent);
  ASSERT_FALSE(expected.empty());

  DecodeOptions d;
  d.inputs = {reads};
  d.output_path = ScratchPath("golden_reads_lib.out");
  d.force = true;
  d.threads = 2;
  DecodeReport report;
  Status st = DecodeFile(d, nullptr, &report);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(ReadText(d.output_path), expected);

  const std::string out = ScratchPath("golden_reads_cli.out");
  auto r = RunDnastore("decode " + reads + " -o " + out + " -q");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(out), expected);
}
