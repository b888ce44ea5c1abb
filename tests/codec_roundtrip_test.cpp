// Encode -> decode round trips through files, losses up to and past the
// design limit, shuffled and reverse-complemented strands (the golden pools
// are in golden_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "codec/archive_header.h"
#include "codec/archive_layout.h"
#include "codec/base_mapper.h"
#include "core/dna.h"
#include "core/rng.h"
#include "dnastore/decoder.h"
#include "dnastore/encoder.h"
#include "dnastore/seq_io.h"
#include "tests/test_util.h"

using namespace dnastore;
namespace fs = std::filesystem;

namespace {

std::string Dir() { return dnastore::testing::ScratchDir(); }

std::string WriteFile(const std::string& name, const std::string& content) {
  return dnastore::testing::WriteText(Dir() + "/" + name, content);
}

std::string ReadFile(const std::string& path) { return dnastore::testing::ReadText(path); }

using dnastore::testing::RandomBytes;

EncodeOptions Options(Mapping m = Mapping::kDirect) {
  EncodeOptions o;
  o.geometry.fwd_primer = kDefaultFwdPrimer;
  o.geometry.rev_primer = kDefaultRevPrimer;
  o.geometry.payload_nt = 150;
  o.geometry.mapping = m;
  o.redundancy = 0.176;
  o.stripe_blocks = 8;
  o.threads = 2;
  return o;
}

EncodeSummary Encode(const std::string& in, const std::string& pool, const EncodeOptions& o) {
  EncodeSummary s;
  Status st = EncodeFile(in, pool, o, nullptr, &s);
  EXPECT_TRUE(st.ok()) << st.message();
  return s;
}

Status Decode(const std::string& pool, const std::string& out, DecodeReport* r = nullptr) {
  DecodeOptions d;
  d.inputs = {pool};
  d.output_path = out;
  d.force = true;
  d.threads = 2;
  return DecodeFile(d, nullptr, r);
}

// Rewrites a pool keeping records for which keep(index, record) is true,
// optionally transforming them.
std::string FilterPool(const std::string& pool, const std::string& name,
                       const std::function<bool(size_t, SeqRecord&)>& keep, bool shuffle = false) {
  auto recs = ReadAllRecords(pool);
  EXPECT_TRUE(recs.ok());
  std::vector<SeqRecord> out;
  for (size_t i = 0; i < recs->size(); ++i) {
    SeqRecord r = (*recs)[i];
    if (keep(i, r)) out.push_back(r);
  }
  if (shuffle) {
    Rng rng(99, 0);
    for (size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[rng.Below(i)]);
  }
  std::string path = Dir() + "/" + name;
  auto w = SeqWriter::Open(path, SeqFormat::kFasta);
  for (auto& r : out) EXPECT_TRUE((*w)->Write(r).ok());
  EXPECT_TRUE((*w)->Close().ok());
  return path;
}

}  // namespace

TEST(RoundTrip, SizesAndBlockBoundaries) {
  EncodeOptions o = Options();
  // D = 34 for small files; one full stripe = 215 * 8 * 34 bytes.
  const size_t stripe = 210 * 8 * 34;
  for (size_t n : {size_t(0), size_t(1), size_t(33), size_t(34), size_t(35), stripe - 1, stripe,
                   stripe + 1, 3 * stripe + 17}) {
    std::string content = RandomBytes(n, n + 1);
    std::string in = WriteFile("in_" + std::to_string(n), content);
    std::string pool = Dir() + "/pool_" + std::to_string(n) + ".fasta";
    Encode(in, pool, o);
    std::string out = Dir() + "/out_" + std::to_string(n);
    DecodeReport r;
    Status st = Decode(pool, out, &r);
    ASSERT_TRUE(st.ok()) << n << ": " << st.message();
    EXPECT_EQ(ReadFile(out), content) << n;
    EXPECT_TRUE(r.hash_ok);
  }
}

TEST(RoundTrip, TextTransitionMappingCustomPrimersGzip) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "DNA storage line " + std::to_string(i) + "\n";
  std::string in = WriteFile("text.txt", text);
  EncodeOptions o = Options(Mapping::kTransition);
  o.geometry.fwd_primer = "ACACGACGCTCTTCCGATCT";
  o.geometry.rev_primer = "AGATCGGAAGAGCACACGTC";
  std::string pool = Dir() + "/text_pool.fasta.gz";
  EncodeSummary s = Encode(in, pool, o);
  EXPECT_GT(s.bits_per_nt_payload, 1.0);
  auto recs = ReadAllRecords(pool);
  ASSERT_TRUE(recs.ok());
  std::string err;
  auto mapper = MakeMapper(s.params.geometry, &err);
  for (const auto& r : *recs) {
    ASSERT_EQ(CheckOligoConstraints(r.seq, s.params.geometry), "") << r.seq;
    for (size_t i = 21; i < 170; ++i) ASSERT_NE(r.seq[i], r.seq[i - 1]);
  }
  std::string out = Dir() + "/text_out.txt";
  ASSERT_TRUE(Decode(pool, out).ok());
  EXPECT_EQ(ReadFile(out), text);
}

TEST(RoundTrip, EveryOligoObeysConstraints) {
  std::string in = WriteFile("zeros.bin", std::string(50000, '\0'));
  std::string pool = Dir() + "/zeros.fasta";
  EncodeSummary s = Encode(in, pool, Options());
  auto recs = ReadAllRecords(pool);
  ASSERT_TRUE(recs.ok());
  EXPECT_EQ(recs->size(), s.total_oligos);
  for (const auto& r : *recs)
    ASSERT_EQ(CheckOligoConstraints(r.seq, s.params.geometry), "") << r.name;
}

TEST(RoundTrip, ShuffledReverseComplementedAndDuplicated) {
  std::string content = RandomBytes(100000, 5);
  std::string in = WriteFile("shuf.bin", content);
  std::string pool = Dir() + "/shuf.fasta";
  Encode(in, pool, Options());
  std::string mixed = FilterPool(
      pool, "shuf_mixed.fasta",
      [](size_t i, SeqRecord& r) {
        if (i % 2) r.seq = ReverseComplement(r.seq);
        return true;
      },
      true);
  std::string out = Dir() + "/shuf.out";
  DecodeReport r;
  ASSERT_TRUE(Decode(mixed, out, &r).ok());
  EXPECT_EQ(ReadFile(out), content);
}

TEST(RoundTrip, LossUpToLimitRecoversPastLimitFailsCleanly) {
  std::string content = RandomBytes(200000, 6);
  std::string in = WriteFile("loss.bin", content);
  std::string pool = Dir() + "/loss.fasta";
  EncodeSummary s = Encode(in, pool, Options());
  // Slot of an oligo within its codeword, and that codeword's parity count.
  ArchiveLayout layout(s.params);
  auto slot_of = [&](const SeqRecord& r) -> std::pair<int, int> {
    if (r.name[0] != 'd') return {-1, 0};
    uint64_t index = std::stoull(r.name.substr(1));
    StripeLayout st = layout.Stripe(layout.StripeOf(index));
    return {static_cast<int>((index - st.first_index) / st.blocks), st.p};
  };
  std::string at_limit = FilterPool(pool, "loss_limit.fasta", [&](size_t, SeqRecord& r) {
    auto [slot, p] = slot_of(r);  // drop p data oligos of every codeword
    return slot < 0 || slot >= p;
  });
  std::string out = Dir() + "/loss.out";
  DecodeReport r;
  Status st = Decode(at_limit, out, &r);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(ReadFile(out), content);
  EXPECT_EQ(r.min_parity_margin, 0);
  // One more per codeword -> exit 3 semantics, no output file, ranges reported.
  std::string past = FilterPool(pool, "loss_past.fasta", [&](size_t, SeqRecord& r) {
    auto [slot, p] = slot_of(r);
    return slot < 0 || slot > p;
  });
  std::string out2 = Dir() + "/loss_past.out";
  DecodeReport r2;
  st = Decode(past, out2, &r2);
  EXPECT_EQ(st.code(), ErrorCode::kUnrecoverable);
  EXPECT_FALSE(fs::exists(out2));
  EXPECT_FALSE(r2.missing.empty());
  // 10% random loss: recovered.
  Rng rng(7, 7);
  std::string random_loss = FilterPool(pool, "loss_random.fasta", [&](size_t, SeqRecord& r) {
    return r.name[0] == 'h' || !rng.Bernoulli(0.10);
  });
  st = Decode(random_loss, out, &r);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(ReadFile(out), content);
}

TEST(RoundTrip, HeaderLossAndGarbage) {
  std::string content = RandomBytes(5000, 8);
  std::string in = WriteFile("hdr.bin", content);
  std::string pool = Dir() + "/hdr.fasta";
  Encode(in, pool, Options());
  // Lose 7 of 8 header copies: still decodes.
  std::string some = FilterPool(pool, "hdr_some.fasta", [](size_t, SeqRecord& r) {
    return r.name[0] != 'h' || r.name.ends_with(".3");
  });
  std::string out = Dir() + "/hdr.out";
  ASSERT_TRUE(Decode(some, out).ok());
  EXPECT_EQ(ReadFile(out), content);
  // Lose every header oligo: clean error, exit-3 category, no output.
  std::string none =
      FilterPool(pool, "hdr_none.fasta", [](size_t, SeqRecord& r) { return r.name[0] != 'h'; });
  std::string out2 = Dir() + "/hdr_none.out";
  Status st = Decode(none, out2);
  EXPECT_EQ(st.code(), ErrorCode::kUnrecoverable);
  EXPECT_FALSE(fs::exists(out2));
}

TEST(RoundTrip, RefusesToOverwriteWithoutForce) {
  std::string content = RandomBytes(1000, 9);
  std::string in = WriteFile("ow.bin", content);
  std::string pool = Dir() + "/ow.fasta";
  Encode(in, pool, Options());
  std::string out = WriteFile("ow.out", "keep me");
  DecodeOptions d;
  d.inputs = {pool};
  d.output_path = out;
  Status st = DecodeFile(d, nullptr, nullptr);
  EXPECT_EQ(st.code(), ErrorCode::kIo);
  EXPECT_EQ(ReadFile(out), "keep me");
}

TEST(RoundTrip, DeterministicAcrossThreads) {
  std::string in = WriteFile("det.bin", RandomBytes(300000, 10));
  EncodeOptions o = Options();
  o.threads = 1;
  Encode(in, Dir() + "/det1.fasta", o);
  o.threads = 2;
  Encode(in, Dir() + "/det2.fasta", o);
  EXPECT_EQ(ReadFile(Dir() + "/det1.fasta"), ReadFile(Dir() + "/det2.fasta"));
}

// A crafted header claiming a huge file: rejected by what the format can
// address, or (when its index field could address it) by what the input can
// hold, before the decoder allocates anything for the claimed oligos.
TEST(HostileHeader, HugeClaimedSizeIsRejectedBeforeAllocating) {
  auto plan = PlanArchive(EncodeOptions{}, 1000);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ArchiveParams p = *plan;
  p.file_name = "x";
  p.file_size = uint64_t{1} << 40;
  auto parsed = ParseHeader(SerializeHeader(p));
  EXPECT_EQ(parsed.status().code(), ErrorCode::kBadInput);
  EXPECT_NE(parsed.status().message().find("does not fit"), std::string::npos)
      << parsed.status().message();

  // Consistent index width, so only the input can tell: 2^40 bytes in a
  // 48-bit index, written as a pool of header oligos alone.
  p.index_bits = 48;
  p.data_bytes = 20;
  ASSERT_TRUE(ParseHeader(SerializeHeader(p)).ok());
  std::string err;
  auto mapper = MakeMapper(p.geometry, &err);
  ASSERT_TRUE(mapper) << err;
  auto oligos = HeaderOligos(p, *mapper);
  ASSERT_TRUE(oligos.ok());
  std::string fasta;
  for (size_t i = 0; i < oligos->size(); ++i)
    fasta += ">h" + std::to_string(i) + "\n" + (*oligos)[i] + "\n";
  const std::string dir = dnastore::testing::TestScratchDir();
  DecodeOptions d;
  d.inputs = {dnastore::testing::WriteText(dir + "/huge_claim.fasta", fasta)};
  d.output_path = dir + "/never";
  DecodeReport report;
  Status st = DecodeFile(d, nullptr, &report);
  EXPECT_EQ(st.code(), ErrorCode::kUnrecoverable) << st.message();
  EXPECT_NE(st.message().find("bytes of input can hold"), std::string::npos) << st.message();
  EXPECT_FALSE(fs::exists(dir + "/never"));
}

// The report's counters agree with each other, on success and on failure.
TEST(ReportCounters, AgreeWithEachOther) {
  const std::string dir = dnastore::testing::TestScratchDir();
  DecodeOptions d;
  d.inputs = {std::string(DNASTORE_TEST_DATA_DIR) + "/golden_v1_reads.fastq.gz"};
  d.output_path = dir + "/golden.out";
  DecodeReport ok;
  ASSERT_TRUE(DecodeFile(d, nullptr, &ok).ok());
  EXPECT_EQ(ok.codewords, 1u);
  // The one strand with an error has more doubtful bases than a repair
  // tries: the outer code corrects it.
  EXPECT_EQ(ok.frames_repaired, 0u);
  EXPECT_EQ(ok.columns_with_errors, 1u);  // codewords, not byte columns
  EXPECT_EQ(ok.erasures, 3u);
  EXPECT_EQ(ok.min_parity_margin, 8 - 3 - 2);  // one error costs two parity symbols

  // A clean pool with one oligo garbled (no confidences to repair it by):
  // the outer code corrects it.
  auto all = ReadAllRecords(std::string(DNASTORE_TEST_DATA_DIR) + "/golden_v1_direct.fasta");
  ASSERT_TRUE(all.ok());
  std::string garbled;
  for (size_t i = 0; i < all->size(); ++i) {
    std::string seq = (*all)[i].seq;
    if (i + 1 == all->size())
      for (size_t at : {40, 41, 42}) seq[at] = seq[at] == 'A' ? 'C' : 'A';
    garbled += ">" + (*all)[i].name + "\n" + seq + "\n";
  }
  d.inputs = {dnastore::testing::WriteText(dir + "/garbled.fasta", garbled)};
  d.output_path = dir + "/garbled.out";
  DecodeReport fixed;
  ASSERT_TRUE(DecodeFile(d, nullptr, &fixed).ok());
  EXPECT_EQ(fixed.codewords, 1u);
  EXPECT_EQ(fixed.columns_with_errors, 1u);  // codewords, not byte columns
  EXPECT_EQ(fixed.frames_repaired, 0u);
  EXPECT_EQ(fixed.min_parity_margin, 8 - 2);  // one error costs two parity symbols

  // Too few oligos: nothing is filled, nothing to spare.
  std::string fasta;
  for (size_t i = 0; i < all->size(); ++i)
    if (i < 20 || i % 2 == 0) fasta += ">" + (*all)[i].name + "\n" + (*all)[i].seq + "\n";
  d.inputs = {dnastore::testing::WriteText(dir + "/half.fasta", fasta)};
  d.output_path = dir + "/half.out";
  DecodeReport bad;
  EXPECT_EQ(DecodeFile(d, nullptr, &bad).code(), ErrorCode::kUnrecoverable);
  EXPECT_EQ(bad.codewords_failed, bad.codewords);
  EXPECT_LE(bad.columns_with_errors, bad.codewords);
  EXPECT_EQ(bad.erasures, 0u);
  EXPECT_EQ(bad.min_parity_margin, 0);
}

// Adapters longer than the default primer search slack: junk by default,
// decoded with a wider slack.
TEST(RoundTrip, LongAdaptersDecodeWithAWiderPrimerSlack) {
  auto reads = ReadAllRecords(std::string(DNASTORE_TEST_DATA_DIR) + "/golden_v1_reads.fastq.gz");
  ASSERT_TRUE(reads.ok());
  Rng rng(7, 0);
  std::string fastq;
  for (const SeqRecord& r : *reads) {
    std::string adapter;
    for (int i = 0; i < 40; ++i) adapter += "ACGT"[rng.Below(4)];
    fastq += "@" + r.name + "\n" + adapter + r.seq + "\n+\n" + std::string(40, 'I') + r.qual + "\n";
  }
  const std::string dir = dnastore::testing::TestScratchDir();
  DecodeOptions d;
  d.inputs = {dnastore::testing::WriteText(dir + "/adapters.fq", fastq)};
  d.output_path = dir + "/out";
  DecodeReport report;
  EXPECT_EQ(DecodeFile(d, nullptr, &report).code(), ErrorCode::kUnrecoverable);
  d.primer_search_slack_nt = 60;
  Status st = DecodeFile(d, nullptr, &report);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(ReadFile(dir + "/out"),
            ReadFile(std::string(DNASTORE_TEST_DATA_DIR) + "/golden_v1_content.txt"));
}

// Junk reads that carry valid primers: found to hold no archive in a bounded
// number of passes (once known primers matched, inferring others is skipped).
TEST(HostileReads, JunkWithValidPrimersCostsAtMostTwoPasses) {
  Rng rng(3, 0);
  const std::string fwd = kDefaultFwdPrimer, rev_rc = ReverseComplement(kDefaultRevPrimer);
  std::string fastq;
  for (int i = 0; i < 3000; ++i) {
    std::string s = fwd;
    for (int j = 0; j < 150; ++j) s += "ACGT"[rng.Below(4)];
    s += rev_rc;
    fastq += "@j" + std::to_string(i) + "\n" + s + "\n+\n" + std::string(s.size(), 'I') + "\n";
  }
  const std::string dir = dnastore::testing::TestScratchDir();
  DecodeOptions d;
  d.inputs = {dnastore::testing::WriteText(dir + "/junk.fq", fastq)};
  d.output_path = dir + "/out";
  DecodeReport report;
  EXPECT_EQ(DecodeFile(d, nullptr, &report).code(), ErrorCode::kUnrecoverable);
  EXPECT_LE(report.front_end_passes, 2);
  EXPECT_FALSE(fs::exists(dir + "/out"));
}
