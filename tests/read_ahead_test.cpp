// core/read_ahead.h against reading the stream directly, and SeqReader on
// plain gzip (which it reads ahead on a thread when given threads > 1).
#include "core/read_ahead.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "core/gunzip_stream.h"
#include "core/rng.h"
#include "dnastore/seq_io.h"
#include "tests/test_util.h"

using namespace dnastore;

namespace {

// A stream of `size` pseudo-random bytes handed out in short, uneven reads
// (as a pipe or a gzip member boundary does), then `end` (0 or an error).
FastxParser::ReadFn Stream(const std::string* bytes, long end, std::atomic<int>* calls) {
  auto pos = std::make_shared<size_t>(0);
  return [bytes, end, calls, pos](char* buf, size_t n) -> long {
    if (calls) ++*calls;
    if (*pos == bytes->size()) return end;
    const size_t k = std::min({n, bytes->size() - *pos, size_t{1} + *pos % 13});
    std::memcpy(buf, bytes->data() + *pos, k);
    *pos += k;
    return static_cast<long>(k);
  };
}

std::string RandomBytes(size_t n) {
  Rng rng(7, 1);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng.Next());
  return s;
}

// Reads everything through `ahead` in reads of uneven sizes; the last
// return value (0 or the error) in *last.
std::string Drain(ReadAhead& ahead, long* last) {
  std::string got;
  char buf[64];
  for (size_t i = 0;; ++i) {
    const long n = ahead.Read(buf, 1 + i % sizeof(buf));
    if (n <= 0) {
      *last = n;
      return got;
    }
    got.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

TEST(ReadAhead, DeliversTheStreamInOrderAcrossChunks) {
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
    const std::string bytes = RandomBytes(20000);
    ReadAhead ahead(Stream(&bytes, 0, nullptr), chunk, 2);
    long last = 1;
    EXPECT_EQ(Drain(ahead, &last), bytes) << "chunk " << chunk;
    EXPECT_EQ(last, 0);
    EXPECT_EQ(ahead.Read(nullptr, 0), 0) << "the end stays the end";
  }
}

TEST(ReadAhead, AnErrorComesAfterTheBytesBeforeIt) {
  const std::string bytes = RandomBytes(5000);
  ReadAhead ahead(Stream(&bytes, -3, nullptr), 1000, 2);
  long last = 0;
  EXPECT_EQ(Drain(ahead, &last), bytes);
  EXPECT_EQ(last, -3);
  char c;
  EXPECT_EQ(ahead.Read(&c, 1), -3) << "the error stays an error";
}

TEST(ReadAhead, StopsAnEndlessProducerWhenDestroyed) {
  const std::string bytes = RandomBytes(1 << 20);
  std::atomic<int> calls{0};
  auto endless = [&bytes, &calls](char* buf, size_t n) -> long {
    ++calls;
    const size_t k = std::min(n, bytes.size());
    std::memcpy(buf, bytes.data(), k);
    return static_cast<long>(k);
  };
  {
    ReadAhead ahead(endless, 4096, 3);
    char buf[100];
    ASSERT_EQ(ahead.Read(buf, sizeof(buf)), 100);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let it fill what it may
  }  // no hang: the producer waits for room and sees the stop
  // Read ahead is bounded: the chunk being read, three ready, one being
  // filled (each filled by one call here).
  EXPECT_GT(calls.load(), 0);
  EXPECT_LE(calls.load(), 5);
}

namespace {

// Writes `records` FASTQ records as one plain (not BGZF) gzip member.
std::string WritePlainGzip(const std::string& name, int records) {
  const std::string path = dnastore::testing::ScratchPath(name);
  gzFile gz = gzopen(path.c_str(), "wb1");
  EXPECT_NE(gz, nullptr);
  Rng rng(3, 3);
  for (int i = 0; i < records; ++i) {
    std::string seq(100 + i % 60, 'A');
    for (char& c : seq) c = "ACGT"[rng.Next() % 4];
    const std::string rec =
        "@r" + std::to_string(i) + "\n" + seq + "\n+\n" + std::string(seq.size(), 'I') + "\n";
    gzwrite(gz, rec.data(), static_cast<unsigned>(rec.size()));
  }
  gzclose(gz);
  return path;
}

Result<std::vector<SeqRecord>> ReadWithThreads(const std::string& path, int threads) {
  auto r = SeqReader::Open(path, threads);
  if (!r.ok()) return r.status();
  std::vector<SeqRecord> all;
  ReadBatch batch;
  for (;;) {
    DNASTORE_RETURN_IF_ERROR((*r)->Next(batch, 1000));
    if (batch.empty()) return all;
    all.insert(all.end(), batch.begin(), batch.end());
  }
}

}  // namespace

// Plain gzip read ahead on a thread (threads > 1, a file over 1 MiB) gives
// the records of the single-thread reader; truncated, the same error.
TEST(SeqIo, PlainGzipReadAheadEqualsOneThread) {
  const std::string path = WritePlainGzip("plain.fq.gz", 40000);
  ASSERT_GT(std::filesystem::file_size(path), 1u << 20);
  auto one = ReadWithThreads(path, 1);
  auto two = ReadWithThreads(path, 2);
  ASSERT_TRUE(one.ok()) << one.status().message();
  ASSERT_TRUE(two.ok()) << two.status().message();
  ASSERT_EQ(one->size(), 40000u);
  ASSERT_EQ(two->size(), one->size());
  for (size_t i = 0; i < one->size(); ++i) {
    ASSERT_EQ((*two)[i].name, (*one)[i].name);
    ASSERT_EQ((*two)[i].seq, (*one)[i].seq);
    ASSERT_EQ((*two)[i].qual, (*one)[i].qual);
  }
  const std::string cut = dnastore::testing::ScratchPath("plain_cut.fq.gz");
  std::filesystem::copy_file(path, cut, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(cut, std::filesystem::file_size(path) * 2 / 3);
  auto cut_one = ReadWithThreads(cut, 1);
  auto cut_two = ReadWithThreads(cut, 2);
  ASSERT_FALSE(cut_one.ok());
  ASSERT_FALSE(cut_two.ok());
  EXPECT_EQ(cut_two.status().code(), cut_one.status().code());
  // (The record named may differ: HTSlib drops the bytes of a failing
  // bgzf_read call, and the two readers ask for different sizes.)
  EXPECT_NE(cut_two.status().message().find("truncated"), std::string::npos)
      << cut_two.status().message();
}

// Several gzip members (concatenated files) read as one stream, as zlib does.
TEST(SeqIo, PlainGzipMembersReadAsOneStream) {
  const std::string a = WritePlainGzip("member_a.fq.gz", 20000);
  const std::string b = WritePlainGzip("member_b.fq.gz", 30000);
  const std::string both = dnastore::testing::ScratchPath("members.fq.gz");
  {
    std::ofstream out(both, std::ios::binary);
    out << std::ifstream(a, std::ios::binary).rdbuf() << std::ifstream(b, std::ios::binary).rdbuf();
  }
  for (int threads : {1, 2}) {
    auto recs = ReadWithThreads(both, threads);
    ASSERT_TRUE(recs.ok()) << recs.status().message();
    ASSERT_EQ(recs->size(), 50000u) << threads << " threads";
    EXPECT_EQ((*recs)[19999].name, "r19999");
    EXPECT_EQ((*recs)[20000].name, "r0");
    EXPECT_EQ((*recs)[49999].name, "r29999");
  }
}

// A member whose CRC does not match is an error, and it stays one.
TEST(GunzipStream, BadChecksumIsAnErrorThatSticks) {
  const std::string path = WritePlainGzip("crc.fq.gz", 2000);
  std::string gz = dnastore::testing::ReadText(path);
  gz[gz.size() - 6] ^= 0x55;  // the CRC-32 in the 8-byte trailer
  size_t at = 0;
  GunzipStream g([&](char* buf, size_t n) -> long {
    const size_t k = std::min(n, gz.size() - at);
    std::memcpy(buf, gz.data() + at, k);
    at += k;
    return static_cast<long>(k);
  });
  std::vector<char> out(1 << 16);
  long got;
  while ((got = g.Read(out.data(), out.size())) > 0) {
  }
  EXPECT_LT(got, 0);
  EXPECT_LT(g.Read(out.data(), out.size()), 0);
}
