// The dnastore archive format, version 1 (specified in docs/format_v1.md):
// parameters, the layout of a file across oligos, the self-describing header,
// and the per-oligo frame.
//
//   file bytes --(stripes of k*B*D bytes)--> RS(k+p) over GF(2^8) per column
//   oligo index = stripe_first_index + slot * B + block
//   frame (MSB-first bits) = crc8 | data (D bytes, scrambled by index) | index
//   header frame           = magic(2) copy seq total | chunk | crc32
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/base_mapper.h"
#include "dnastore/status.h"

namespace dnastore {

// Upper bound on FrameBytes() for any supported payload (<= kMaxPayloadNt).
inline constexpr int kMaxFrameBytes = 128;

// Geometry of one stripe: k data slots and p parity slots, each slot holding
// `blocks` oligos of D bytes. Slot i's bytes for all blocks are contiguous.
struct StripeLayout {
  uint64_t first_index = 0;  // index of the stripe's first oligo
  uint64_t data_offset = 0;  // offset of the stripe's first byte in the file
  int k = 0, p = 0, blocks = 0;
  int n() const { return k + p; }
  uint64_t oligos() const { return static_cast<uint64_t>(n()) * blocks; }
};

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

// Chooses D and the index width for a file of `file_size` bytes: the largest
// D whose index field can still address every oligo. Sets params.data_bytes
// and params.index_bits. Errors: kUsage when the payload is too short.
Status ChooseFrameLayout(ArchiveParams& params, int body_bits);

// Frame packing. `frame` has FrameBytes(body_bits) bytes.
int FrameBytes(int body_bits);
void PackDataFrame(const ArchiveParams& params, uint64_t index, const uint8_t* data,
                   uint8_t* frame);
// Unpacks a data frame; data is unscrambled into `data` (D bytes). When
// `crc_ok` is null, returns false if the CRC does not match; otherwise always
// unpacks (a "suspect" frame may still carry mostly right bytes) and reports
// the CRC result in *crc_ok.
bool UnpackDataFrame(const ArchiveParams& params, int body_bits, const uint8_t* frame,
                     uint64_t* index, uint8_t* data, bool* crc_ok = nullptr);

// Header serialisation (the bytes split across header chunks).
std::vector<uint8_t> SerializeHeader(const ArchiveParams& params);
Result<ArchiveParams> ParseHeader(const std::vector<uint8_t>& bytes);

// Header chunk frames: chunk payload size per frame for a body of body_bits.
int HeaderChunkBytes(int body_bits);
// Builds the frame for chunk `seq` of `total` (copy number `copy`).
void PackHeaderFrame(int body_bits, const std::vector<uint8_t>& header, int seq, int total,
                     int copy, uint8_t* frame);
struct HeaderChunk {
  int seq = 0, total = 0, copy = 0;
  std::vector<uint8_t> bytes;
};
// Returns the chunk when the frame is a valid header frame.
std::optional<HeaderChunk> UnpackHeaderFrame(int body_bits, const uint8_t* frame);

// Collects header chunks (possibly duplicated, possibly conflicting) and
// assembles the header bytes by majority per chunk.
class HeaderAssembler {
 public:
  void Add(const HeaderChunk& chunk);
  // Header params when every chunk of some total is present and parses.
  std::optional<ArchiveParams> Assemble() const;
  size_t chunks_seen() const { return seen_; }

 private:
  // (total, seq) -> candidate bytes -> votes
  std::vector<std::pair<std::pair<int, int>, std::pair<std::vector<uint8_t>, int>>> votes_;
  size_t seen_ = 0;
};

// Hash of file content (XXH3-128), big-endian bytes. Owns its xxHash state:
// movable, not copyable. Not thread-safe.
class ContentHasher {
 public:
  ContentHasher();
  ~ContentHasher();
  ContentHasher(ContentHasher&&) noexcept;
  ContentHasher& operator=(ContentHasher&&) noexcept;
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;
  void Update(const uint8_t* data, size_t size);
  std::array<uint8_t, 16> Digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dnastore
