#include "codec/index_votes.h"

#include <algorithm>
#include <cstring>

#include "codec/data_frame.h"
#include "codec/outer_decode.h"

namespace dnastore {
namespace {
constexpr uint64_t kFlushEvery = (1 << 16) - 1;  // indices between slot-store flushes (mask)
}  // namespace

IndexVotes::IndexVotes(const ArchiveParams& params, const PayloadMapper& mapper,
                       uint64_t total_oligos, const HeaderPayloads& header_payloads,
                       bool either_orientation)
    : params_(params),
      mapper_(mapper),
      total_(total_oligos),
      header_payloads_(header_payloads),
      either_(either_orientation),
      d_(static_cast<size_t>(params.data_bytes)),
      slots_(total_oligos),
      data_(total_oligos * d_) {}

bool IndexVotes::Offer(std::string_view payload) {
  uint8_t frame[kMaxFrameBytes];
  uint8_t data[kMaxFrameBytes];
  const InnerFrame f =
      DecodePayload(payload, mapper_, params_, total_, header_payloads_, either_, frame, data);
  return f.kind == InnerFrame::kData && Vote(f.index, data);
}

bool IndexVotes::Covers(std::string_view payload) const {
  uint8_t frame[kMaxFrameBytes];
  uint8_t data[kMaxFrameBytes];
  const InnerFrame f =
      DecodePayload(payload, mapper_, params_, total_, header_payloads_, either_, frame, data);
  if (f.kind != InnerFrame::kSuspect) return false;
  // Any candidate (not the first to arrive): the same answer whatever the
  // order of the votes.
  for (int c = 0; c < kMaxCandidates; ++c) {
    if (slots_[f.index].candidates[c].digest == 0) break;
    const uint8_t* placed = Data(f.index, c);
    int differing = 0;
    for (size_t i = 0; i < d_ && differing <= kMaxDifferingBytes; ++i)
      differing += data[i] != placed[i];
    if (differing <= kMaxDifferingBytes) return true;
  }
  return false;
}

bool IndexVotes::Vote(uint64_t index, const uint8_t* data) {
  const uint64_t digest = FrameDigest(data, d_);
  std::lock_guard<std::mutex> lock(locks_[index % kStripes]);
  Slot& slot = slots_[index];
  for (int c = 0; c < kMaxCandidates; ++c) {
    Candidate& cand = slot.candidates[c];
    if (cand.digest == digest) {
      ++cand.votes;
      return true;
    }
    if (cand.digest != 0) continue;
    cand = {digest, 1};
    if (c == 0) {
      std::memcpy(data_.data() + index * d_, data, d_);
    } else {
      std::lock_guard<std::mutex> extra(extra_lock_);
      extra_[index * 4 + c].assign(data, data + d_);
    }
    return true;
  }
  return false;  // no room: the read is clustered instead
}

const uint8_t* IndexVotes::Data(uint64_t index, int c) const {
  if (c == 0) return data_.data() + index * d_;
  return extra_.at(index * 4 + c).data();
}

bool IndexVotes::SetAside(uint64_t index, uint64_t digest,
                          const std::vector<std::vector<uint64_t>>& excluded) const {
  return std::any_of(excluded.begin(), excluded.end(), [&](const std::vector<uint64_t>& other) {
    return index < other.size() && other[index] == digest;
  });
}

Status IndexVotes::PlaceInto(SlotStore* store, const std::vector<std::vector<uint64_t>>& excluded,
                             bool set_aside_fills_gaps, DecodeReport* report) const {
  for (uint64_t i = 0; i < total_; ++i) {
    const Slot& slot = slots_[i];
    // Candidates by votes (ties: smaller digest), the set-aside ones last.
    std::array<int, kMaxCandidates> order{};
    int n = 0;
    for (int c = 0; c < kMaxCandidates; ++c)
      if (slot.candidates[c].digest != 0) order[n++] = c;
    if (n == 0) continue;
    auto rank = [&](int c) {
      const Candidate& x = slot.candidates[c];
      return std::make_tuple(SetAside(i, x.digest, excluded), ~x.votes, x.digest);
    };
    std::sort(order.begin(), order.begin() + n, [&](int a, int b) { return rank(a) < rank(b); });
    for (int k = 0; k < n; ++k) {
      const Candidate& x = slot.candidates[order[k]];
      report->reads_placed += x.votes;
      if (SetAside(i, x.digest, excluded)) {
        report->frames_other_archives += x.votes;
        if (set_aside_fills_gaps) store->Add(i, Data(i, order[k]), true);
        continue;
      }
      // One valid frame per index; the winner's other votes and the
      // losers count as duplicates.
      if (k == 0) ++report->data_frames;
      report->duplicate_frames += x.votes - (k == 0 ? 1 : 0);
      // A tie says nothing about which frame is right: the winner is only a
      // suspect, which the outer code may erase.
      const bool tied = k == 0 && n > 1 && slot.candidates[order[1]].votes == x.votes &&
                        !SetAside(i, slot.candidates[order[1]].digest, excluded);
      if (k == 0) store->Add(i, Data(i, order[k]), tied);  // losers never replace it
    }
    if ((i & kFlushEvery) == kFlushEvery) DNASTORE_RETURN_IF_ERROR(store->Flush());
  }
  return store->Flush();
}

}  // namespace dnastore
