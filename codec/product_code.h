// The two-level Reed-Solomon code chosen for archive format v2's outer code
// by measurement (docs/outer_code_comparison.md): a block of `rows` x
// `slots` frames, each row an RS(slots, slots - slot_parity) codeword across
// its slots and each column an RS(rows, rows - row_parity) codeword across
// the rows, byte by byte (ReedSolomon over GF(2^8), ISA-L). A row decodes
// when its erasures fit its parity; what it leaves, the columns take, and
// back again: a file survives losses near their mean instead of each
// 255-frame codeword's binomial tail (v1's code).
//
// Layout: frames row-major, frame (r, s) at byte (r * slots + s) *
// frame_bytes of the block; data frames are r < data_rows(), s <
// data_slots(); the others are parity (parity of parity included: the two
// codes commute). Thread-safety: immutable after construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "codec/reed_solomon.h"

namespace dnastore {

class ProductCode {
 public:
  // Precondition: 1 <= slots <= 255, 1 <= rows <= 255, 0 <= slot_parity <
  // slots, 0 <= row_parity < rows.
  ProductCode(int rows, int slots, int row_parity, int slot_parity);

  int rows() const { return rows_; }
  int slots() const { return slots_; }
  int data_rows() const { return rows_ - row_parity_; }
  int data_slots() const { return slots_ - slot_parity_; }

  // Fills every parity frame of `block` from its data frames.
  void Encode(size_t frame_bytes, uint8_t* block) const;

  struct DecodeResult {
    uint64_t erasures_left = 0;    // frames still unknown (0: the block decoded)
    uint64_t words_corrected = 0;  // row and column codewords that had errors
    uint64_t words_failed = 0;     // in the last pass: byte columns in error beyond their parity
    int iterations = 0;            // row + column passes run
  };

  // Decodes `block` in place: `erased` (rows x slots, row-major) marks the
  // frames that are missing (their bytes may be anything) and is cleared as
  // they are filled. Rows and columns alternate until a pass fills no
  // further frame (at most kMaxIterations); a codeword whose erasures fit
  // its parity is decoded with errors too (e + 2t <= parity), and its lost
  // frames count as filled only when no byte column of it failed. Beyond the
  // design limit a wrong frame may be returned: callers verify with a hash.
  DecodeResult Decode(size_t frame_bytes, uint8_t* block, std::vector<uint8_t>* erased) const;

  static constexpr int kMaxIterations = 16;

  // Slow reference encoder (EncodeWordSlow, codeword by codeword).
  void EncodeSlow(size_t frame_bytes, uint8_t* block) const;

 private:
  // Decodes one row or column: the code's n frames at frame indices first +
  // j * stride; returns whether it ran (its erasures fit `parity`) and no
  // byte column of it failed, its lost frames then filled.
  bool DecodeLine(const ReedSolomon& code, int parity, size_t d, uint8_t* block,
                  std::vector<uint8_t>* erased, size_t first, size_t stride,
                  DecodeResult* res) const;
  int rows_, slots_, row_parity_, slot_parity_;
  ReedSolomon row_code_;  // across the slots of a row
  ReedSolomon col_code_;  // across the rows of a column
};

}  // namespace dnastore
