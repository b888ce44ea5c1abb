// Archive format v2 (docs/format_v2.md, experimental): the product-block
// layout against a brute-force enumeration, the header round trip, encode ->
// decode across block shapes, losses at and past the product code's limit,
// and wrong frames corrected as errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <set>

#include "codec/archive_header.h"
#include "codec/archive_layout.h"
#include "core/dna.h"
#include "core/rng.h"
#include "dnastore/decoder.h"
#include "dnastore/encoder.h"
#include "dnastore/seq_io.h"
#include "tests/test_util.h"

using namespace dnastore;
namespace fs = std::filesystem;

namespace {

std::string Path(const std::string& name) { return dnastore::testing::ScratchPath(name); }

using dnastore::testing::RandomBytes;

EncodeOptions V2Options(double redundancy = 0.2) {
  EncodeOptions o;
  o.format_version = kFormatVersion2;
  o.redundancy = redundancy;
  o.header_copies = 4;
  o.threads = 2;
  return o;
}

Status Decode(const std::string& pool, const std::string& out, DecodeReport* r) {
  DecodeOptions d;
  d.inputs = {pool};
  d.output_path = out;
  d.force = true;
  d.threads = 2;
  return DecodeFile(d, nullptr, r);
}

// Encodes `content` as v2 to `name`.fasta; returns the summary.
EncodeSummary EncodeV2(const std::string& content, const std::string& name,
                       const EncodeOptions& o) {
  const std::string in = dnastore::testing::WriteText(Path(name + ".bin"), content);
  EncodeSummary s;
  Status st = EncodeFile(in, Path(name + ".fasta"), o, nullptr, &s);
  EXPECT_TRUE(st.ok()) << st.message();
  return s;
}

// Rewrites a pool keeping the records keep() accepts (it may edit them).
std::string FilterPool(const std::string& pool, const std::string& name,
                       const std::function<bool(SeqRecord&)>& keep) {
  auto recs = ReadAllRecords(pool);
  EXPECT_TRUE(recs.ok());
  const std::string path = Path(name);
  auto w = SeqWriter::Open(path, SeqFormat::kFasta);
  for (SeqRecord r : *recs)
    if (keep(r)) EXPECT_TRUE((*w)->Write(r).ok());
  EXPECT_TRUE((*w)->Close().ok());
  return path;
}

// Block position (block, row, slot) of every data and parity oligo index.
struct Position {
  uint64_t block;
  int row, slot;
};
std::map<uint64_t, Position> Positions(const ArchiveParams& p) {
  ProductLayout layout(p);
  std::map<uint64_t, Position> at;
  for (uint64_t b = 0; b < layout.num_blocks(); ++b) {
    const ProductBlock blk = layout.Block(b);
    for (int r = 0; r < blk.rows; ++r)
      for (int s = 0; s < blk.slots; ++s)
        if (int64_t i = blk.IndexAt(r, s); i >= 0) at[static_cast<uint64_t>(i)] = {b, r, s};
  }
  return at;
}

}  // namespace

// Every oligo index names exactly one block position, data frames in stream
// order, for single-row, multi-row and multi-block shapes.
TEST(FormatV2, LayoutIndexesEveryPositionOnce) {
  for (uint64_t size : {1ull, 1000ull, 19000ull, 300000ull, 5000000ull}) {
    EncodeOptions o = V2Options(0.08);
    auto planned = PlanArchive(o, size);
    ASSERT_TRUE(planned.ok()) << planned.status().message();
    const ArchiveParams& p = *planned;
    ProductLayout layout(p);
    const auto at = Positions(p);
    ASSERT_EQ(at.size(), layout.total_oligos()) << size;
    EXPECT_EQ(at.rbegin()->first + 1, layout.total_oligos()) << size;  // 0..total-1
    EXPECT_EQ(layout.data_oligos(), (size + p.data_bytes - 1) / p.data_bytes);
    EXPECT_EQ(ArchiveLayout(p).total_oligos(), layout.total_oligos());
    EXPECT_LT(layout.total_oligos(), uint64_t{1} << p.index_bits);
    for (uint64_t i = 0; i < layout.data_oligos(); ++i) {  // stream order
      const Position& pos = at.at(i);
      const ProductBlock blk = layout.Block(pos.block);
      ASSERT_LT(pos.slot, blk.data_slots);
      ASSERT_EQ(blk.first_data + static_cast<uint64_t>(pos.row) * blk.data_slots + pos.slot, i);
    }
    // Parity share close to what was asked for (small files pay a floor).
    const double parity = 1.0 - static_cast<double>(layout.data_oligos()) / layout.total_oligos();
    if (size >= 300000) EXPECT_NEAR(parity, 0.08, 0.02) << size;
  }
}

TEST(FormatV2, HeaderRoundTripAndVersionCheck) {
  auto planned = PlanArchive(V2Options(), 300000);
  ASSERT_TRUE(planned.ok());
  ArchiveParams p = *planned;
  p.file_name = "v2.bin";
  p.hash[5] = 9;
  std::vector<uint8_t> bytes = SerializeHeader(p);
  auto back = ParseHeader(bytes);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->version, kFormatVersion2);
  EXPECT_EQ(back->data_rows, p.data_rows);
  EXPECT_EQ(back->row_parity, p.row_parity);
  EXPECT_EQ(back->rs_k, p.rs_k);
  EXPECT_EQ(back->rs_p, p.rs_p);
  EXPECT_EQ(back->file_name, "v2.bin");
  EXPECT_EQ(SerializeHeader(*back), bytes);
  bytes[4] = 3;  // an unknown version is refused by name
  auto bad = ParseHeader(bytes);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("version 3"), std::string::npos);
}

TEST(FormatV2, RoundTripAcrossBlockShapes) {
  for (size_t n : {size_t(0), size_t(1), size_t(33), size_t(1000), size_t(19000), size_t(250000),
                   size_t(2300000)}) {
    const std::string content = RandomBytes(n, n + 3);
    const std::string name = "v2_rt_" + std::to_string(n);
    EncodeSummary s = EncodeV2(content, name, V2Options(0.08));
    EXPECT_EQ(s.params.version, kFormatVersion2);
    DecodeReport r;
    Status st = Decode(Path(name + ".fasta"), Path(name + ".out"), &r);
    ASSERT_TRUE(st.ok()) << n << ": " << st.message();
    EXPECT_EQ(dnastore::testing::ReadText(Path(name + ".out")), content) << n;
    EXPECT_TRUE(r.hash_ok);
  }
}

// A full product block: rows that lose exactly their slot parity decode on
// their own; a rectangle of (row parity + 1) x (slot parity + 1) losses is
// past any product code's limit: exit 3, nothing written, ranges reported.
TEST(FormatV2, LossAtLimitRecoversPastLimitFailsCleanly) {
  const std::string content = RandomBytes(400000, 11);
  EncodeSummary s = EncodeV2(content, "v2_loss", V2Options(0.12));
  const ArchiveParams& p = s.params;
  ASSERT_GT(p.row_parity, 0);
  const auto at = Positions(p);
  auto position = [&](const SeqRecord& r) -> const Position* {
    if (r.name[0] != 'd') return nullptr;
    return &at.at(std::stoull(r.name.substr(1)));
  };
  const std::string pool = Path("v2_loss.fasta");
  // Every row loses its first rs_p slots (data or parity alike).
  const std::string at_limit = FilterPool(pool, "v2_loss_limit.fasta", [&](SeqRecord& r) {
    const Position* pos = position(r);
    return !pos || pos->slot >= p.rs_p;
  });
  DecodeReport r;
  Status st = Decode(at_limit, Path("v2_loss_limit.out"), &r);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(dnastore::testing::ReadText(Path("v2_loss_limit.out")), content);
  EXPECT_EQ(r.codewords_failed, 0u);
  // A stopping set in block 0: rows and slots 0..parity.
  const std::string past = FilterPool(pool, "v2_loss_past.fasta", [&](SeqRecord& r) {
    const Position* pos = position(r);
    return !pos || pos->block != 0 || pos->row > p.row_parity || pos->slot > p.rs_p;
  });
  DecodeReport r2;
  st = Decode(past, Path("v2_loss_past.out"), &r2);
  EXPECT_EQ(st.code(), ErrorCode::kUnrecoverable) << st.message();
  EXPECT_FALSE(fs::exists(Path("v2_loss_past.out")));
  EXPECT_FALSE(r2.missing.empty());
  EXPECT_EQ(r2.codewords_failed, 1u);
}

// Wrong bases in some strands (frames failing their CRC, kept as suspects)
// plus random loss: the product code corrects errors and fills erasures.
TEST(FormatV2, SuspectFramesAndLossDecode) {
  const std::string content = RandomBytes(250000, 12);
  EncodeV2(content, "v2_err", V2Options(0.08));
  Rng rng(5, 5);
  const std::string noisy =
      FilterPool(Path("v2_err.fasta"), "v2_err_noisy.fasta", [&](SeqRecord& r) {
        if (r.name[0] != 'd') return true;
        if (rng.Bernoulli(0.02)) return false;
        if (rng.Bernoulli(0.03)) {
          const size_t pos = 20 + rng.Below(150);
          r.seq[pos] = kBases[(BaseCode(r.seq[pos]) + 1 + rng.Below(3)) & 3];
        }
        return true;
      });
  DecodeReport r;
  Status st = Decode(noisy, Path("v2_err.out"), &r);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(dnastore::testing::ReadText(Path("v2_err.out")), content);
  EXPECT_GT(r.suspect_frames_used, 0u);
}

// The command line: `encode --format 2` says what it wrote (JSON), decode
// reports the format, and a format this build does not write is a usage
// error (exit 1, as every usage error) with nothing written.
TEST(FormatV2, CommandLine) {
  using dnastore::testing::RunDnastore;
  const std::string in = dnastore::testing::WriteText(Path("v2_cli.bin"), RandomBytes(30000, 21));
  const std::string pool = Path("v2_cli.fasta");
  auto enc = RunDnastore("encode " + in + " -o " + pool +
                         " --format 2 --redundancy 0.1 -q --force --json " + Path("v2_cli.json"));
  ASSERT_EQ(enc.code, 0) << enc.err;
  const std::string json = dnastore::testing::ReadText(Path("v2_cli.json"));
  EXPECT_NE(json.find("\"format_version\": 2"), std::string::npos) << json;
  EXPECT_NE(json.find("\"column_n\""), std::string::npos) << json;
  auto dec = RunDnastore("decode " + pool + " -o " + Path("v2_cli.out") + " -q --force --report " +
                         Path("v2_cli_report.json"));
  ASSERT_EQ(dec.code, 0) << dec.err;
  EXPECT_EQ(dnastore::testing::ReadText(Path("v2_cli.out")), dnastore::testing::ReadText(in));
  EXPECT_NE(dnastore::testing::ReadText(Path("v2_cli_report.json")).find("\"format_version\": 2"),
            std::string::npos);
  const std::string other = Path("v2_cli_bad.fasta");
  auto bad = RunDnastore("encode " + in + " -o " + other + " --format 3 -q");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("--format"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(other));
}
