// Reliability: runs the built `dnastore` binary on bad, odd and damaged input
// and checks the documented exit codes (0 ok, 1 usage, 2 bad input or I/O,
// 3 data not recoverable, 70 internal), that messages name the file, that
// decode never writes a wrong or unrequested file, and that output does not
// depend on the thread count. See docs/reliability.md.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/test_util.h"

namespace fs = std::filesystem;

namespace {

using dnastore::testing::CliResult;
using dnastore::testing::RunDnastore;
using dnastore::testing::SignalAfter;
using dnastore::testing::StdoutTo;

// The scratch directory of this process (removed at exit).
std::string P(const std::string& name) { return dnastore::testing::ScratchPath(name); }

std::string Write(const std::string& name, const std::string& content) {
  return dnastore::testing::WriteText(P(name), content);
}

std::string Read(const std::string& path) { return dnastore::testing::ReadText(path); }

bool Contains(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

// Deterministic pseudo-random bytes (no dependence on /dev/urandom).
std::string Content(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

struct Rec {
  std::string name, seq, qual;
};

// Minimal FASTA/FASTQ splitter for files this test wrote or dnastore wrote
// (one line per sequence).
std::vector<Rec> ParseRecords(const std::string& text) {
  std::vector<Rec> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Rec r;
    r.name = line.substr(1);
    std::getline(in, r.seq);
    if (line[0] == '@') {
      std::string plus;
      std::getline(in, plus);
      std::getline(in, r.qual);
    }
    out.push_back(r);
  }
  return out;
}

std::string Fasta(const std::vector<Rec>& recs) {
  std::string s;
  for (const auto& r : recs) s += ">" + r.name + "\n" + r.seq + "\n";
  return s;
}

std::string Fastq(const std::vector<Rec>& recs) {
  std::string s;
  for (const auto& r : recs) {
    std::string q = r.qual.size() == r.seq.size() ? r.qual : std::string(r.seq.size(), 'I');
    s += "@" + r.name + "\n" + r.seq + "\n+\n" + q + "\n";
  }
  return s;
}

void WriteGzip(const std::string& path, const std::string& data, size_t member_bytes) {
  // One gzip member per `member_bytes` of input (like BGZF blocks).
  std::ofstream out(path, std::ios::binary);
  for (size_t off = 0; off < data.size(); off += member_bytes) {
    size_t n = std::min(member_bytes, data.size() - off);
    z_stream zs{};
    deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string buf(deflateBound(&zs, n) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + off));
    zs.avail_in = static_cast<uInt>(n);
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    deflate(&zs, Z_FINISH);
    out.write(buf.data(), static_cast<std::streamsize>(zs.total_out));
    deflateEnd(&zs);
  }
}

std::string Truncate(const std::string& src, const std::string& name, size_t keep) {
  std::string s = Read(src);
  return Write(name, s.substr(0, std::min(keep, s.size())));
}

// Shared fixtures: archive A (3000 B) as a pool and as simulated Illumina
// reads; archive B (2000 B) as a pool.
class Reliability : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    a_content_ = Content(3000, 1);
    b_content_ = Content(2000, 2);
    a_file_ = Write("a.bin", a_content_);
    b_file_ = Write("b.bin", b_content_);
    a_pool_ = P("a.fasta");
    b_pool_ = P("b.fasta");
    a_reads_ = P("a_reads.fq");
    ASSERT_EQ(RunDnastore("encode " + a_file_ + " -o " + a_pool_ + " -q --force").code, 0);
    ASSERT_EQ(RunDnastore("encode " + b_file_ + " -o " + b_pool_ + " -q --force").code, 0);
    auto s = RunDnastore("simulate " + a_pool_ + " -o " + a_reads_ +
                         " --coverage 10 --seed 7 -q --force");
    ASSERT_EQ(s.code, 0) << s.err;
  }
  static std::string a_content_, b_content_, a_file_, b_file_, a_pool_, b_pool_, a_reads_;

  // Decodes `input` into a fresh file; returns the run and the output path.
  static CliResult Decode(const std::string& input, const std::string& out_name,
                          const std::string& extra = "") {
    fs::remove(P(out_name));
    return RunDnastore("decode " + input + " -o " + P(out_name) + " -q " + extra);
  }
};
std::string Reliability::a_content_, Reliability::b_content_, Reliability::a_file_,
    Reliability::b_file_, Reliability::a_pool_, Reliability::b_pool_, Reliability::a_reads_;

// ---------------------------------------------------------------- bad files

TEST_F(Reliability, MissingInputNamesTheFile) {
  for (std::string cmd : {"encode", "decode", "simulate", "consensus"}) {
    std::string missing = P("no_such_" + cmd + ".fq");
    auto r = RunDnastore(cmd + " " + missing + " -o " + P("x.out"));
    EXPECT_EQ(r.code, 2) << cmd << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, missing)) << r.err;
    EXPECT_TRUE(Contains(r.err, "No such file")) << r.err;
  }
}

TEST_F(Reliability, UnreadableInputNamesTheFile) {
  if (geteuid() == 0) GTEST_SKIP() << "root can read a mode-000 file";
  std::string f = Write("unreadable.fasta", Read(a_pool_));
  chmod(f.c_str(), 0);
  for (std::string cmd : {"encode", "decode", "simulate", "consensus"}) {
    auto r = RunDnastore(cmd + " " + f + " -o " + P("x.out"));
    EXPECT_EQ(r.code, 2) << cmd << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, f)) << r.err;
  }
  chmod(f.c_str(), 0644);
}

TEST_F(Reliability, DirectoryAsInputOrOutput) {
  std::string d = P("a_directory");
  fs::create_directories(d);
  for (std::string cmd : {"encode", "decode", "simulate", "consensus"}) {
    auto r = RunDnastore(cmd + " " + d + " -o " + P("x.out"));
    EXPECT_EQ(r.code, 2) << cmd << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, d)) << r.err;
    EXPECT_TRUE(Contains(r.err, "directory")) << r.err;
  }
  auto r = RunDnastore("decode " + a_pool_ + " -o " + d);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "is a directory")) << r.err;
}

TEST_F(Reliability, EmptyInput) {
  std::string empty = Write("empty.fq", "");
  for (std::string cmd : {"decode", "simulate", "consensus"}) {
    auto r = RunDnastore(cmd + " " + empty + " -o " + P("x.out"));
    EXPECT_EQ(r.code, 2) << cmd << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, empty)) << r.err;
    EXPECT_TRUE(Contains(r.err, "empty")) << r.err;
  }
}

TEST_F(Reliability, EmptyFileRoundTrips) {
  std::string empty = Write("empty.bin", "");
  ASSERT_EQ(RunDnastore("encode " + empty + " -o " + P("empty.fasta") + " -q").code, 0);
  auto d = Decode(P("empty.fasta"), "empty.out");
  EXPECT_EQ(d.code, 0) << d.err;
  ASSERT_TRUE(fs::exists(P("empty.out")));
  EXPECT_EQ(fs::file_size(P("empty.out")), 0u);
}

TEST_F(Reliability, TruncatedGzip) {
  std::string gz = P("reads.fq.gz");
  WriteGzip(gz, Read(a_reads_), 1 << 30);  // one member
  auto whole = Decode(gz, "gz.out");
  ASSERT_EQ(whole.code, 0) << whole.err;
  EXPECT_EQ(Read(P("gz.out")), a_content_);
  std::string cut = Truncate(gz, "reads_cut.fq.gz", fs::file_size(gz) / 2);
  auto r = Decode(cut, "gz_cut.out");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, cut)) << r.err;
  EXPECT_TRUE(Contains(r.err, "truncated")) << r.err;
  EXPECT_TRUE(Contains(r.err, "record")) << r.err;
  EXPECT_FALSE(fs::exists(P("gz_cut.out")));
}

TEST_F(Reliability, TruncatedMultiMemberGzip) {
  // BGZF-like: many gzip members; cut inside a member in the middle.
  std::string gz = P("reads_multi.fq.gz");
  WriteGzip(gz, Read(a_reads_), 65280);
  auto whole = Decode(gz, "mgz.out");
  ASSERT_EQ(whole.code, 0) << whole.err;
  EXPECT_EQ(Read(P("mgz.out")), a_content_);
  std::string cut = Truncate(gz, "reads_multi_cut.fq.gz", fs::file_size(gz) * 2 / 3);
  auto r = Decode(cut, "mgz_cut.out");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, cut)) << r.err;
  EXPECT_FALSE(fs::exists(P("mgz_cut.out")));
}

TEST_F(Reliability, BinaryGarbage) {
  std::string g = Write("garbage.bin", Content(5000, 99));
  for (std::string cmd : {"decode", "simulate", "consensus"}) {
    auto r = RunDnastore(cmd + " " + g + " -o " + P("x.out"));
    EXPECT_EQ(r.code, 2) << cmd << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, g)) << r.err;
    EXPECT_TRUE(Contains(r.err, "not a FASTA")) << r.err;
  }
  // Text that is no sequence format at all.
  std::string txt = Write("words.txt", "ACGTACGT\nhello world\n");
  auto r = Decode(txt, "x.out");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, txt)) << r.err;
}

TEST_F(Reliability, FastqSequenceQualityLengthMismatch) {
  std::string f = Write("mismatch.fq", "@r1\nACGT\n+\nIIII\n@r2\nACGTAC\n+\nIII\n");
  auto r = Decode(f, "x.out");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, f)) << r.err;
  EXPECT_TRUE(Contains(r.err, "record")) << r.err;
}

TEST_F(Reliability, FastqMissingPlusLine) {
  std::string f = Write("noplus.fq", "@r1\nACGT\nIIII\n@r2\nACGT\n+\nIIII\n");
  auto r = Decode(f, "x.out");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, f)) << r.err;
  EXPECT_TRUE(Contains(r.err, "record 1")) << r.err;
}

TEST_F(Reliability, FastqTruncatedLastRecordNamesTheRecord) {
  std::string f = Write("trunc.fq", "@r1\nACGT\n+\nIIII\n@r2\nACGT\n");
  auto r = Decode(f, "x.out");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, f)) << r.err;
  EXPECT_TRUE(Contains(r.err, "record 2")) << r.err;
}

TEST_F(Reliability, TruncatedReadsFileMidRecord) {
  // A plain FASTQ cut in the middle of a record (partial copy, full disk).
  std::string cut = Truncate(a_reads_, "reads_cut.fq", fs::file_size(a_reads_) / 2 + 7);
  auto r = Decode(cut, "cut.out");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, cut)) << r.err;
  EXPECT_FALSE(fs::exists(P("cut.out")));
}

// ------------------------------------------------- odd but valid sequences

TEST_F(Reliability, WindowsLineEndings) {
  auto crlf = [](const std::string& s) {
    std::string o;
    for (char c : s) {
      if (c == '\n') o += '\r';
      o += c;
    }
    return o;
  };
  auto p = Decode(Write("crlf.fasta", crlf(Read(a_pool_))), "crlf_pool.out");
  EXPECT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(Read(P("crlf_pool.out")), a_content_);
  auto r = Decode(Write("crlf.fq", crlf(Read(a_reads_))), "crlf_reads.out");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Read(P("crlf_reads.out")), a_content_);
}

TEST_F(Reliability, LowercaseBases) {
  auto pool = ParseRecords(Read(a_pool_));
  for (auto& r : pool)
    for (char& c : r.seq) c = static_cast<char>(std::tolower(c));
  auto p = Decode(Write("lower.fasta", Fasta(pool)), "lower_pool.out");
  EXPECT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(Read(P("lower_pool.out")), a_content_);
  auto reads = ParseRecords(Read(a_reads_));
  for (size_t i = 0; i < reads.size(); i += 2)
    for (char& c : reads[i].seq) c = static_cast<char>(std::tolower(c));
  auto r = Decode(Write("lower.fq", Fastq(reads)), "lower_reads.out");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Read(P("lower_reads.out")), a_content_);
}

TEST_F(Reliability, NAndIupacCodesInReads) {
  auto reads = ParseRecords(Read(a_reads_));
  const std::string codes = "NRYKMSWBDHV";
  for (size_t i = 0; i < reads.size(); i += 4) {
    std::string& s = reads[i].seq;
    for (size_t j = 0; j < 3 && s.size() > 100; ++j) s[30 + 31 * j] = codes[(i + j) % codes.size()];
  }
  // And a few reads that are nothing but N.
  for (int i = 0; i < 5; ++i)
    reads.push_back({"allN" + std::to_string(i), std::string(190, 'N'), ""});
  auto r = Decode(Write("iupac.fq", Fastq(reads)), "iupac.out");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Read(P("iupac.out")), a_content_);
}

TEST_F(Reliability, NInAFewPoolOligos) {
  // A clean pool with an N in 8 oligos: fewer than the parity, so it decodes.
  auto pool = ParseRecords(Read(a_pool_));
  int changed = 0;
  for (size_t i = pool.size() / 2; i < pool.size() && changed < 8; i += 5, ++changed)
    pool[i].seq[60] = 'N';
  auto r = Decode(Write("n_pool.fasta", Fasta(pool)), "n_pool.out");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Read(P("n_pool.out")), a_content_);
}

TEST_F(Reliability, ZeroLengthAndHundredKilobaseReads) {
  auto reads = ParseRecords(Read(a_reads_));
  std::vector<Rec> odd;
  odd.push_back({"empty0", "", ""});
  for (size_t i = 0; i < reads.size(); ++i) {
    odd.push_back(reads[i]);
    if (i % 500 == 0) odd.push_back({"empty" + std::to_string(i), "", ""});
  }
  std::string big;
  for (int i = 0; i < 100000; ++i) big += "ACGT"[(i * 7 + i / 13) % 4];
  odd.push_back({"big", big, ""});
  auto r = Decode(Write("odd.fq", Fastq(odd)), "odd.out");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Read(P("odd.out")), a_content_);
  // The same in FASTA (a zero-length FASTA record is a header line alone).
  auto f = Decode(Write("odd.fasta", Fasta(odd)), "odd_fa.out");
  EXPECT_EQ(f.code, 0) << f.err;
  EXPECT_EQ(Read(P("odd_fa.out")), a_content_);
}

// ------------------------------------------------ archives that don't match

TEST_F(Reliability, ReadsFromAnotherArchiveDecodeThatArchive) {
  // -o not given: the name stored in the archive, in the current directory;
  // here -o is given, and the content must be B's, verified.
  auto r = Decode(b_pool_, "b.out");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Read(P("b.out")), b_content_);
}

TEST_F(Reliability, MixedArchivesNeverGiveAWrongFile) {
  for (int order = 0; order < 2; ++order) {
    std::string mixed = order ? Read(b_pool_) + Read(a_pool_) : Read(a_pool_) + Read(b_pool_);
    std::string out = "mixed" + std::to_string(order) + ".out";
    auto r = Decode(Write("mixed" + std::to_string(order) + ".fasta", mixed), out);
    if (r.code == 0) {
      std::string got = Read(P(out));
      EXPECT_TRUE(got == a_content_ || got == b_content_) << "order " << order;
    } else {
      EXPECT_TRUE(r.code == 2 || r.code == 3) << r.err;
      EXPECT_FALSE(fs::exists(P(out)));
    }
  }
}

// Reads of no archive at all: exit 3 (no archive found is kUnrecoverable),
// nothing written. Regression test: random reads once exited 2 from the
// primer inference ("Fixed defects" in docs/reliability.md).
TEST_F(Reliability, UnrelatedReadsExitThree) {
  std::vector<Rec> reads;
  for (int i = 0; i < 300; ++i) {
    std::string seq;
    std::string c = Content(190, 1000 + i);
    for (char ch : c) seq += "ACGT"[static_cast<uint8_t>(ch) % 4];
    reads.push_back({std::string("u").append(std::to_string(i)), seq, ""});
  }
  auto r = Decode(Write("unrelated.fq", Fastq(reads)), "unrelated.out");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, P("unrelated.fq"))) << r.err;
  EXPECT_FALSE(fs::exists(P("unrelated.out")));
  // Two such reads: the same.
  reads.resize(2);
  auto two = Decode(Write("unrelated2.fq", Fastq(reads)), "unrelated2.out");
  EXPECT_EQ(two.code, 3) << two.err;
  EXPECT_TRUE(Contains(two.err, P("unrelated2.fq"))) << two.err;
  EXPECT_FALSE(fs::exists(P("unrelated2.out")));
}

TEST_F(Reliability, PoolWhoseHeaderWasLost) {
  auto pool = ParseRecords(Read(a_pool_));
  std::vector<Rec> data;
  for (const auto& r : pool)
    if (r.name.empty() || r.name[0] != 'h') data.push_back(r);  // header oligos are h<seq>.<copy>
  ASSERT_LT(data.size(), pool.size());
  auto r = Decode(Write("noheader.fasta", Fasta(data)), "noheader.out", "--report " + P("nh.json"));
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, "header")) << r.err;
  EXPECT_FALSE(fs::exists(P("noheader.out")));
  auto j = nlohmann::json::parse(Read(P("nh.json")));
  EXPECT_EQ(j["header_found"], false);
  EXPECT_EQ(j["exit_code"], 3);
}

// ------------------------------------------------------- options and output

TEST_F(Reliability, UnknownOptionsAndBadValuesAreUsageErrors) {
  const std::string in = a_file_, pool = a_pool_, o = " -o " + P("x.out");
  for (const std::string& args : std::vector<std::string>{
           "encode " + in + o + " --no-such-option",
           "decode " + pool + o + " --bogus",
           "simulate " + pool + o + " --frobnicate 3",
           "consensus " + pool + o + " --nope",
           "decode " + pool + o + " -t abc",
           "decode " + pool + o + " -t -3",
           "simulate " + pool + o + " --threads 1x",
           "encode " + in + o + " --oligo-length 30",
           "encode " + in + o + " --redundancy 0",
           "encode " + in + o + " --redundancy 5",
           "encode " + in + o + " --primers ACGT",
           "encode " + in + o + " --mapping weird",
           "encode " + in + o + " --preset nope",
           "simulate " + pool + o + " --coverage -5",
           "simulate " + pool + o + " --preset nope",
           "decode",
           "decode " + pool + o + " --paired " + pool,
           "decode " + pool + o + " --primers ACGT",
           "frobnicate",
       }) {
    auto r = RunDnastore(args);
    EXPECT_EQ(r.code, 1) << args << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << args;
  }
}

TEST_F(Reliability, OutputDirectoryMissing) {
  std::string o = P("no_such_dir/sub/x.out");
  auto d = RunDnastore("decode " + a_pool_ + " -o " + o);
  EXPECT_EQ(d.code, 2) << d.err;
  EXPECT_TRUE(Contains(d.err, o)) << d.err;
  for (std::string cmd : {"encode " + a_file_, "simulate " + a_pool_, "consensus " + a_pool_}) {
    auto r = RunDnastore(cmd + " -o " + o);
    EXPECT_EQ(r.code, 2) << cmd << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, o)) << r.err;
  }
}

TEST_F(Reliability, ReadOnlyOutput) {
  std::string o;
  if (geteuid() == 0) {
    if (access("/sys", F_OK) != 0) GTEST_SKIP() << "root and no /sys";
    o = "/sys/dnastore_reliability.out";  // sysfs refuses new files even to root
  } else {
    std::string ro = P("readonly");
    fs::create_directories(ro);
    chmod(ro.c_str(), 0555);
    o = ro + "/x.out";
  }
  for (std::string cmd :
       {"decode " + a_pool_, "encode " + a_file_, "simulate " + a_pool_, "consensus " + a_pool_}) {
    auto r = RunDnastore(cmd + " -o " + o);
    EXPECT_EQ(r.code, 2) << cmd << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, o)) << r.err;
    // The system's reason; sysfs (the root case) refuses exclusive creation with ENOENT.
    EXPECT_TRUE(Contains(r.err, "Permission denied") ||
                (geteuid() == 0 && Contains(r.err, "No such file or directory")))
        << r.err;
  }
}

TEST_F(Reliability, StdoutToDevFullIsAnIoError) {
  if (access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  for (std::string cmd :
       {"encode " + a_file_, "decode " + a_pool_, "simulate " + a_pool_, "consensus " + a_pool_}) {
    auto r = RunDnastore(cmd + " -o -", StdoutTo("/dev/full"));
    EXPECT_EQ(r.code, 2) << cmd << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, "No space left on device")) << cmd << ": " << r.err;
  }
}

// The JSON summary on a full disk is an I/O error, not lost silently
// (regression test, "Fixed defects" in docs/reliability.md).
TEST_F(Reliability, JsonSummaryToDevFullIsAnIoError) {
  auto r =
      RunDnastore("encode " + a_file_ + " -o " + P("j.fasta") + " --json -", StdoutTo("/dev/full"));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "No space left on device")) << r.err;
}

// The order sheet on a full disk: exit 2 with the system's reason (it once
// said only "write failed"; "Fixed defects" in docs/reliability.md).
TEST_F(Reliability, OrderSheetToDevFullIsAnIoError) {
  auto r =
      RunDnastore("encode " + a_file_ + " -o " + P("os.fasta") + " -q --order-sheet /dev/full");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "/dev/full")) << r.err;
  EXPECT_TRUE(Contains(r.err, "No space left on device")) << r.err;
}

// A report that cannot be written fails the run and names the report file
// (regression test, "Fixed defects" in docs/reliability.md).
TEST_F(Reliability, DecodeReportToDevFullIsReported) {
  auto r = Decode(a_pool_, "rep_full.out", "--report /dev/full");
  EXPECT_NE(r.code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "/dev/full")) << r.err;
}

// ----------------------------------------------------------------- integrity

class Integrity : public Reliability {
 protected:
  // Pool A with 40 consecutive data oligos removed (more than the parity).
  static std::string DamagedPool() {
    auto pool = ParseRecords(Read(a_pool_));
    std::vector<Rec> kept;
    int data_seen = 0;
    for (const auto& r : pool) {
      bool header = !r.name.empty() && r.name[0] == 'h';
      if (!header && data_seen++ >= 20 && data_seen <= 60) continue;
      kept.push_back(r);
    }
    return Write("damaged.fasta", Fasta(kept));
  }
  static bool NoTempFilesLeft(const std::string& dir, const std::string& stem) {
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string n = e.path().filename().string();
      if (n != stem && n.rfind(stem, 0) == 0) return false;  // e.g. stem.tmp.XXXX
    }
    return true;
  }
};

TEST_F(Integrity, TooManyLostOligosExitThreeAndNoOutput) {
  std::string dir = P("integrity1");
  fs::create_directories(dir);
  std::string out = dir + "/lost.out";
  auto r =
      RunDnastore("decode " + DamagedPool() + " -o " + out + " -q --report " + dir + "/r.json");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, "missing")) << r.err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(NoTempFilesLeft(dir, "lost.out"));
  auto j = nlohmann::json::parse(Read(dir + "/r.json"));
  EXPECT_EQ(j["exit_code"], 3);
  EXPECT_EQ(j["hash_ok"], false);
  EXPECT_FALSE(j["missing_ranges"].empty());
  EXPECT_EQ(j["output"], "");
}

TEST_F(Integrity, FailedDecodeLeavesExistingFileUntouchedEvenWithForce) {
  std::string out = Write("keep.out", "precious old content");
  auto r = RunDnastore("decode " + DamagedPool() + " -o " + out + " -q --force");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(Read(out), "precious old content");
}

TEST_F(Integrity, NoOverwriteWithoutForce) {
  std::string out = Write("exists.out", "old");
  auto r = RunDnastore("decode " + a_pool_ + " -o " + out + " -q");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "--force")) << r.err;
  EXPECT_TRUE(Contains(r.err, out)) << r.err;
  EXPECT_EQ(Read(out), "old");
  auto f = RunDnastore("decode " + a_pool_ + " -o " + out + " -q --force");
  EXPECT_EQ(f.code, 0) << f.err;
  EXPECT_EQ(Read(out), a_content_);
}

TEST_F(Integrity, PartialWritesRecoveredBytesAndListsMissingRanges) {
  std::string dir = P("integrity2");
  fs::create_directories(dir);
  std::string out = dir + "/partial.out";
  // With --force (out does not exist beforehand); PartialWithoutForce runs
  // the same without it.
  auto r = RunDnastore("decode " + DamagedPool() + " -o " + out +
                       " -q --partial --force --report " + dir + "/r.json");
  EXPECT_EQ(r.code, 3) << r.err;
  ASSERT_TRUE(fs::exists(out));
  std::string got = Read(out);
  ASSERT_EQ(got.size(), a_content_.size());
  auto j = nlohmann::json::parse(Read(dir + "/r.json"));
  EXPECT_EQ(j["exit_code"], 3);
  EXPECT_EQ(j["output"], out);
  ASSERT_FALSE(j["missing_ranges"].empty());
  // Every byte outside the listed ranges is right.
  std::vector<bool> missing(got.size(), false);
  uint64_t total_missing = 0;
  for (const auto& m : j["missing_ranges"]) {
    uint64_t off = m["offset"], len = m["length"];
    ASSERT_LE(off + len, got.size());
    total_missing += len;
    for (uint64_t i = off; i < off + len; ++i) missing[i] = true;
  }
  EXPECT_GT(total_missing, 0u);
  for (size_t i = 0; i < got.size(); ++i) {
    if (!missing[i]) {
      ASSERT_EQ(got[i], a_content_[i]) << "byte " << i << " not listed missing";
    }
  }
  EXPECT_TRUE(NoTempFilesLeft(dir, "partial.out"));
}

// `--partial` needs no --force for a new output. Regression test: the reads
// mode retry once refused to overwrite the partial file the strands attempt
// had just written (exit 2, no ranges; "Fixed defects" in docs/reliability.md).
TEST_F(Integrity, PartialWithoutForce) {
  std::string out = P("partial_noforce.out");
  fs::remove(out);
  auto r = RunDnastore("decode " + DamagedPool() + " -o " + out + " -q --partial --report " +
                       P("pnf.json"));
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(fs::exists(out));
  auto j = nlohmann::json::parse(Read(P("pnf.json")));
  EXPECT_FALSE(j["missing_ranges"].empty());
}

// The missing ranges are the lost oligos' bytes, not the whole failed
// codeword: the data oligos present are systematic and written verbatim. The
// 89 data oligos carry 34 bytes each (the last one less); oligos 20..59 are
// lost, so bytes [680, 2040) are missing. Regression test: the report once
// listed all 3000 bytes ("Fixed defects" in docs/reliability.md).
TEST_F(Integrity, PartialReportListsOnlyLostBytes) {
  auto r = RunDnastore("decode " + DamagedPool() + " -o " + P("precise.out") +
                       " -q --partial --force --report " + P("precise.json"));
  EXPECT_EQ(r.code, 3) << r.err;
  auto j = nlohmann::json::parse(Read(P("precise.json")));
  uint64_t total = 0;
  for (const auto& m : j["missing_ranges"]) total += m["length"].get<uint64_t>();
  EXPECT_LT(total, a_content_.size());
  ASSERT_EQ(j["missing_ranges"].size(), 1u) << j["missing_ranges"];
  EXPECT_EQ(j["missing_ranges"][0]["offset"], 680);
  EXPECT_EQ(j["missing_ranges"][0]["length"], 1360);
}

// Long direct-mapped oligos decode. Regression test: from 246 nt (payload
// >= 206 nt) the encoder once wrote pools whose header the decoder never found
// (found by fuzz_roundtrip; "Fixed defects" in docs/reliability.md).
TEST_F(Integrity, LongOligosDecode) {
  for (int len : {246, 300, 400}) {
    std::string pool = P("long" + std::to_string(len) + ".fasta");
    auto e = RunDnastore("encode " + a_file_ + " -o " + pool + " -q --oligo-length " +
                         std::to_string(len));
    ASSERT_EQ(e.code, 0) << e.err;
    auto d = Decode(pool, "long.out");
    EXPECT_EQ(d.code, 0) << len << ": " << d.err;
    EXPECT_EQ(Read(P("long.out")), a_content_) << len;
  }
}

// Found by fuzz_roundtrip: of this pool's 80 header oligos, 3 also pass as
// data frames (CRC-8 matches, index in range); header oligos come first, so
// these false frames took their slots and the real data frames were dropped
// as duplicates (3 wrong symbols in a 12-oligo codeword with 5 parity: exit
// 3). The decoder now knows the archive's header oligos once it has the
// header and never takes one for data. The header stores the file name, so
// the input must be called content.bin.
TEST_F(Integrity, HeaderOligosNeverTakeDataSlots) {
  const std::string hex =
      "414354434741544341474147434147544306060606232369196478232306232300000000000000004f00000000"
      "0000000000000000000000000000060606062323692f1964782323066c6c6f20246e6400776f726c6c";
  std::string content;
  for (size_t i = 0; i < hex.size(); i += 2)
    content.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  ASSERT_EQ(content.size(), 86u);
  fs::create_directories(P("header_as_data"));
  std::string in = Write("header_as_data/content.bin", content);
  std::string pool = P("header_as_data/pool.fasta");
  auto e = RunDnastore("encode " + in + " -o " + pool +
                       " -q --oligo-length 106 --redundancy 0.02 --stripe-blocks 1"
                       " --header-copies 4");
  ASSERT_EQ(e.code, 0) << e.err;
  auto d = Decode(pool, "header_as_data.out");
  EXPECT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(Read(P("header_as_data.out")), content);
}

// --------------------------------------------------------------- determinism

TEST_F(Reliability, EncodeIsIdenticalAtAnyThreadCount) {
  // Several stripes so that threads actually share the work.
  std::string in = Write("det.bin", Content(60000, 5));
  for (std::string mapping : {"direct", "transition"}) {
    std::string p1 = P("det1_" + mapping + ".fasta"), p2 = P("det2_" + mapping + ".fasta");
    std::string common = " --mapping " + mapping + " --stripe-blocks 2 -q";
    ASSERT_EQ(RunDnastore("encode " + in + " -o " + p1 + " -t 1" + common).code, 0);
    ASSERT_EQ(RunDnastore("encode " + in + " -o " + p2 + " -t 2" + common).code, 0);
    EXPECT_EQ(Read(p1), Read(p2)) << mapping;
    EXPECT_GT(fs::file_size(p1), 0u);
  }
}

TEST_F(Reliability, SimulateIsIdenticalAtAnyThreadCount) {
  for (std::string preset : {"illumina", "nanopore"}) {
    std::string r1 = P("sim1_" + preset + ".fq"), r2 = P("sim2_" + preset + ".fq");
    std::string common = " --preset " + preset + " --coverage 5 --seed 11 -q";
    ASSERT_EQ(RunDnastore("simulate " + a_pool_ + " -o " + r1 + " --threads 1" + common).code, 0);
    ASSERT_EQ(RunDnastore("simulate " + a_pool_ + " -o " + r2 + " --threads 2" + common).code, 0);
    EXPECT_EQ(Read(r1), Read(r2)) << preset;
    EXPECT_GT(fs::file_size(r1), 0u);
  }
}

TEST_F(Reliability, DecodeIsIdenticalAtAnyThreadCount) {
  auto a = RunDnastore("decode " + a_reads_ + " -o " + P("dt1.out") + " --force -q -t 1 --report " +
                       P("dt1.json"));
  auto b = RunDnastore("decode " + a_reads_ + " -o " + P("dt2.out") + " --force -q -t 2 --report " +
                       P("dt2.json"));
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(Read(P("dt1.out")), Read(P("dt2.out")));
  auto j1 = nlohmann::json::parse(Read(P("dt1.json")));
  auto j2 = nlohmann::json::parse(Read(P("dt2.json")));
  for (const char* k : {"clusters", "strands", "oligos_present", "codewords_with_errors"})
    EXPECT_EQ(j1[k], j2[k]) << k;
}

// -------------------------------------------------------------- shared data

TEST_F(Reliability, ForeignRealPoolFailsCleanly) {
  // A real pool designed by another project (dt4dds): not a dnastore archive.
  fs::path pool =
      fs::path(DNASTORE_SHARED_DATA_DIR) / "real/dt4dds-pool/design_padded_indexed.fasta.gz";
  if (!fs::exists(pool)) GTEST_SKIP() << "no " << pool;
  auto r = Decode(pool.string(), "foreign.out", "--report " + P("foreign.json"));
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, "header")) << r.err;
  EXPECT_FALSE(fs::exists(P("foreign.out")));
}

}  // namespace

// SIGINT/SIGTERM/SIGHUP/SIGQUIT while writing: no temporary or partial output
// is left. The signal may arrive after the run finished (a fast machine);
// then the output must be complete. Either way no temporary (a hidden
// ".NAME.dnastore-XXXXXX" file) remains.
TEST(Interrupt, NoPartialOutputAfterSignal) {
  const std::string dir = P("interrupt");
  fs::create_directories(dir);
  {
    std::ofstream big(dir + "/big.bin", std::ios::binary);
    std::string chunk(1 << 20, '\0');
    for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>(i * 2654435761u >> 13);
    for (int i = 0; i < 24; ++i) big << chunk;
  }
  for (auto [sig, sig_name] : {std::pair{SIGINT, "INT"}, std::pair{SIGTERM, "TERM"},
                               std::pair{SIGHUP, "HUP"}, std::pair{SIGQUIT, "QUIT"}}) {
    const std::string pool = dir + "/pool_" + sig_name + ".fasta";
    int code =
        RunDnastore("encode " + dir + "/big.bin -o " + pool + " -q -t 1", SignalAfter(sig, 300))
            .code;
    for (const auto& e : fs::directory_iterator(dir))
      EXPECT_EQ(e.path().filename().string().find(".dnastore-"), std::string::npos) << e.path();
    if (code == 0) {
      EXPECT_TRUE(fs::exists(pool));
    } else {
      EXPECT_EQ(code, 128 + sig) << sig_name;  // it dies of the signal it got
      EXPECT_FALSE(fs::exists(pool)) << "exit " << code;
    }
  }
}
