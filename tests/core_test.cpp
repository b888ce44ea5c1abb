#include <gtest/gtest.h>
#include <htslib/bgzf.h>

#include <cstdio>
#include <fstream>

#include "core/dna.h"
#include "core/rng.h"
#include "dnastore/seq_io.h"
#include "dnastore/status.h"
#include "tests/test_util.h"

using namespace dnastore;

TEST(Dna, ReverseComplementAndStats) {
  EXPECT_EQ(ReverseComplement("AACGTN"), "NACGTT");
  EXPECT_EQ(MaxHomopolymer("ACCCGTTA"), 3);
  EXPECT_DOUBLE_EQ(GcFraction("ACGT"), 0.5);
  EXPECT_EQ(NormalizeBases("acgtRY"), "ACGTNN");
}

TEST(Status, ExitCodes) {
  EXPECT_EQ(ExitCodeFor(ErrorCode::kOk), 0);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kUsage), 1);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kBadInput), 2);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kIo), 2);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kUnrecoverable), 3);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kInternal), 70);
}

TEST(Rng, DeterministicPerStream) {
  Rng a(42, 7), b(42, 7), c(42, 8);
  uint64_t x = a.Next();
  EXPECT_EQ(x, b.Next());
  EXPECT_NE(x, c.Next());
  Rng u(1, 1);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) sum += u.Uniform();
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
}

static std::string TempPath(const std::string& name) {
  return dnastore::testing::ScratchPath(name);
}

TEST(SeqIo, FastqRoundTripPlainAndGzip) {
  for (std::string ext : {".fastq", ".fastq.gz"}) {
    std::string path = TempPath("rt" + ext);
    auto w = SeqWriter::Open(path, SeqFormat::kFastq, 2);
    ASSERT_TRUE(w.ok()) << w.status().message();
    for (int i = 0; i < 1000; ++i)
      ASSERT_TRUE(
          (*w)->Write({std::string("r").append(std::to_string(i)), "ACGTACGT", "IIIII##I"}).ok());
    ASSERT_TRUE((*w)->Close().ok());
    auto recs = ReadAllRecords(path);
    ASSERT_TRUE(recs.ok()) << recs.status().message();
    ASSERT_EQ(recs->size(), 1000u);
    EXPECT_EQ((*recs)[999].name, "r999");
    EXPECT_EQ((*recs)[5].seq, "ACGTACGT");
    EXPECT_EQ((*recs)[5].qual, "IIIII##I");
  }
}

// SeqWriter compresses BGZF blocks itself (so its bytes go through the I/O
// seam, core/io_env.h): the file is HTSlib's BGZF writer's, byte for byte,
// at any thread count, across several blocks and flushes.
TEST(SeqIo, BgzfOutputIsHtslibsByteForByte) {
  std::string text;
  for (int i = 0; text.size() < (3u << 20); ++i)
    text += ">r" + std::to_string(i) + "\n" + std::string(100 + i % 50, "ACGT"[i % 4]) + "\n";
  const std::string want_path = TempPath("want.fa.gz");
  BGZF* fp = bgzf_open(want_path.c_str(), "w6");
  ASSERT_NE(fp, nullptr);
  ASSERT_EQ(bgzf_write(fp, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(bgzf_close(fp), 0);
  for (int threads : {1, 3}) {
    const std::string path = TempPath("got" + std::to_string(threads) + ".fa.gz");
    auto w = SeqWriter::Open(path, SeqFormat::kFasta, threads);
    ASSERT_TRUE(w.ok()) << w.status().message();
    for (size_t at = 0; at < text.size(); at += 300000)
      ASSERT_TRUE(
          (*w)->WriteRaw(text.data() + at, std::min<size_t>(300000, text.size() - at)).ok());
    ASSERT_TRUE((*w)->Close().ok());
    EXPECT_TRUE(dnastore::testing::ReadText(path) == dnastore::testing::ReadText(want_path))
        << threads << " threads";
  }
}

TEST(SeqIo, FastaLowercaseAndCrlf) {
  std::string path = TempPath("crlf.fa");
  std::ofstream(path) << ">a desc\r\nacgt\r\nAC\r\n>b\r\nGG\r\n";
  auto recs = ReadAllRecords(path);
  ASSERT_TRUE(recs.ok()) << recs.status().message();
  ASSERT_EQ(recs->size(), 2u);
  EXPECT_EQ((*recs)[0].seq, "ACGTAC");
  EXPECT_EQ((*recs)[1].seq, "GG");
}

TEST(SeqIo, BadInputIsAStatusNotACrash) {
  auto missing = SeqReader::Open(TempPath("does_not_exist.fq"));
  EXPECT_EQ(missing.status().code(), ErrorCode::kIo);
  auto dir = SeqReader::Open(dnastore::testing::ScratchDir());
  EXPECT_EQ(dir.status().code(), ErrorCode::kIo);
  std::string empty = TempPath("empty.fq");
  std::ofstream(empty).close();
  EXPECT_EQ(SeqReader::Open(empty).status().code(), ErrorCode::kBadInput);
  std::string bad = TempPath("mismatch.fq");
  std::ofstream(bad) << "@r1\nACGT\n+\nII\n";
  auto recs = ReadAllRecords(bad);
  EXPECT_FALSE(recs.ok());
  EXPECT_EQ(recs.status().code(), ErrorCode::kBadInput);
}
