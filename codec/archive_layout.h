// How a file is laid out across oligos in archive format v1
// (docs/format_v1.md): stripes of k data and p parity slots, each slot
// holding `blocks` oligos of D bytes, and the width of the oligo index.
//
//   file bytes --(stripes of k*B*D bytes)--> RS(k+p) over GF(2^8) per column
//   oligo index = stripe_first_index + slot * B + block
#pragma once

#include <cstdint>

#include "dnastore/archive.h"
#include "dnastore/status.h"

namespace dnastore {

// Geometry of one stripe: k data slots and p parity slots, each slot holding
// `blocks` oligos of D bytes. Slot i's bytes for all blocks are contiguous.
struct StripeLayout {
  uint64_t first_index = 0;  // index of the stripe's first oligo
  uint64_t data_offset = 0;  // offset of the stripe's first byte in the file
  int k = 0, p = 0, blocks = 0;
  int n() const { return k + p; }
  uint64_t oligos() const { return static_cast<uint64_t>(n()) * blocks; }
};

// One block of a v2 archive (docs/format_v2.md): a ProductCode of `rows`
// rows x `slots` slots, data frames at rows r < data_rows and slots s <
// data_slots (row-major, in stream order). Data frame j of the block is
// oligo first_data + j; its data positions from data_frames on are known
// zeros (never written as oligos, never erased). Its parity frames, in
// row-major order of their positions, are oligos first_parity onwards.
struct ProductBlock {
  uint64_t first_data = 0, first_parity = 0;
  uint64_t data_offset = 0;  // offset of the block's first byte in the file
  int data_frames = 0;       // data frames carrying file bytes
  int data_rows = 0, rows = 0, data_slots = 0, slots = 0;
  int row_parity() const { return rows - data_rows; }
  int slot_parity() const { return slots - data_slots; }
  int parity_frames() const { return rows * slots - data_rows * data_slots; }
  // Oligo index at block position (r, s), or -1 for a known-zero position.
  int64_t IndexAt(int r, int s) const;
  // Position (row-major r * slots + s) of the block's data frame j.
  size_t DataPosition(int j) const {
    return static_cast<size_t>(j / data_slots) * slots + j % data_slots;
  }
};

// The blocks of a v2 archive: full blocks of params.data_rows data rows,
// then one with fewer data rows (and proportionally fewer parity rows,
// ShortenedRowParity) for the rest of the file.
class ProductLayout {
 public:
  explicit ProductLayout(const ArchiveParams& params);
  uint64_t num_blocks() const { return num_blocks_; }
  uint64_t data_oligos() const { return data_frames_; }
  uint64_t total_oligos() const { return total_; }
  ProductBlock Block(uint64_t b) const;

 private:
  ArchiveParams params_;
  uint64_t data_frames_ = 0, num_blocks_ = 0, total_ = 0, full_parity_ = 0;
};

// Parity rows of a v2 block with `data_rows` data rows, when a full block
// has `full_rows` data rows and `full_parity` parity rows.
int ShortenedRowParity(int data_rows, int full_rows, int full_parity);

// The stripes of a whole archive: full stripes, then one shortened stripe
// for the rest of the file (fewer data slots, proportionally fewer parity
// slots; see ShortenedParity).
class ArchiveLayout {
 public:
  // For a v2 archive only the totals are meaningful (ProductLayout has the
  // blocks); num_stripes() is 0.
  explicit ArchiveLayout(const ArchiveParams& params);
  uint64_t num_stripes() const { return num_stripes_; }
  uint64_t total_oligos() const { return total_oligos_; }
  uint64_t data_oligos() const { return data_oligos_; }
  StripeLayout Stripe(uint64_t s) const;
  // Stripe holding oligo `index` (index < total_oligos()).
  uint64_t StripeOf(uint64_t index) const;

 private:
  ArchiveParams params_;
  uint64_t full_stripes_ = 0, num_stripes_ = 0, total_oligos_ = 0, data_oligos_ = 0;
  StripeLayout last_;
};

// Parity slots of a shortened codeword with k_short data slots.
int ShortenedParity(int k_short, int k, int p);

// Chooses D and the index width for a file of `params.file_size` bytes: the
// largest D whose index field can still address every oligo. Sets
// params.data_bytes and params.index_bits; for a v2 archive also the block
// shape for each D tried (ShapeProductBlocks with `redundancy`). Errors:
// kUsage when the payload is too short.
Status ChooseFrameLayout(ArchiveParams& params, int body_bits, double redundancy = 0);

// The v2 block shape for a file of params.file_size bytes in frames of
// params.data_bytes, spending about `redundancy` of the oligos on parity:
// one row (a single MDS Reed-Solomon codeword) when the file fits it; else
// rows of 255 slots, the parity split between slots and rows (the split
// measured best in docs/outer_code_comparison.md), blocks of up to 255 rows
// of equal size. Sets rs_k, rs_p, data_rows, row_parity.
void ShapeProductBlocks(ArchiveParams& params, double redundancy);

}  // namespace dnastore
