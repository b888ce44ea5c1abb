// Decoding what is there (issue 11): reads of several archives mixed,
// primers of other lengths than the built-in pair's, reads whose primers
// were already removed. Runs the built `dnastore` binary end to end.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "tests/test_util.h"

using dnastore::testing::ReadText;
using dnastore::testing::RunDnastore;
using dnastore::testing::WriteText;

namespace {

dnastore::testing::CliResult Cli(const std::string& args) { return RunDnastore(args); }
bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Deterministic bytes of a given seed.
std::string Content(size_t n, uint32_t seed) {
  std::string s;
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    s.push_back(static_cast<char>(x >> 24));
  }
  return s;
}

// The reads of a simulate --truth table whose row `keep` accepts (fields:
// read, oligo id, oligo index, strand).
std::set<std::string> TruthReads(
    const std::string& truth,
    const std::function<bool(const std::string& oligo, const std::string& strand)>& keep) {
  std::set<std::string> out;
  std::istringstream t(ReadText(truth));
  for (std::string line; std::getline(t, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string read, oligo, index, strand;
    fields >> read >> oligo >> index >> strand;
    if (keep(oligo, strand)) out.insert(read);
  }
  return out;
}

// Calls fn(name, record lines) for each 4-line FASTQ record of `path`.
void ForEachFastq(const std::string& path,
                  const std::function<void(const std::string& name, std::string* rec)>& fn) {
  std::istringstream in(ReadText(path));
  std::string rec[4];
  while (std::getline(in, rec[0]) && std::getline(in, rec[1]) && std::getline(in, rec[2]) &&
         std::getline(in, rec[3]))
    fn(rec[0].substr(1, rec[0].find(' ') - 1), rec);
}

// The FASTQ `reads` with the reads of header oligos (truth: oligo ids "h...")
// moved to the end, after more than the decoder's first batch of records;
// with `garble`, each of those reads also gets a substitution in its middle,
// so that no single read shows a header chunk (only consensus does).
std::string HeaderReadsLast(const std::string& reads, const std::string& truth,
                            bool garble = false) {
  const std::set<std::string> header_reads = TruthReads(
      truth, [](const std::string& oligo, const std::string&) { return oligo.starts_with("h"); });
  std::string front, back;
  size_t front_records = 0;
  uint32_t n = 0;
  ForEachFastq(reads, [&](const std::string& name, std::string* rec) {
    const bool header = header_reads.count(name) > 0;
    if (header && garble) {  // a different substitution in each read: consensus undoes them
      char& b = rec[1][rec[1].size() / 4 + (n++ % (rec[1].size() / 2))];
      b = b == 'A' ? 'C' : 'A';
    }
    (header ? back : front) += rec[0] + "\n" + rec[1] + "\n" + rec[2] + "\n" + rec[3] + "\n";
    front_records += !header;
  });
  EXPECT_GT(front_records, 32768u);  // more than the first batch (payload_source.h)
  EXPECT_FALSE(back.empty());
  return WriteText(reads + ".late.fastq", front + back);
}

// The FASTQ `reads` with `fwd` bases cut from the start and `rev` from the
// end of each forward-strand read (the other way round for reverse-strand
// reads, by the truth's strand), as a pipeline that removed primers of those
// lengths would hand it over.
std::string WithoutPrimers(const std::string& reads, const std::string& truth, size_t fwd,
                           size_t rev) {
  const std::set<std::string> reverse = TruthReads(
      truth, [](const std::string&, const std::string& strand) { return strand == "-"; });
  std::string out;
  ForEachFastq(reads, [&](const std::string& name, std::string* rec) {
    const bool rc = reverse.count(name) > 0;
    const size_t front = rc ? rev : fwd, back = rc ? fwd : rev;
    if (rec[1].size() <= front + back) return;
    const size_t n = rec[1].size() - front - back;
    out += rec[0] + "\n" + rec[1].substr(front, n) + "\n+\n" + rec[3].substr(front, n) + "\n";
  });
  return WriteText(reads + ".noprimers.fastq", out);
}

class DecodeInputs : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = dnastore::testing::TestScratchDir(); }
  // A file of `n` bytes encoded with `encode_args` and sequenced (Illumina
  // preset) at `coverage`; returns the reads' path.
  std::string Reads(const std::string& name, size_t n, uint32_t seed, double coverage,
                    const std::string& encode_args = "") {
    const std::string file = WriteText(dir_ + "/" + name, Content(n, seed));
    auto r = Cli("encode " + file + " -o " + file + ".fasta -q -f " + encode_args);
    EXPECT_EQ(r.code, 0) << r.err;
    r = Cli("simulate " + file + ".fasta -o " + file + ".fastq --preset illumina --coverage " +
            std::to_string(coverage) + " --seed " + std::to_string(seed) + " -q -f");
    EXPECT_EQ(r.code, 0) << r.err;
    return file + ".fastq";
  }
  nlohmann::json Report() { return nlohmann::json::parse(ReadText(dir_ + "/report.json")); }
  std::string dir_;
};

TEST_F(DecodeInputs, MixedArchivesDecodeTheBestSupportedWhateverTheOrder) {
  const std::string a = Reads("a.bin", 12000, 1, 8);
  const std::string b = Reads("b.bin", 8000, 2, 1.5);
  const std::string ab = WriteText(dir_ + "/ab.fastq", ReadText(a) + ReadText(b));
  const std::string ba = WriteText(dir_ + "/ba.fastq", ReadText(b) + ReadText(a));
  std::string id_a, id_b;
  for (const std::string& mixed : {ab, ba}) {
    auto r = Cli("decode " + mixed + " -o " + dir_ + "/out --report " + dir_ + "/report.json -f");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(ReadText(dir_ + "/out"), ReadText(dir_ + "/a.bin"));
    EXPECT_TRUE(Contains(r.err, "other archive")) << r.err;
    EXPECT_TRUE(Contains(r.err, "'b.bin'")) << r.err;
    const nlohmann::json j = Report();
    ASSERT_EQ(j["other_archives"].size(), 1u) << j.dump(2);
    EXPECT_EQ(j["other_archives"][0]["file_name"], "b.bin");
    EXPECT_GT(j["other_archives"][0]["header_frames"].get<int>(), 0);
    id_a = j["archive"]["id"];
    id_b = j["other_archives"][0]["id"];
  }
  EXPECT_EQ(id_a.size(), 16u);
  EXPECT_NE(id_a, id_b);
  // One archive alone: no word of others.
  auto r = Cli("decode " + a + " -o " + dir_ + "/out --report " + dir_ + "/report.json -f");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(Contains(r.err, "other archive")) << r.err;
  EXPECT_TRUE(Report()["other_archives"].empty());
  EXPECT_EQ(Report()["archive"]["id"], id_a);
  // --archive by id prefix or name; one that is not there is named with those present.
  r = Cli("decode " + ab + " -o " + dir_ + "/out -f -q --archive " + id_a.substr(0, 6));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(dir_ + "/out"), ReadText(dir_ + "/a.bin"));
  r = Cli("decode " + ab + " -o " + dir_ + "/none -q --archive c.bin");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, "no archive 'c.bin'")) << r.err;
  EXPECT_TRUE(Contains(r.err, id_a) && Contains(r.err, id_b)) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/none"));
}

TEST_F(DecodeInputs, AMinorityArchiveDecodesOnceTheOthersAreSetAside) {
  // Both archives have the built-in geometry, so their data oligos share
  // indices: the majority is decoded first (written nowhere) and its frames
  // are set aside. (At 2:1 neither decodes: docs/reliability.md.)
  const std::string a = Reads("a.bin", 12000, 3, 14);
  const std::string b = Reads("b.bin", 8000, 4, 3.5);
  const std::string ab = WriteText(dir_ + "/ab.fastq", ReadText(a) + ReadText(b));
  auto r = Cli("decode " + ab + " -o " + dir_ + "/out --archive b.bin --report " + dir_ +
               "/report.json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(dir_ + "/out"), ReadText(dir_ + "/b.bin"));
  EXPECT_GT(Report()["frames"]["other_archives"].get<int>(), 0);
  EXPECT_TRUE(Contains(r.err, "set aside")) << r.err;
}

// The two files share their first 5000 bytes (one seed), as two versions
// of one file do: their first data oligos are identical, so frames set
// aside as the other archive's are this one's too.
TEST_F(DecodeInputs, MixedPoolFilesDecodeEitherArchiveInEitherOrder) {
  for (const char* name : {"a.bin", "b.bin"}) {
    const std::string file = WriteText(dir_ + "/" + name, Content(name[0] == 'a' ? 9000 : 5000, 5));
    ASSERT_EQ(Cli("encode " + file + " -o " + file + ".fasta -q").code, 0);
  }
  const std::string pa = ReadText(dir_ + "/a.bin.fasta"), pb = ReadText(dir_ + "/b.bin.fasta");
  std::string chosen;
  for (const std::string& pool : {pa + pb, pb + pa}) {
    const std::string mixed = WriteText(dir_ + "/mixed.fasta", pool);
    auto r =
        Cli("decode " + mixed + " -o " + dir_ + "/out -f -q --report " + dir_ + "/report.json");
    ASSERT_EQ(r.code, 0) << r.err;
    // One copy of each oligo: a tie, broken the same way whatever the order.
    const std::string name = Report()["archive"]["file_name"];
    if (chosen.empty()) chosen = name;
    EXPECT_EQ(name, chosen);
    for (const char* want : {"a.bin", "b.bin"}) {
      r = Cli("decode " + mixed + " -o " + dir_ + "/out -f -q --archive " + want);
      ASSERT_EQ(r.code, 0) << want << ": " << r.err;
      EXPECT_EQ(ReadText(dir_ + "/out"), ReadText(dir_ + "/" + want));
    }
  }
}

// Primer pairs of other lengths than the built-in 20 + 20 nt.
struct PrimerCase {
  std::string fwd, rev, mapping;
};
const PrimerCase kPrimerCases[] = {
    {"ACTGACGTCAGTACGA", "TGACTGCAGTCAGCTA", "direct"},                  // 16 + 16
    {"ACGTCAGTCGATGCATCGTAGCTA", "TGCATGCAGTCAGTACGATCGTAC", "direct"},  // 24 + 24
    {"ACTGACGTCAGTACGA", "TGACTGCAGTCAGCTAGCATCGATCGTAGCAT", "direct"},  // 16 + 32
    {"ACTGACGTCAGTACGATCGTAGCATGCATCAG", "TGACTGCAGTCAGCTAGCAT", "transition"},
};

TEST_F(DecodeInputs, CustomPrimersOfAnyLengthDecodeWithoutBeingGiven) {
  for (const PrimerCase& c : kPrimerCases) {
    SCOPED_TRACE(c.fwd + "," + c.rev);
    const std::string reads =
        Reads("p.bin", 6000, 7, 8, "--primers " + c.fwd + "," + c.rev + " --mapping " + c.mapping);
    auto r = Cli("decode " + reads + " -o " + dir_ + "/out -f --report " + dir_ + "/report.json");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(ReadText(dir_ + "/out"), ReadText(dir_ + "/p.bin"));
    EXPECT_EQ(Report()["archive"]["primers"][0], c.fwd);
    EXPECT_EQ(Report()["archive"]["primers"][1], c.rev);
  }
}

// Reads of the header oligos moved after the first records the decoder
// probes, as in a large pool: exact ones are found by reading further
// (one pass, reads placed by their index); garbled ones only show in
// consensus strands, so the primers must be inferred from the reads (their
// length too) before the header is found among the strands.
TEST_F(DecodeInputs, CustomPrimersOfAnyLengthWhenHeaderReadsComeLate) {
  for (const PrimerCase& c : kPrimerCases) {
    for (bool garble : {false, true}) {
      SCOPED_TRACE(c.fwd + "," + c.rev + (garble ? " garbled" : ""));
      const std::string file = WriteText(dir_ + "/late.bin", Content(20000, 11));
      auto r = Cli("encode " + file + " -o " + dir_ + "/late.fasta -q -f --primers " + c.fwd + "," +
                   c.rev + " --mapping " + c.mapping);
      ASSERT_EQ(r.code, 0) << r.err;
      r = Cli("simulate " + dir_ + "/late.fasta -o " + dir_ + "/late.fastq --truth " + dir_ +
              "/late.tsv --preset illumina --coverage 50 -q -f --seed 3");
      ASSERT_EQ(r.code, 0) << r.err;
      const std::string reads = HeaderReadsLast(dir_ + "/late.fastq", dir_ + "/late.tsv", garble);
      r = Cli("decode " + reads + " -o " + dir_ + "/out -f --report " + dir_ + "/report.json");
      ASSERT_EQ(r.code, 0) << r.err;
      EXPECT_EQ(ReadText(dir_ + "/out"), ReadText(file));
      if (garble) {
        EXPECT_GE(Report()["front_end"]["passes"].get<int>(), 2);
      } else if (c.mapping == "direct") {
        EXPECT_EQ(Report()["front_end"]["passes"].get<int>(), 1);
        EXPECT_GT(Report()["reads_placed"].get<int>(), 0);
      }
    }
  }
}

TEST_F(DecodeInputs, ReadsWithPrimersRemovedDecode) {
  struct Case {
    PrimerCase primers;
    bool give_primers, header_late;
  };
  const Case cases[] = {
      {{"CAGTGACTCAGCAGTACGTC", "GACTGCTCTGATCGAGTGAC", "direct"}, false, false},  // built-in
      {{"CAGTGACTCAGCAGTACGTC", "GACTGCTCTGATCGAGTGAC", "direct"}, false, true},
      {kPrimerCases[3], true, false},  // transition: the primer's last base matters
      {kPrimerCases[2], true, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.primers.fwd + "," + c.primers.rev + (c.header_late ? " late" : ""));
    const std::string file = WriteText(dir_ + "/np.bin", Content(20000, 13));
    auto r = Cli("encode " + file + " -o " + dir_ + "/np.fasta -q -f --primers " + c.primers.fwd +
                 "," + c.primers.rev + " --mapping " + c.primers.mapping);
    ASSERT_EQ(r.code, 0) << r.err;
    r = Cli("simulate " + dir_ + "/np.fasta -o " + dir_ + "/np.fastq --truth " + dir_ +
            "/np.tsv --preset illumina -q -f --seed 5 --coverage " + (c.header_late ? "50" : "8"));
    ASSERT_EQ(r.code, 0) << r.err;
    std::string reads = dir_ + "/np.fastq";
    if (c.header_late) reads = HeaderReadsLast(reads, dir_ + "/np.tsv");
    reads = WithoutPrimers(reads, dir_ + "/np.tsv", c.primers.fwd.size(), c.primers.rev.size());
    const std::string primers =
        c.give_primers ? " --primers " + c.primers.fwd + "," + c.primers.rev : "";
    r = Cli("decode " + reads + " -o " + dir_ + "/out -f -q" + primers);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(ReadText(dir_ + "/out"), ReadText(file));
  }
}

}  // namespace
