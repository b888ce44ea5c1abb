// Reads placed by their index, with no clustering: at Illumina error rates
// most reads are exact, so their payload is a data frame whose CRC-8 holds
// and whose index is in range. Such reads vote for the frame at their index;
// only the others go through clustering and consensus (read_front_end.h,
// FrontEndOptions::take_read). A read with errors passes the CRC-8 about
// once in 256, so an index may see a wrong frame: the frame with the most
// votes wins (a tie: the smaller digest, placed only as a suspect that the
// outer code may erase), and the outer code corrects what slips through as
// it corrects any error.
//
// A read with an indel has no readable frame (its index field shifts), yet
// it is as useless once its index is placed: after the votes, Seal indexes
// every candidate's payload by its first and last kEndNt bases, and Covers
// drops a read that starts or ends like one of them and lies within
// kMaxEditFraction of its length of that candidate (at Illumina rates this
// leaves the clusterer the reads of unplaced indices, not every noisy copy).
//
// Memory: D + 12 bytes per oligo (allocated up front: candidate 0's bytes,
// digest and votes), plus the rare second and third candidates; after Seal,
// 12 bytes per payload end (two per candidate).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "codec/base_mapper.h"
#include "codec/inner_decode.h"
#include "codec/slot_store.h"
#include "dnastore/archive.h"
#include "dnastore/decoder.h"
#include "dnastore/status.h"

namespace dnastore {

class IndexVotes {
 public:
  // Candidate frames kept per index; the read of a fourth distinct one is
  // not taken (it is clustered).
  static constexpr int kMaxCandidates = 3;

  // For the archive `params` (its `mapper`, `total_oligos`, the payloads of
  // its header oligos, which are never data); `either_orientation` as
  // DecodeInner's.
  // Memory the votes of an archive of `total_oligos` oligos of `data_bytes`
  // each hold (the candidates up front, the payload ends after Seal).
  static uint64_t BytesFor(uint64_t total_oligos, int data_bytes);

  IndexVotes(const ArchiveParams& params, const PayloadMapper& mapper, uint64_t total_oligos,
             const HeaderPayloads& header_payloads, bool either_orientation);

  // Takes the read when its payload is a valid data frame (and its index
  // has room for it): returns true and counts its vote. Thread-safe; the result of the votes does
  // not depend on the order of the calls.
  bool Offer(std::string_view payload);

  // After every Offer: whether a payload that was no valid frame is a noisy
  // copy of a frame voted for at its index (its index field read, at most
  // kMaxDifferingBytes of its data bytes differ from one of the candidates
  // there: substitutions outside the seed and index). Such reads add
  // nothing to clustering. Thread-safe (const).
  // After Seal, also whether it is within kMaxEditFraction of its length
  // (edit distance) of a candidate it shares its first or last kEndNt
  // bases with.
  static constexpr int kMaxDifferingBytes = 4;
  static constexpr int kEndNt = 20;
  static constexpr double kMaxEditFraction = 0.25;
  bool Covers(std::string_view payload) const;

  // After the last Offer and before Covers: indexes the candidates' payload
  // ends (their payloads are mapped again). Parallel on the caller's TBB
  // arena; the result does not depend on the threads.
  void Seal();

  // Places the winner of every index into `store` (before any consensus
  // strand, so that they win their index). A candidate whose digest
  // another archive holds at that index (`excluded`, as FrameDigest by
  // index) is set aside: dropped, or with `set_aside_fills_gaps` placed as
  // a suspect. Counts data_frames, duplicate_frames (the winner's other
  // votes and the losers'), frames_other_archives and reads_placed.
  Status PlaceInto(SlotStore* store, const std::vector<std::vector<uint64_t>>& excluded,
                   bool set_aside_fills_gaps, DecodeReport* report) const;

 private:
  struct Candidate {
    uint64_t digest = 0;  // 0 = none
    uint32_t votes = 0;
  };
  // Candidate c (< kMaxCandidates) at index i, digest 0 when there is none.
  Candidate Cand(uint64_t index, int c) const;
  // Candidate c's bytes at index i: the first in data_, the others (rare)
  // in more_.
  const uint8_t* Data(uint64_t index, int c) const;
  bool Vote(uint64_t index, const uint8_t* data);
  bool SetAside(uint64_t index, uint64_t digest,
                const std::vector<std::vector<uint64_t>>& excluded) const;
  // Candidate c's payload at index i (mapped again; empty when it cannot be).
  std::string Payload(uint64_t index, int c) const;
  bool ByteCopy(uint64_t index, const uint8_t* data) const;
  bool NearEnds(std::string_view payload) const;

  // A payload end, 12 bytes: its kEndNt bases 2 bits each, then 1 bit (0:
  // first bases, 1: last) -- the key, 41 bits -- and the index (48 bits at
  // most) whose candidate has it, packed as `a` = key << 23 | the index's
  // low 23 bits and `b` = its high bits. Sorted by (a, b): by key first.
  static constexpr int kEndIndexLowBits = 23;
#pragma pack(push, 4)
  struct End {
    uint64_t a = 0;
    uint32_t b = 0;
    uint64_t key() const { return a >> kEndIndexLowBits; }
    uint64_t index() const {
      return uint64_t{b} << kEndIndexLowBits | (a & ((uint64_t{1} << kEndIndexLowBits) - 1));
    }
    bool operator<(const End& o) const { return a != o.a ? a < o.a : b < o.b; }
    bool operator==(const End& o) const { return a == o.a && b == o.b; }
  };
#pragma pack(pop)
  static_assert(sizeof(End) == 12);
  static End MakeEnd(uint64_t key, uint64_t index);
  static bool EndKey(std::string_view bases, int which, uint64_t* key);

  // The second and third candidates of an index (rare: a CRC-8 false
  // positive, or another archive's frame), with their bytes.
  struct More {
    std::array<Candidate, kMaxCandidates - 1> candidates{};
    std::array<std::vector<uint8_t>, kMaxCandidates - 1> bytes;
  };
  // votes0_'s top bit: the index has candidates in more_.
  static constexpr uint32_t kHasMore = uint32_t{1} << 31;

  const ArchiveParams& params_;
  const PayloadMapper& mapper_;
  uint64_t total_;
  const HeaderPayloads& header_payloads_;
  bool either_;
  size_t d_;
  std::vector<uint64_t> digest0_;            // candidate 0's digest per index (0 = none)
  std::vector<uint32_t> votes0_;             // and its votes (| kHasMore)
  std::vector<uint8_t> data_;                // D bytes per index: candidate 0
  std::unordered_map<uint64_t, More> more_;  // index -> candidates 1.. (extra_lock_)
  std::vector<End> ends_;                    // sorted (Seal)
  static constexpr size_t kStripes = 4096;
  mutable std::array<std::mutex, kStripes> locks_;  // by index % kStripes
  std::mutex extra_lock_;
};

}  // namespace dnastore
