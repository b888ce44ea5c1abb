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

// An archive's identity: 16 hex digits of XXH3-64 over its serialised
// header, so that archives of one file with other parameters differ too.
std::string ArchiveId(const ArchiveParams& params);

// A header assembled from header frames, and how many frames carried it.
struct AssembledHeader {
  ArchiveParams params;
  std::string id;       // ArchiveId(params)
  uint64_t frames = 0;  // header frames of its chunks
  // Frames per header oligo over the chunks no other assembled archive
  // shares (archives of one geometry may have identical first chunks): the
  // archive's read coverage, comparable between archives of other header
  // sizes.
  double support = 0;
};

// Collects header chunks (possibly duplicated, possibly conflicting: reads
// of several archives mixed) and assembles every header they hold.
class HeaderAssembler {
 public:
  void Add(const HeaderChunk& chunk);
  // Every header whose chunks are all present and parse (CRC-32 over the
  // header bytes), best-supported first (ties: smaller id). Chunks of
  // several archives are combined in every way (at most kMaxCombinations
  // per chunk count): only one archive's chunks pass the CRC together.
  std::vector<AssembledHeader> AssembleAll() const;
  // The best-supported header of AssembleAll.
  std::optional<ArchiveParams> Assemble() const;
  size_t chunks_seen() const { return seen_; }
  static constexpr int kMaxCombinations = 256;

 private:
  // (total, seq) -> candidate bytes -> votes
  std::vector<std::pair<std::pair<int, int>, std::pair<std::vector<uint8_t>, int>>> votes_;
  size_t seen_ = 0;
};

}  // namespace dnastore
