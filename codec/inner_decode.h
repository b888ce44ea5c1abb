// Inner decoding: payload -> frame through the archive's base mapper, then
// the frame's CRC and index (data_frame.h). A payload that is no valid data
// frame may be a header frame, or a "suspect" data frame whose CRC failed but
// whose index is in range (the outer code may still use it).
#pragma once

#include <tbb/task_arena.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/archive_header.h"
#include "codec/base_mapper.h"
#include "dnastore/archive.h"

namespace dnastore {

struct InnerFrame {
  // kSetAside: a data frame that another archive of the input holds at this
  // index (DecodeInner never sets it; the decode attempt does).
  enum Kind : uint8_t { kNone, kData, kSuspect, kHeader, kSetAside } kind = kNone;
  bool reversed = false;  // either_orientation: the frame was in the reverse complement
  bool repaired = false;  // kData made from a failed strand by RepairByConfidence
  uint64_t index = 0;     // oligo index (kData, kSuspect)
};

// One batch of decoded payloads: frames[i] and data[i * D, (i + 1) * D) for
// payloads[i] (data unscrambled; meaningful for kData and kSuspect).
struct InnerFrames {
  int data_bytes = 0;  // D
  std::vector<InnerFrame> frames;
  std::vector<uint8_t> data;
  // The chunks of the kHeader frames, this archive's and other archives'
  // (reads of several archives mixed), in payload order.
  std::vector<HeaderChunk> header_chunks;
};

// The payloads of an archive's own header oligos (HeaderOligos without the
// primers): one of them is a header frame even when it also passes as a
// data frame (its CRC-8 holds and its index is in range: ~1 in 256 header
// oligos), so that it never takes a data oligo's slot.
class HeaderPayloads {
 public:
  void Add(std::string payload);
  // Whether `payload` is one of them: a binary search on the first 8 bytes
  // (a few instructions per payload; hashing whole payloads cost 2% of a
  // clean decode), then a full comparison.
  bool Contains(std::string_view payload) const;

 private:
  static uint64_t Prefix(std::string_view s);
  std::vector<std::pair<uint64_t, std::string>> sorted_;
};

// One payload as DecodeInner decodes it: `frame` is scratch of
// kMaxFrameBytes, `data` receives the D data bytes (kData, kSuspect).
// Thread-safe.
InnerFrame DecodePayload(std::string_view payload, const PayloadMapper& mapper,
                         const ArchiveParams& params, uint64_t total_oligos,
                         const HeaderPayloads& header_payloads, bool either_orientation,
                         uint8_t* frame, uint8_t* data);

// Repair of a strand whose frame failed its check, from its consensus
// confidences (Phred+33, one per base), which say where its residual errors
// likely are (a base two reads disagree on): when at most kRepairPositions
// bases are at or below kRepairMaxPhred, they are tried with every other
// base, and the repair is taken when exactly one combination is a valid data
// frame (a strand with more doubtful bases is left alone). A wrong
// combination passes CRC-8 about 1 time in 256, so a repaired frame is
// placed only after every frame that needed no repair, and as
// SlotStore::kRepaired (the outer code's retry erases it). Returns kNone
// when there is nothing to try or no unique repair; `frame` and `data` as
// DecodePayload.
inline constexpr int kRepairPositions = 2;
inline constexpr int kRepairMaxPhred = 12;
InnerFrame RepairByConfidence(std::string_view payload, std::string_view qual,
                              const PayloadMapper& mapper, const ArchiveParams& params,
                              uint64_t total_oligos, uint8_t* frame, uint8_t* data);

// Decodes `payloads` (primers removed, forward orientation; with
// `either_orientation`, a payload that is no data or header frame is tried
// reverse complemented too) of an archive with `params`, whose `mapper`
// makes frames, and `total_oligos` oligos. With `quals` (consensus
// confidences, one per payload), a payload that gives no data or header
// frame is offered to RepairByConfidence. Runs in parallel in `arena`; the
// result does not depend on the threads.
InnerFrames DecodeInner(const std::vector<std::string_view>& payloads, const PayloadMapper& mapper,
                        const ArchiveParams& params, uint64_t total_oligos,
                        const HeaderPayloads& header_payloads, tbb::task_arena& arena,
                        bool either_orientation = false,
                        const std::vector<std::string_view>* quals = nullptr);

}  // namespace dnastore
