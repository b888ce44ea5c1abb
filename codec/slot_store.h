// The slot store: recovered data frames placed by oligo index, on disk (a
// scratch file) so that memory stays bounded by the number of oligos (one
// byte of state each), not by the data. The first valid frame for an index
// wins (callers offer the best-supported first); a suspect frame (CRC
// failed) only fills an empty slot.
#pragma once

#include <cstdint>
#include <vector>

#include "codec/inner_decode.h"
#include "core/file_util.h"
#include "dnastore/archive.h"
#include "dnastore/decoder.h"
#include "dnastore/status.h"

namespace dnastore {

class SlotStore {
 public:
  SlotStore(const ArchiveParams& params, ScratchFile scratch, uint64_t total)
      : d_(params.data_bytes), scratch_(std::move(scratch)), present_(total, 0) {}

  // Slot states: kEmpty, kValid (CRC checked), kSuspect (CRC failed but the
  // frame may still be mostly right; the outer code decides), kRepaired (a
  // failed strand that RepairByConfidence made pass its CRC: likelier right
  // than a suspect, but a CRC-8 lets ~1 in 256 wrong repairs through, so the
  // outer code's retry erases it as it erases suspects).
  static constexpr uint8_t kEmpty = 0, kValid = 1, kSuspect = 2, kRepaired = 3;
  // Adds a frame in `state` (kValid, kRepaired or kSuspect). Returns false
  // when the index already holds a frame at least as good (valid > repaired
  // > suspect > empty).
  bool Add(uint64_t index, const uint8_t* data, uint8_t state);
  bool Add(uint64_t index, const uint8_t* data, bool suspect) {
    return Add(index, data, suspect ? kSuspect : kValid);
  }
  // Writes the frames added since the last flush to the scratch file.
  Status Flush();
  uint8_t state(uint64_t index) const { return present_[index]; }
  uint64_t count(uint8_t state) const;
  // Reads `count` slots from `first_index` (never written slots read as 0).
  Status Read(uint64_t first_index, uint64_t count, uint8_t* out);

 private:
  uint64_t d_;
  ScratchFile scratch_;
  std::vector<uint8_t> present_;
  std::vector<uint64_t> pending_;
  std::vector<uint8_t> pending_data_;
};

// Places a batch of inner-decoded frames into `store` and flushes it;
// repaired data frames (InnerFrame::repaired) go in after all the others, so
// that they never take the slot of a frame that needed no repair.
// Counts into `report`: strands, data_frames (repaired ones included),
// frames_repaired, duplicate_frames,
// header_frames, frames_rejected (suspect frames count as rejected too),
// frames_other_archives (set-aside frames: dropped, or with
// `set_aside_fills_gaps` placed as suspects, since a frame another archive
// holds at an index is this archive's too when both hold the same bytes
// there, as two versions of one file do).
Status PlaceFrames(const InnerFrames& batch, SlotStore* store, DecodeReport* report,
                   bool set_aside_fills_gaps = false);

}  // namespace dnastore
