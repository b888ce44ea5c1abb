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

// The stripes of a whole archive: full stripes, then one shortened stripe
// for the rest of the file (fewer data slots, proportionally fewer parity
// slots; see ShortenedParity).
class ArchiveLayout {
 public:
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
// params.data_bytes and params.index_bits. Errors: kUsage when the payload is
// too short.
Status ChooseFrameLayout(ArchiveParams& params, int body_bits);

}  // namespace dnastore
