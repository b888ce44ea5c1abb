// Runs the built `dnastore` binary the way a user would and checks exit codes
// and messages (0 ok, 1 usage, 2 bad input or I/O, 3 unrecoverable).
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/test_util.h"

namespace fs = std::filesystem;

namespace {

using dnastore::testing::RunDnastore;
using dnastore::testing::SignalAfter;
using dnastore::testing::StdoutTo;
using dnastore::testing::WithStdin;

std::string Dir() { return dnastore::testing::ScratchDir(); }
std::string Write(const std::string& name, const std::string& content) {
  return dnastore::testing::WriteText(Dir() + "/" + name, content);
}
std::string Read(const std::string& path) { return dnastore::testing::ReadText(path); }

}  // namespace

TEST(Cli, HelpAndVersion) {
  EXPECT_EQ(RunDnastore("--help").code, 0);
  EXPECT_EQ(RunDnastore("--version").code, 0);
  EXPECT_EQ(RunDnastore("encode --help").code, 0);
  EXPECT_EQ(RunDnastore("decode --help").code, 0);
  EXPECT_EQ(RunDnastore("").code, 1);
  EXPECT_EQ(RunDnastore("frobnicate").code, 1);
  EXPECT_EQ(RunDnastore("encode").code, 1);
  EXPECT_EQ(RunDnastore("encode x --no-such-option").code, 1);
}

TEST(Cli, EncodeDecodeRoundTrip) {
  std::string content = "Hello, DNA!\n";
  for (int i = 0; i < 500; ++i) content += std::to_string(i * 7919) + ",";
  std::string in = Write("hello.txt", content);
  std::string pool = Dir() + "/hello.fasta";
  auto e = RunDnastore("encode " + in + " -o " + pool + " --json " + Dir() + "/enc.json");
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_NE(e.err.find("bits/nt"), std::string::npos);
  EXPECT_NE(Read(Dir() + "/enc.json").find("bits_per_nt_payload"), std::string::npos);
  std::string out = Dir() + "/hello.out";
  auto d = RunDnastore("decode " + pool + " -o " + out + " --report " + Dir() + "/dec.json");
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(Read(out), content);
  EXPECT_NE(Read(Dir() + "/dec.json").find("\"hash_ok\": true"), std::string::npos);
  // Existing output without --force: exit 2, file untouched.
  auto again = RunDnastore("decode " + pool + " -o " + out);
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.err.find("--force"), std::string::npos);
  EXPECT_EQ(Read(out), content);
  EXPECT_EQ(RunDnastore("decode " + pool + " -o " + out + " --force -q").code, 0);
}

TEST(Cli, BadInputGetsExitTwoWithTheFileName) {
  auto missing = RunDnastore("encode " + Dir() + "/nope.bin -o " + Dir() + "/x.fa");
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("nope.bin"), std::string::npos);
  EXPECT_EQ(RunDnastore("encode " + Dir() + " -o " + Dir() + "/x.fa").code, 2);
  auto dmissing = RunDnastore("decode " + Dir() + "/nope.fq -o " + Dir() + "/y");
  EXPECT_EQ(dmissing.code, 2);
  EXPECT_NE(dmissing.err.find("nope.fq"), std::string::npos);
  std::string garbage = Write("garbage.fq", std::string("\x01\x02\x03 not a fastq\n", 19));
  EXPECT_EQ(RunDnastore("decode " + garbage + " -o " + Dir() + "/y").code, 2);
  std::string empty = Write("empty.fq", "");
  EXPECT_EQ(RunDnastore("decode " + empty + " -o " + Dir() + "/y").code, 2);
  std::string mismatch = Write("mismatch.fq", "@r1\nACGT\n+\nII\n");
  auto mm = RunDnastore("decode " + mismatch + " -o " + Dir() + "/y");
  EXPECT_EQ(mm.code, 2);
  EXPECT_NE(mm.err.find("mismatch.fq"), std::string::npos);
  EXPECT_EQ(RunDnastore("encode " + Write("a.txt", "abc") + " -o /nonexistent_dir/x.fa").code, 2);
  EXPECT_EQ(RunDnastore("encode " + Write("b.txt", "abc") + " --redundancy 5").code, 1);
  EXPECT_EQ(RunDnastore("encode " + Write("c.txt", "abc") + " --mapping weird").code, 1);
}

TEST(Cli, UnrelatedReadsExitThreeWithoutOutput) {
  std::string fq;
  for (int i = 0; i < 200; ++i) {
    std::string seq;
    for (int j = 0; j < 150; ++j) seq += "ACGT"[(i * 31 + j * 7 + j * j) % 4];
    fq += "@r" + std::to_string(i) + "\n" + seq + "\n+\n" + std::string(150, 'I') + "\n";
  }
  std::string reads = Write("unrelated.fq", fq);
  std::string out = Dir() + "/unrelated.out";
  auto r = RunDnastore("decode " + reads + " -o " + out);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, StdoutToDevFullIsAnIoError) {
  std::string in = Write("full.txt", "some data to encode");
  auto r = RunDnastore("encode " + in + " -o -", StdoutTo("/dev/full"));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("No space left"), std::string::npos) << r.err;
}

// '-' is stdin for the input and stdout for the output: a pipe end to end.
TEST(Cli, StdinToStdout) {
  std::string content = "piped through dnastore\n";
  for (int i = 0; i < 200; ++i) content += std::to_string(i * 104729) + " ";
  auto e = RunDnastore("encode - -o - -q", WithStdin(content));
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_EQ(e.out.rfind(">h", 0), 0u) << e.out.substr(0, 80);
  auto d = RunDnastore("decode - -o - -q", WithStdin(e.out));
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(d.out, content);
}

// Noisy end to end: simulated Illumina reads (both strands, errors, skewed
// coverage, junk mixed in) decode exactly just above the coverage limit and
// fail cleanly (exit 3, no output) far below it; paired-end mates decode.
TEST(Cli, NoisyReadsAroundTheCoverageLimit) {
  std::string content;
  for (int i = 0; i < 1500; ++i) content += std::to_string(i * 2654435761u) + ";";
  std::string in = Write("noisy.txt", content);
  std::string pool = Dir() + "/noisy.fasta";
  ASSERT_EQ(RunDnastore("encode " + in + " -o " + pool + " -q").code, 0);
  // 6x Illumina plus junk reads: recovered.
  std::string reads = Dir() + "/noisy6.fastq";
  ASSERT_EQ(RunDnastore("simulate " + pool + " -o " + reads + " --coverage 6 --seed 11 -q").code,
            0);
  {
    std::ofstream junk(reads, std::ios::app);
    for (int i = 0; i < 50; ++i)
      junk << "@junk" << i << "\n"
           << std::string(60 + i, "ACGT"[i % 4]) << "\n+\n"
           << std::string(60 + i, 'I') << "\n";
  }
  std::string out = Dir() + "/noisy6.out";
  auto d = RunDnastore("decode " + reads + " -o " + out);
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(Read(out), content);
  // 1x: far too few reads -> exit 3, nothing written.
  std::string sparse = Dir() + "/noisy1.fastq";
  ASSERT_EQ(RunDnastore("simulate " + pool + " -o " + sparse + " --coverage 1 --seed 11 -q").code,
            0);
  std::string out1 = Dir() + "/noisy1.out";
  EXPECT_EQ(RunDnastore("decode " + sparse + " -o " + out1 + " -q").code, 3);
  EXPECT_FALSE(fs::exists(out1));
  // Paired-end mates with adapter read-through.
  std::string prefix = Dir() + "/pe";
  ASSERT_EQ(
      RunDnastore("simulate " + pool + " -o " + prefix + " --paired --coverage 8 --seed 5 -q").code,
      0);
  std::string out_pe = Dir() + "/pe.out";
  auto p =
      RunDnastore("decode --paired " + prefix + "_R1.fastq " + prefix + "_R2.fastq -o " + out_pe);
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(Read(out_pe), content);
}

// --memory and --tmp-dir: checked before any work, reported, and the
// archive's own needs against the budget give a clear error.
TEST(Cli, MemoryBudgetAndScratchDirectory) {
  std::string content;
  for (int i = 0; i < 800; ++i) content += std::to_string(i * 40503u) + ";";
  std::string in = Write("budget.txt", content);
  std::string pool = Dir() + "/budget.fasta", reads = Dir() + "/budget.fastq";
  ASSERT_EQ(RunDnastore("encode " + in + " -o " + pool + " -q").code, 0);
  ASSERT_EQ(RunDnastore("simulate " + pool + " -o " + reads + " --coverage 6 --seed 3 -q").code, 0);
  const std::string scratch = Dir() + "/scratch";
  fs::create_directories(scratch);
  std::string out = Dir() + "/budget.out", report = Dir() + "/budget.json";
  auto d = RunDnastore("decode " + reads + " -o " + out + " --memory 300M --tmp-dir " + scratch +
                       " --report " + report);
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(Read(out), content);
  EXPECT_NE(d.err.find("budget 300.00 MiB"), std::string::npos) << d.err;
  EXPECT_NE(Read(report).find("\"budget_bytes\": 314572800"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(scratch));
  auto small = RunDnastore("decode " + reads + " -o " + Dir() + "/small.out --memory 256M");
  EXPECT_EQ(small.code, 1);
  EXPECT_NE(small.err.find("need a memory budget of at least"), std::string::npos) << small.err;
  EXPECT_FALSE(fs::exists(Dir() + "/small.out"));
  auto tiny = RunDnastore("decode " + reads + " -o " + Dir() + "/tiny.out --memory 100K");
  EXPECT_EQ(tiny.code, 1);
  EXPECT_NE(tiny.err.find("below 256 MiB"), std::string::npos) << tiny.err;
  auto bad = RunDnastore("decode " + reads + " -o " + Dir() + "/bad.out --memory 4X");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("--memory 4X"), std::string::npos) << bad.err;
  auto nodir = RunDnastore("decode " + reads + " -o " + Dir() + "/nodir.out --tmp-dir " + Dir() +
                           "/no-such-dir");
  EXPECT_EQ(nodir.code, 2);
  EXPECT_NE(nodir.err.find("no-such-dir"), std::string::npos) << nodir.err;
  EXPECT_FALSE(fs::exists(Dir() + "/nodir.out"));
}

// A report without what may differ between two runs of one decode: times,
// peak memories, bytes spilled, the output's name.
static std::string StableReport(const std::string& path) {
  std::istringstream in(Read(path));
  std::string line, kept;
  while (std::getline(in, line)) {
    bool varies = false;
    for (const char* key : {"seconds", "peak", "bytes_spilled", "\"output\""})
      varies = varies || line.find(key) != std::string::npos;
    if (!varies) kept += line + "\n";
  }
  return kept;
}

// The two-pass path (waiting reads spilled to scratch) gives the same file
// and the same report as the in-memory one; the scratch directory is empty
// after every way a run ends.
TEST(Cli, SpilledDecodeEqualsInMemoryDecode) {
  std::string content;
  for (int i = 0; i < 3000; ++i) content += std::to_string(i * 2246822519u) + ",";
  std::string in = Write("spill.txt", content);
  std::string pool = Dir() + "/spill.fasta", reads = Dir() + "/spill.fastq";
  ASSERT_EQ(RunDnastore("encode " + in + " -o " + pool + " -q").code, 0);
  ASSERT_EQ(RunDnastore("simulate " + pool + " -o " + reads + " --coverage 5 --seed 8 -q").code, 0);
  const std::string scratch = Dir() + "/spill_scratch";
  fs::create_directories(scratch);
  const std::string spill = " --spill-after 4K --tmp-dir " + scratch;
  auto a = RunDnastore("decode " + reads + " -o " + Dir() + "/spill_a.out --report " + Dir() +
                       "/spill_a.json -t 2");
  ASSERT_EQ(a.code, 0) << a.err;
  auto b = RunDnastore("decode " + reads + " -o " + Dir() + "/spill_b.out --report " + Dir() +
                       "/spill_b.json -t 2" + spill);
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(Read(Dir() + "/spill_a.out"), content);
  EXPECT_EQ(Read(Dir() + "/spill_b.out"), content);
  EXPECT_NE(Read(Dir() + "/spill_a.json").find("\"bytes_spilled\": 0,"), std::string::npos)
      << "the in-memory run spilled nothing";
  EXPECT_EQ(Read(Dir() + "/spill_b.json").find("\"bytes_spilled\": 0,"), std::string::npos)
      << "the spilled run spilled";
  EXPECT_EQ(StableReport(Dir() + "/spill_a.json"), StableReport(Dir() + "/spill_b.json"));
  EXPECT_TRUE(fs::is_empty(scratch));
  // Too few reads (exit 3), a truncated file (exit 2), a signal: no scratch.
  std::string sparse = Dir() + "/spill1.fastq";
  ASSERT_EQ(RunDnastore("simulate " + pool + " -o " + sparse + " --coverage 1 --seed 8 -q").code,
            0);
  EXPECT_EQ(RunDnastore("decode " + sparse + " -o " + Dir() + "/spill1.out -q" + spill).code, 3);
  const std::string text = Read(reads);
  const std::string cut = Write("spill_cut.fastq", text.substr(0, text.size() - 7));
  EXPECT_EQ(RunDnastore("decode " + cut + " -o " + Dir() + "/spill_cut.out -q" + spill).code, 2);
  EXPECT_FALSE(fs::exists(Dir() + "/spill_cut.out"));
  auto killed = RunDnastore("decode " + reads + " -o " + Dir() + "/spill_sig.out -q" + spill,
                            SignalAfter(SIGTERM, 20));
  if (killed.code != 0) EXPECT_FALSE(fs::exists(Dir() + "/spill_sig.out"));
  EXPECT_TRUE(fs::is_empty(scratch));
}

// Reads too noisy to place by index (nanopore) are clustered by minimizer
// partition within the budget: a budget that takes several groups decodes
// the same file, and the report says how many groups it took.
TEST(Cli, NoisyReadsDecodeInPartitionGroupsWithinTheBudget) {
  std::string content;
  for (int i = 0; i < 2500; ++i) content += std::to_string(i * 2654435761u) + ".";
  std::string in = Write("groups.txt", content);
  std::string pool = Dir() + "/groups.fasta", reads = Dir() + "/groups.fastq";
  ASSERT_EQ(RunDnastore("encode " + in + " -o " + pool + " -q").code, 0);
  ASSERT_EQ(RunDnastore("simulate " + pool + " -o " + reads +
                        " --preset nanopore --coverage 40 --seed 4 -q")
                .code,
            0);
  const std::string scratch = Dir() + "/groups_scratch";
  fs::create_directories(scratch);
  auto d = RunDnastore("decode " + reads + " -o " + Dir() + "/groups.out -t 2 --memory 273M " +
                       "--tmp-dir " + scratch + " --report " + Dir() + "/groups.json");
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(Read(Dir() + "/groups.out"), content);
  const std::string report = Read(Dir() + "/groups.json");
  const size_t at = report.find("\"partition_groups\": ");
  ASSERT_NE(at, std::string::npos) << report;
  EXPECT_GE(std::stoi(report.substr(at + 20)), 2) << report.substr(at, 40);
  EXPECT_NE(d.err.find("group(s) of minimizer partitions"), std::string::npos) << d.err;
  EXPECT_TRUE(fs::is_empty(scratch));
}

// Terminator-free TdT: transition-mapped pool, runs collapsed on reading.
TEST(Cli, TdtTransitionPoolDecodes) {
  std::string content(6000, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 131 + (i >> 7));
  std::string in = Write("tdt.bin", content);
  std::string pool = Dir() + "/tdt.fasta";
  ASSERT_EQ(RunDnastore("encode " + in + " -o " + pool + " --mapping transition -q").code, 0);
  std::string reads = Dir() + "/tdt.fastq";
  ASSERT_EQ(
      RunDnastore("simulate " + pool + " -o " + reads + " --preset tdt --coverage 25 --seed 2 -q")
          .code,
      0);
  std::string out = Dir() + "/tdt.out";
  auto d = RunDnastore("decode " + reads + " -o " + out);
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(Read(out), content);
}

// Deletion-heavy reads (10% per base, 30x, robust preset: the dt4dds-style
// threshold regime): the payload length is estimated from the reads and the
// header found while consensus runs, so one pass over the reads suffices.
TEST(Cli, DeletionHeavyReadsDecodeInOnePass) {
  std::string content(19000, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>((i * 7919) >> 3);
  std::string in = Write("del.bin", content);
  std::string pool = Dir() + "/del.fasta";
  ASSERT_EQ(RunDnastore("encode " + in + " -o " + pool + " --preset robust -q").code, 0);
  std::string cfg = Write("del.toml",
                          "[synthesis]\nmodel = \"none\"\n[pcr]\npolymerase = \"none\"\n"
                          "cycles = 0\n[sequencing]\nmodel = \"illumina\"\n"
                          "substitution_rate = 0\ninsertion_rate = 0\ndeletion_rate = 0.10\n"
                          "end_error_factor = 1\nrate_sigma = 0\n");
  std::string reads = Dir() + "/del.fastq";
  auto s =
      RunDnastore("simulate " + pool + " -c " + cfg + " -o " + reads + " --coverage 30 --seed 7");
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_NE(s.err.find("del 10."), std::string::npos) << s.err;
  std::string out = Dir() + "/del.out", report = Dir() + "/del.json";
  auto d = RunDnastore("decode " + reads + " -o " + out + " --report " + report);
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(Read(out), content);
  const std::string rep = Read(report);
  EXPECT_NE(rep.find("\"passes\": 1,"), std::string::npos) << rep;
}

// Each noisy channel preset: recovered at the coverage the issue targets
// (worstcase 10x, R10 20x, R9 40x), exit 3 with no output far below it.
// Primers attached after synthesis carry none of its errors (dt4dds's
// workflows): the decoder measures the payloads' errors itself. Just inside
// the physical-redundancy limit the file decodes; just outside (most
// oligos never sampled) it exits 3 and writes nothing.
TEST(Cli, AttachedPrimersAroundThePhysicalRedundancyLimit) {
  std::string content(6000, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 40503u >> 7);
  std::string in = Write("attached.bin", content);
  std::string pool = Dir() + "/attached.fasta";
  ASSERT_EQ(RunDnastore("encode " + in + " -o " + pool + " -q").code, 0);
  for (const char* preset : {"dt4dds-bestcase", "dt4dds-worstcase"}) {
    for (int pr : {50, 1}) {
      const std::string tag = std::string(preset) + "_pr" + std::to_string(pr);
      const std::string reads = Dir() + "/" + tag + ".fastq", out = Dir() + "/" + tag + ".out";
      ASSERT_EQ(
          RunDnastore("simulate " + pool + " -o " + reads + " --preset " + preset +
                      " --physical-redundancy " + std::to_string(pr) + " --coverage 30 --seed 5 -q")
              .code,
          0)
          << tag;
      auto d = RunDnastore("decode " + reads + " -o " + out + " --report " + out + ".json");
      if (pr == 50) {
        ASSERT_EQ(d.code, 0) << tag << ": " << d.err;
        EXPECT_EQ(Read(out), content) << tag;
        // The payloads, not the clean primers, set the error rate.
        EXPECT_NE(d.err.find("payloads: sub"), std::string::npos) << d.err;
      } else {
        EXPECT_EQ(d.code, 3) << tag << ": " << d.err;
        EXPECT_FALSE(fs::exists(out)) << tag;
      }
    }
  }
}

TEST(Cli, ChannelPresetsAtTheirCoverageTargets) {
  std::string content(4000, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 2654435761u >> 13);
  std::string in = Write("presets.bin", content);
  std::string pool = Dir() + "/presets.fasta";
  ASSERT_EQ(RunDnastore("encode " + in + " -o " + pool + " -q").code, 0);
  struct Case {
    const char* preset;
    int ok_coverage, fail_coverage;
  };
  for (Case c : {Case{"worstcase", 10, 1}, Case{"nanopore", 20, 1}, Case{"nanopore-r9", 40, 2}}) {
    for (int cov : {c.ok_coverage, c.fail_coverage}) {
      const std::string tag = std::string(c.preset) + "_" + std::to_string(cov);
      std::string reads = Dir() + "/" + tag + ".fastq", out = Dir() + "/" + tag + ".out";
      ASSERT_EQ(RunDnastore("simulate " + pool + " -o " + reads + " --preset " + c.preset +
                            " --coverage " + std::to_string(cov) + " --seed 3 -q")
                    .code,
                0)
          << tag;
      auto d = RunDnastore("decode " + reads + " -o " + out + " -q");
      if (cov == c.ok_coverage) {
        ASSERT_EQ(d.code, 0) << tag << ": " << d.err;
        EXPECT_EQ(Read(out), content) << tag;
      } else {
        EXPECT_EQ(d.code, 3) << tag << ": " << d.err;
        EXPECT_FALSE(fs::exists(out)) << tag;
      }
    }
  }
}
