#include "codec/index_votes.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cstring>

#include "codec/data_frame.h"
#include "codec/outer_decode.h"
#include "core/dna.h"
#include "reads/read_cluster.h"

namespace dnastore {
namespace {
constexpr uint64_t kFlushEvery = (1 << 16) - 1;  // indices between slot-store flushes (mask)
// Candidates verified per payload end at most (ends shared by chance are
// rare; this bounds the work on a pool of look-alike payloads).
constexpr int kMaxEndMatches = 8;
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
      digest0_(total_oligos, 0),
      votes0_(total_oligos, 0),
      data_(total_oligos * d_) {}

uint64_t IndexVotes::BytesFor(uint64_t total_oligos, int data_bytes) {
  // Candidate 0's digest, votes and bytes, and its two payload ends.
  return total_oligos * (sizeof(uint64_t) + sizeof(uint32_t) + static_cast<uint64_t>(data_bytes) +
                         2 * sizeof(End));
}

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
  if (f.kind == InnerFrame::kSuspect && ByteCopy(f.index, data)) return true;
  // Header frames are never dropped; a valid frame not taken had no room.
  return (f.kind == InnerFrame::kSuspect || f.kind == InnerFrame::kNone) && NearEnds(payload);
}

// Whether `data` (a suspect frame's bytes at `index`) differs from one of
// the candidates there in at most kMaxDifferingBytes bytes. Any candidate,
// not the first to arrive: the same answer whatever the order of the votes.
bool IndexVotes::ByteCopy(uint64_t index, const uint8_t* data) const {
  for (int c = 0; c < kMaxCandidates; ++c) {
    if (Cand(index, c).digest == 0) break;
    const uint8_t* placed = Data(index, c);
    int differing = 0;
    for (size_t i = 0; i < d_ && differing <= kMaxDifferingBytes; ++i)
      differing += data[i] != placed[i];
    if (differing <= kMaxDifferingBytes) return true;
  }
  return false;
}

IndexVotes::End IndexVotes::MakeEnd(uint64_t key, uint64_t index) {
  End e;
  e.a = key << kEndIndexLowBits | (index & ((uint64_t{1} << kEndIndexLowBits) - 1));
  e.b = static_cast<uint32_t>(index >> kEndIndexLowBits);
  return e;
}

bool IndexVotes::EndKey(std::string_view bases, int which, uint64_t* key) {
  uint64_t k = 0;
  for (char b : bases) {
    const int code = BaseCode(b);
    if (code < 0) return false;
    k = k << 2 | static_cast<uint64_t>(code);
  }
  *key = k << 1 | static_cast<uint64_t>(which);
  return true;
}

std::string IndexVotes::Payload(uint64_t index, int c) const {
  uint8_t frame[kMaxFrameBytes + 8] = {};
  PackDataFrame(params_, index, Data(index, c), frame);
  std::string oligo;
  if (!mapper_.Map(frame, FrameKind::kData, &oligo)) return std::string();
  const size_t pf = params_.geometry.fwd_primer.size();
  const size_t nt = static_cast<size_t>(params_.geometry.payload_nt);
  return oligo.size() >= pf + nt ? oligo.substr(pf, nt) : std::string();
}

bool IndexVotes::NearEnds(std::string_view payload) const {
  if (ends_.empty() || payload.size() < static_cast<size_t>(kEndNt)) return false;
  std::string rc;
  for (int orientation = 0; orientation < (either_ ? 2 : 1); ++orientation) {
    std::string_view read = payload;
    if (orientation == 1) {
      rc = ReverseComplement(std::string(payload));
      read = rc;
    }
    for (int which = 0; which < 2; ++which) {
      uint64_t key = 0;
      const size_t at = which == 0 ? 0 : read.size() - kEndNt;
      if (!EndKey(read.substr(at, kEndNt), which, &key)) continue;
      auto it = std::lower_bound(ends_.begin(), ends_.end(), MakeEnd(key, 0));
      for (int m = 0; it != ends_.end() && it->key() == key && m < kMaxEndMatches; ++it, ++m) {
        const uint64_t index = it->index();
        for (int c = 0; c < kMaxCandidates && Cand(index, c).digest != 0; ++c) {
          const std::string cand = Payload(index, c);
          const int max_edits =
              static_cast<int>(kMaxEditFraction * static_cast<double>(cand.size()));
          if (cand.empty()) continue;
          // Most noisy copies: substitutions and one indel, in O(length).
          if (OneIndelDistance(read, cand, max_edits) <= max_edits) return true;
          if (BoundedEditDistance(read, cand, max_edits) >= 0) return true;
        }
      }
    }
  }
  return false;
}

void IndexVotes::Seal() {
  // Two ends per candidate, each written at its place (no second copy):
  // the candidates of each block of indices counted first.
  constexpr uint64_t kBlock = 4096;
  const uint64_t blocks = (total_ + kBlock - 1) / kBlock;
  std::vector<uint64_t> at(blocks + 1, 0);
  tbb::parallel_for(uint64_t{0}, blocks, [&](uint64_t b) {
    for (uint64_t i = b * kBlock; i < std::min(total_, (b + 1) * kBlock); ++i)
      for (int c = 0; c < kMaxCandidates && Cand(i, c).digest != 0; ++c) at[b + 1] += 2;
  });
  for (uint64_t b = 0; b < blocks; ++b) at[b + 1] += at[b];
  const End none = MakeEnd(~uint64_t{0} >> kEndIndexLowBits, ~uint64_t{0});  // sorts last
  std::vector<End>().swap(ends_);
  ends_.assign(at[blocks], none);
  tbb::parallel_for(uint64_t{0}, blocks, [&](uint64_t b) {
    End* out = ends_.data() + at[b];
    for (uint64_t i = b * kBlock; i < std::min(total_, (b + 1) * kBlock); ++i) {
      for (int c = 0; c < kMaxCandidates && Cand(i, c).digest != 0; ++c, out += 2) {
        const std::string p = Payload(i, c);
        if (p.size() < static_cast<size_t>(kEndNt)) continue;
        uint64_t key = 0;
        if (EndKey(std::string_view(p).substr(0, kEndNt), 0, &key)) out[0] = MakeEnd(key, i);
        if (EndKey(std::string_view(p).substr(p.size() - kEndNt), 1, &key))
          out[1] = MakeEnd(key, i);
      }
    }
  });
  tbb::parallel_sort(ends_.begin(), ends_.end());
  ends_.erase(std::unique(ends_.begin(), ends_.end()), ends_.end());
  if (!ends_.empty() && ends_.back() == none) ends_.pop_back();
  // (Not shrunk: a copy would hold the ends twice, beyond BytesFor.)
}

bool IndexVotes::Vote(uint64_t index, const uint8_t* data) {
  const uint64_t digest = FrameDigest(data, d_);
  std::lock_guard<std::mutex> lock(locks_[index % kStripes]);
  if (digest0_[index] == digest || digest0_[index] == 0) {
    if (digest0_[index] == 0) {
      digest0_[index] = digest;
      std::memcpy(data_.data() + index * d_, data, d_);
    }
    if ((votes0_[index] & ~kHasMore) != ~kHasMore) ++votes0_[index];  // saturates
    return true;
  }
  std::lock_guard<std::mutex> extra(extra_lock_);
  More& more = more_[index];
  votes0_[index] |= kHasMore;
  for (int c = 0; c + 1 < kMaxCandidates; ++c) {
    Candidate& cand = more.candidates[c];
    if (cand.digest == digest) {
      ++cand.votes;
      return true;
    }
    if (cand.digest != 0) continue;
    cand = {digest, 1};
    more.bytes[c].assign(data, data + d_);
    return true;
  }
  return false;  // no room: the read is clustered instead
}

IndexVotes::Candidate IndexVotes::Cand(uint64_t index, int c) const {
  if (c == 0) return {digest0_[index], votes0_[index] & ~kHasMore};
  if (!(votes0_[index] & kHasMore)) return {};
  return more_.at(index).candidates[c - 1];
}

const uint8_t* IndexVotes::Data(uint64_t index, int c) const {
  if (c == 0) return data_.data() + index * d_;
  return more_.at(index).bytes[c - 1].data();
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
    std::array<Candidate, kMaxCandidates> cands{};
    for (int c = 0; c < kMaxCandidates; ++c) cands[c] = Cand(i, c);
    // Candidates by votes (ties: smaller digest), the set-aside ones last.
    std::array<int, kMaxCandidates> order{};
    int n = 0;
    for (int c = 0; c < kMaxCandidates; ++c)
      if (cands[c].digest != 0) order[n++] = c;
    if (n == 0) continue;
    auto rank = [&](int c) {
      const Candidate& x = cands[c];
      return std::make_tuple(SetAside(i, x.digest, excluded), ~x.votes, x.digest);
    };
    std::sort(order.begin(), order.begin() + n, [&](int a, int b) { return rank(a) < rank(b); });
    for (int k = 0; k < n; ++k) {
      const Candidate& x = cands[order[k]];
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
      const bool tied = k == 0 && n > 1 && cands[order[1]].votes == x.votes &&
                        !SetAside(i, cands[order[1]].digest, excluded);
      if (k == 0) store->Add(i, Data(i, order[k]), tied);  // losers never replace it
    }
    if ((i & kFlushEvery) == kFlushEvery) DNASTORE_RETURN_IF_ERROR(store->Flush());
  }
  return store->Flush();
}

}  // namespace dnastore
