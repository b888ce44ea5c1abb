// The store of reads that wait for a second look (reads/deferred_reads.h):
// packing against a per-base twin, order across spills, and the errors of
// a missing or full scratch disk.
#include "reads/deferred_reads.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/dna.h"
#include "core/io_env.h"
#include "core/rng.h"
#include "dnastore/read_front_end.h"
#include "tests/fault_io_env.h"
#include "tests/front_end_test_util.h"

using namespace dnastore;

namespace {

// What a read becomes through the store, base by base (the twin of
// Pack/Unpack): upper-case ACGT keep their quality capped at kMaxQuality,
// anything else is N at kNQuality.
PayloadRead Expected(const std::string& seq, const std::string& qual) {
  PayloadRead r;
  for (size_t i = 0; i < seq.size(); ++i) {
    const int code = BaseCode(seq[i]);
    r.seq.push_back(code < 0 ? 'N' : kBases[code]);
    if (qual.empty()) continue;
    const int q = std::clamp(qual[i] - 33, 0, DeferredReads::kMaxQuality);
    r.qual.push_back(static_cast<char>(33 + (code < 0 ? DeferredReads::kNQuality : q)));
  }
  return r;
}

struct Reads {
  std::vector<std::string> seqs, quals;
};

Reads RandomReads(uint64_t seed, int n) {
  Rng rng(seed, 1);
  const std::string bases = "ACGTACGTACGTacgtNRY";
  Reads r;
  for (int i = 0; i < n; ++i) {
    const size_t len = rng.Below(300);
    std::string s, q;
    for (size_t j = 0; j < len; ++j) {
      s.push_back(bases[rng.Below(bases.size())]);
      q.push_back(static_cast<char>(33 + rng.Below(94)));
    }
    if (i % 7 == 3) q.clear();  // FASTA: no qualities
    r.seqs.push_back(s);
    r.quals.push_back(q);
  }
  return r;
}

std::vector<PayloadRead> DrainAll(DeferredReads& store, size_t batch, Status* st) {
  std::vector<PayloadRead> out;
  *st = store.Drain(batch, [&](std::vector<PayloadRead>&& b) {
    EXPECT_LE(b.size(), batch);
    for (auto& r : b) out.push_back(std::move(r));
    return Status::Ok();
  });
  return out;
}

class DeferredReadsScratch : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("deferred_reads_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  bool Empty() const { return std::filesystem::is_empty(dir_); }
  std::filesystem::path dir_;
};

TEST(DeferredReads, PackMatchesPerBaseTwin) {
  const Reads in = RandomReads(1, 500);
  for (size_t i = 0; i < in.seqs.size(); ++i) {
    std::vector<uint8_t> packed;
    DeferredReads::Pack(in.seqs[i], in.quals[i], &packed);
    PayloadRead got;
    const uint8_t* end = DeferredReads::Unpack(packed.data(), packed.data() + packed.size(), &got);
    ASSERT_EQ(end, packed.data() + packed.size());
    const PayloadRead want = Expected(in.seqs[i], in.quals[i]);
    EXPECT_EQ(got.seq, want.seq);
    EXPECT_EQ(got.qual, want.qual);
    // A truncated record is refused, never read past its end.
    if (!packed.empty())
      EXPECT_EQ(DeferredReads::Unpack(packed.data(), packed.data() + packed.size() - 1, &got),
                nullptr);
  }
}

TEST_F(DeferredReadsScratch, SpilledReadsComeBackInOrderAndTheScratchIsGone) {
  const Reads in = RandomReads(2, 20000);
  for (uint64_t limit : {uint64_t{0}, uint64_t{1} << 16}) {
    DeferredReads store(limit, dir_.string());
    for (size_t i = 0; i < in.seqs.size(); ++i)
      ASSERT_TRUE(store.Add(in.seqs[i], in.quals[i]).ok());
    EXPECT_EQ(store.reads(), in.seqs.size());
    EXPECT_EQ(store.bytes_spilled() > 0, limit > 0);
    if (limit > 0) EXPECT_LE(store.peak_memory_bytes(), limit + limit / 4);
    EXPECT_TRUE(Empty()) << "the scratch file is unlinked at creation";
    Status st;
    const std::vector<PayloadRead> out = DrainAll(store, 777, &st);
    ASSERT_TRUE(st.ok()) << st.message();
    ASSERT_EQ(out.size(), in.seqs.size());
    for (size_t i = 0; i < out.size(); ++i) {
      const PayloadRead want = Expected(in.seqs[i], in.quals[i]);
      ASSERT_EQ(out[i].seq, want.seq) << "read " << i << " limit " << limit;
      ASSERT_EQ(out[i].qual, want.qual);
    }
    EXPECT_EQ(store.reads(), 0u);
  }
}

// A tagged store hands each read back with its tag, spilled or not.
TEST_F(DeferredReadsScratch, TagsComeBackWithTheirReads) {
  const Reads in = RandomReads(3, 5000);
  for (uint64_t limit : {uint64_t{0}, uint64_t{1} << 14}) {
    DeferredReads store(limit, dir_.string(), true);
    uint64_t bases = 0;
    for (size_t i = 0; i < in.seqs.size(); ++i) {
      ASSERT_TRUE(store.Add(in.seqs[i], in.quals[i], (uint64_t{1} << 40) + 3 * i).ok());
      bases += in.seqs[i].size();
    }
    EXPECT_EQ(store.bases(), bases);
    EXPECT_EQ(store.bytes_spilled() > 0, limit > 0);
    size_t n = 0;
    Status st =
        store.DrainTagged(333, [&](std::vector<PayloadRead>&& batch, std::vector<uint64_t>&& tags) {
          EXPECT_EQ(batch.size(), tags.size());
          for (size_t i = 0; i < batch.size(); ++i, ++n) {
            EXPECT_EQ(tags[i], (uint64_t{1} << 40) + 3 * n);
            EXPECT_EQ(batch[i].seq, Expected(in.seqs[n], in.quals[n]).seq);
          }
          return Status::Ok();
        });
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(n, in.seqs.size());
    EXPECT_EQ(store.bases(), 0u);
  }
}

TEST_F(DeferredReadsScratch, DrainStopsAtTheCallersError) {
  DeferredReads store(0, dir_.string());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store.Add("ACGT", "IIII").ok());
  int calls = 0;
  Status st = store.Drain(10, [&](std::vector<PayloadRead>&&) {
    return ++calls == 2 ? IoError("stop") : Status::Ok();
  });
  EXPECT_EQ(st.message(), "stop");
  EXPECT_EQ(calls, 2);
}

TEST(DeferredReads, MissingDeferredReadsScratchectoryIsAnIoErrorNamingIt) {
  DeferredReads store(1 << 12, "/nonexistent/scratch");
  Status st;
  for (int i = 0; i < 1000 && st.ok(); ++i) st = store.Add(std::string(150, 'A'), "");
  EXPECT_EQ(st.code(), ErrorCode::kIo);
  EXPECT_NE(st.message().find("/nonexistent/scratch"), std::string::npos) << st.message();
}

TEST_F(DeferredReadsScratch, FullScratchDiskIsAnIoError) {
  dnastore::testing::FaultIoEnv env(dir_.string());
  ScopedIoEnv scoped(&env);
  env.Arm(dnastore::testing::FaultIoEnv::kWrite, 3, dnastore::testing::FaultIoEnv::Fault::kNoSpace);
  DeferredReads store(1 << 12, dir_.string());
  Status st;
  for (int i = 0; i < 10000 && st.ok(); ++i) st = store.Add(std::string(150, 'C'), "");
  EXPECT_TRUE(env.fired());
  EXPECT_EQ(st.code(), ErrorCode::kIo);
  EXPECT_NE(st.message().find("No space"), std::string::npos) << st.message();
}

}  // namespace

// Partitioned clustering (FrontEndOptions::cluster_memory_bytes) spills
// through the same scratch files: a full disk is an I/O error, not a crash
// or a short result.
TEST_F(DeferredReadsScratch, FullDiskWhilePartitioningIsAnIoError) {
  dnastore::testing::PoolSpec spec;
  spec.oligos = 300;
  const auto pool = dnastore::testing::MakePool(spec);
  FrontEndOptions o;
  o.fwd_primer = dnastore::testing::kTestFwd;
  o.rev_primer = dnastore::testing::kTestRev;
  o.payload_nt = 150;
  o.batch_reads = 500;
  o.cluster_memory_bytes = 1 << 16;
  o.scratch_dir = dir_.string();
  dnastore::testing::FaultIoEnv env(dir_.string());
  ScopedIoEnv scoped(&env);
  env.Arm(dnastore::testing::FaultIoEnv::kWrite, 5, dnastore::testing::FaultIoEnv::Fault::kNoSpace);
  std::vector<Strand> strands;
  Status st = ReconstructStrandsFromReads(pool.reads, o, &strands, nullptr);
  EXPECT_TRUE(env.fired());
  EXPECT_EQ(st.code(), ErrorCode::kIo);
  EXPECT_NE(st.message().find("No space"), std::string::npos) << st.message();
  EXPECT_TRUE(Empty()) << "scratch files are unlinked at creation";
}
