// The self-describing header of archive format v1 (docs/format_v1.md): the
// ArchiveParams serialised, split into chunks, each chunk carried by
// `header_copies` header oligos.
//
//   header bytes = "DNAS" version codec | mapping payload_nt primers constraints
//                  | rs_k rs_p blocks D index_bits copies | size hash name | crc32
//   header frame = magic(2) copy seq total | chunk | crc32, scrambled by (copy, seq)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "codec/base_mapper.h"
#include "dnastore/archive.h"
#include "dnastore/status.h"

namespace dnastore {

// Header serialisation (the bytes split across header chunks).
std::vector<uint8_t> SerializeHeader(const ArchiveParams& params);
Result<ArchiveParams> ParseHeader(const std::vector<uint8_t>& bytes);

// Header chunk frames: chunk payload size per frame for a body of body_bits.
int HeaderChunkBytes(int body_bits);

// Every header oligo of an archive with `params` (primers included), in pool
// order: chunk seq of copy c is element c * chunks + seq. The encoder writes
// them; the decoder knows them once it has the header, so that a header
// oligo is never taken for a data oligo. kInternal when the mapper finds no
// seed (practically never).
Result<std::vector<std::string>> HeaderOligos(const ArchiveParams& params,
                                              const PayloadMapper& mapper);
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

}  // namespace dnastore
