// Reads placed by their index (codec/index_votes.h): exact reads vote, and
// noisy copies of placed frames (substitutions, indels) are dropped before
// clustering, while copies of frames nobody placed are kept.
#include "codec/index_votes.h"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "codec/archive_layout.h"
#include "codec/data_frame.h"
#include "codec/inner_decode.h"
#include "codec/slot_store.h"
#include "core/dna.h"
#include "core/file_util.h"
#include "core/rng.h"

using namespace dnastore;

namespace {

constexpr uint64_t kOligos = 64;
constexpr uint64_t kNeverPlaced = 10;

class IndexVotesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    p_.geometry.fwd_primer = kDefaultFwdPrimer;
    p_.geometry.rev_primer = kDefaultRevPrimer;
    p_.geometry.payload_nt = 150;
    p_.geometry.mapping = Mapping::kDirect;
    p_.rs_k = 50;
    p_.rs_p = 14;
    p_.stripe_blocks = 1;
    p_.file_size = 1 << 12;
    std::string err;
    mapper_ = MakeMapper(p_.geometry, &err);
    ASSERT_TRUE(mapper_) << err;
    ASSERT_TRUE(ChooseFrameLayout(p_, mapper_->body_bits()).ok());
    Rng rng(14, 1);
    for (uint64_t i = 0; i < kOligos; ++i) {
      std::vector<uint8_t> data(p_.data_bytes), frame(kMaxFrameBytes + 8, 0);
      for (auto& b : data) b = static_cast<uint8_t>(rng.Next());
      PackDataFrame(p_, i, data.data(), frame.data());
      std::string oligo;
      ASSERT_TRUE(mapper_->Map(frame.data(), FrameKind::kData, &oligo));
      payloads_.push_back(oligo.substr(p_.geometry.fwd_primer.size(), 150));
    }
    votes_ = std::make_unique<IndexVotes>(p_, *mapper_, kOligos, headers_, false);
    for (uint64_t i = 0; i < kOligos; ++i)
      if (i != kNeverPlaced) {
        ASSERT_TRUE(votes_->Offer(payloads_[i]));
      }
  }

  // Payload i with base `at` deleted.
  std::string Deleted(uint64_t i, size_t at) const {
    std::string s = payloads_[i];
    return s.erase(at, 1);
  }
  static std::string Substituted(std::string s, size_t at) {
    s[at] = s[at] == 'A' ? 'C' : 'A';
    return s;
  }

  // The payload of a frame at index i with `seed`'s random data.
  std::string OtherPayload(uint64_t i, uint64_t seed) const {
    Rng rng(seed, i);
    std::vector<uint8_t> data(p_.data_bytes), frame(kMaxFrameBytes + 8, 0);
    for (auto& b : data) b = static_cast<uint8_t>(rng.Next());
    PackDataFrame(p_, i, data.data(), frame.data());
    std::string oligo;
    EXPECT_TRUE(mapper_->Map(frame.data(), FrameKind::kData, &oligo));
    return oligo.substr(p_.geometry.fwd_primer.size(), 150);
  }

  ArchiveParams p_;
  std::unique_ptr<PayloadMapper> mapper_;
  HeaderPayloads headers_;
  std::vector<std::string> payloads_;
  std::unique_ptr<IndexVotes> votes_;
};

TEST_F(IndexVotesTest, IndelCopiesOfPlacedFramesAreDroppedAfterSeal) {
  const std::string middle = Deleted(5, 70), early = Deleted(6, 3), late = Deleted(7, 140);
  std::string inserted = payloads_[8];
  inserted.insert(90, "G");
  EXPECT_FALSE(votes_->Offer(middle));
  EXPECT_FALSE(votes_->Covers(middle)) << "ends are indexed only by Seal";
  tbb::task_arena arena(2);
  arena.execute([&] { votes_->Seal(); });
  EXPECT_TRUE(votes_->Covers(middle));
  EXPECT_TRUE(votes_->Covers(early)) << "its last bases still match";
  EXPECT_TRUE(votes_->Covers(late)) << "its first bases still match";
  EXPECT_TRUE(votes_->Covers(inserted));
  EXPECT_TRUE(votes_->Covers(Substituted(Substituted(payloads_[9], 60), 100)));
}

TEST_F(IndexVotesTest, CopiesOfUnplacedFramesAndStrangersAreKept) {
  tbb::task_arena arena(1);
  arena.execute([&] { votes_->Seal(); });
  EXPECT_FALSE(votes_->Covers(Deleted(kNeverPlaced, 70)));
  EXPECT_FALSE(votes_->Covers(Substituted(payloads_[kNeverPlaced], 50)));
  // Damaged at both ends and in the middle: no end to look it up by.
  EXPECT_FALSE(votes_->Covers(Substituted(Substituted(Deleted(5, 70), 2), 146)));
  Rng rng(14, 2);
  for (int trial = 0; trial < 200; ++trial) {
    std::string stranger(150, 'A');
    for (char& c : stranger) c = kBases[rng.Below(4)];
    // Shares a placed payload's first bases, yet is far from it.
    if (trial % 2) stranger.replace(0, IndexVotes::kEndNt, payloads_[3], 0, IndexVotes::kEndNt);
    EXPECT_FALSE(votes_->Covers(stranger)) << stranger;
  }
}

TEST_F(IndexVotesTest, SealDoesNotDependOnThreads) {
  std::vector<std::string> probes;
  Rng rng(14, 3);
  for (uint64_t i = 0; i < kOligos; ++i) probes.push_back(Deleted(i, rng.Below(150)));
  std::vector<bool> one, two;
  tbb::task_arena a1(1), a2(2);
  a1.execute([&] { votes_->Seal(); });
  for (const auto& s : probes) one.push_back(votes_->Covers(s));
  a2.execute([&] { votes_->Seal(); });
  for (const auto& s : probes) two.push_back(votes_->Covers(s));
  EXPECT_EQ(one, two);
  EXPECT_FALSE(one[kNeverPlaced]);
}

// Several frames at one index (CRC false positives, another archive's):
// up to kMaxCandidates are kept with their votes, a fourth is refused, the
// one with most votes wins, a tie places the winner as a suspect, and
// substitution copies of any candidate are covered.
TEST_F(IndexVotesTest, RivalFramesAtAnIndexAreCountedAndRanked) {
  const uint64_t rival = 5, tie = 7;
  const std::string b = OtherPayload(rival, 101), c = OtherPayload(rival, 102);
  ASSERT_TRUE(votes_->Offer(payloads_[rival]));               // the original: 2 votes
  for (int k = 0; k < 3; ++k) ASSERT_TRUE(votes_->Offer(b));  // 3 votes: wins
  ASSERT_TRUE(votes_->Offer(c));                              // 1 vote
  EXPECT_FALSE(votes_->Offer(OtherPayload(rival, 103))) << "a fourth frame has no room";
  ASSERT_TRUE(votes_->Offer(OtherPayload(tie, 104)));  // 1 vote against the original's 1
  EXPECT_TRUE(votes_->Covers(Substituted(c, 100))) << "a copy of a third candidate";
  votes_->Seal();  // every candidate's ends, rivals' included
  std::string c_deleted = c;
  c_deleted.erase(75, 1);
  EXPECT_TRUE(votes_->Covers(c_deleted)) << "an indel copy of a third candidate";
  std::string b_deleted = b;
  b_deleted.erase(60, 1);
  EXPECT_TRUE(votes_->Covers(b_deleted)) << "an indel copy of a second candidate";

  auto scratch = ScratchFile::Create("");
  ASSERT_TRUE(scratch.ok());
  SlotStore store(p_, std::move(*scratch), kOligos);
  DecodeReport report;
  ASSERT_TRUE(votes_->PlaceInto(&store, {}, false, &report).ok());
  EXPECT_EQ(report.data_frames, kOligos - 1);  // all but kNeverPlaced
  EXPECT_EQ(report.reads_placed, kOligos - 1 + 5 + 1);
  EXPECT_EQ(report.duplicate_frames, 5u + 1);  // rival: 2 + 1 + 3 - 1; tie: 1
  EXPECT_EQ(store.state(rival), SlotStore::kValid);
  EXPECT_EQ(store.state(tie), SlotStore::kSuspect);
  EXPECT_EQ(store.state(kNeverPlaced), SlotStore::kEmpty);
  std::vector<uint8_t> got(p_.data_bytes);
  ASSERT_TRUE(store.Read(rival, 1, got.data()).ok());
  uint8_t frame[kMaxFrameBytes], data[kMaxFrameBytes];
  const InnerFrame f = DecodePayload(b, *mapper_, p_, kOligos, headers_, false, frame, data);
  ASSERT_EQ(f.kind, InnerFrame::kData);
  EXPECT_EQ(std::vector<uint8_t>(data, data + p_.data_bytes), got) << "the most votes win";
}

}  // namespace

// (The fixture's frames serve the repair of strands by their confidences,
// codec/inner_decode.h.)
TEST_F(IndexVotesTest, StrandsAreRepairedAtTheirLeastConfidentBases) {
  std::vector<uint8_t> frame(kMaxFrameBytes + 8), want(p_.data_bytes), got(p_.data_bytes);
  ASSERT_EQ(
      DecodePayload(payloads_[3], *mapper_, p_, kOligos, headers_, false, frame.data(), want.data())
          .kind,
      InnerFrame::kData);
  std::string qual(150, 'I');
  qual[40] = '$';  // Q3: two reads disagreed here
  qual[90] = '+';  // Q10: a correct base of low confidence
  const std::string bad = Substituted(payloads_[3], 40);
  ASSERT_NE(
      DecodePayload(bad, *mapper_, p_, kOligos, headers_, false, frame.data(), got.data()).kind,
      InnerFrame::kData);
  InnerFrame f = RepairByConfidence(bad, qual, *mapper_, p_, kOligos, frame.data(), got.data());
  EXPECT_EQ(f.kind, InnerFrame::kData);
  EXPECT_TRUE(f.repaired);
  EXPECT_EQ(f.index, 3u);
  EXPECT_EQ(got, want);
  // An error where the consensus was sure is not found; nothing is touched.
  const std::string sure = Substituted(payloads_[3], 60);
  std::fill(got.begin(), got.end(), 0xAB);
  EXPECT_EQ(RepairByConfidence(sure, qual, *mapper_, p_, kOligos, frame.data(), got.data()).kind,
            InnerFrame::kNone);
  EXPECT_EQ(got, std::vector<uint8_t>(p_.data_bytes, 0xAB));
  // No confidences, none low, or too many low: nothing to try.
  EXPECT_EQ(RepairByConfidence(bad, std::string(150, '$'), *mapper_, p_, kOligos, frame.data(),
                               got.data())
                .kind,
            InnerFrame::kNone);
  EXPECT_EQ(RepairByConfidence(bad, "", *mapper_, p_, kOligos, frame.data(), got.data()).kind,
            InnerFrame::kNone);
  EXPECT_EQ(RepairByConfidence(bad, std::string(150, 'I'), *mapper_, p_, kOligos, frame.data(),
                               got.data())
                .kind,
            InnerFrame::kNone);
  // DecodeInner repairs when given the confidences, and PlaceFrames puts a
  // repaired frame in only after the frames that needed none.
  const std::string other = OtherPayload(3, 77);  // another valid frame for index 3
  const std::string sure_qual(150, 'I');
  std::vector<std::string_view> payloads = {bad, other}, quals = {qual, sure_qual};
  tbb::task_arena arena(2);
  InnerFrames frames = DecodeInner(payloads, *mapper_, p_, kOligos, headers_, arena, false, &quals);
  ASSERT_EQ(frames.frames[0].kind, InnerFrame::kData);
  EXPECT_TRUE(frames.frames[0].repaired);
  auto scratch = ScratchFile::Create(".");
  ASSERT_TRUE(scratch.ok());
  SlotStore store(p_, std::move(*scratch), kOligos);
  DecodeReport report;
  ASSERT_TRUE(PlaceFrames(frames, &store, &report).ok());
  EXPECT_EQ(report.frames_repaired, 1u);
  EXPECT_EQ(report.data_frames, 2u);
  EXPECT_EQ(report.duplicate_frames, 1u);
  ASSERT_TRUE(store.Read(3, 1, got.data()).ok());
  EXPECT_EQ(0, std::memcmp(got.data(), frames.data.data() + p_.data_bytes, p_.data_bytes));
}
