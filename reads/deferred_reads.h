// Reads kept for a second look (FrontEndOptions::drop_before_clustering):
// the reads a decoder could not place by their index wait here until every
// read was seen. They are packed, one byte per base (the base and its Phred
// quality; no heap string per read), in chunks; past a memory limit the
// chunks are spilled, in order, to a scratch file, and read back in order,
// so a decode gives the same result spilled or not. The scratch file is
// unlinked at creation (core/file_util.h ScratchFile): no exit, not even a
// kill, leaves it behind.
//
// A tagged store (partitioned clustering) keeps a 64-bit tag per read (the
// read's place in the input) and hands the tags back with the reads.
//
// Packing keeps A/C/G/T (either case, read back as upper case) with their
// quality capped at kMaxQuality; any other base reads back as N with
// quality kNQuality. Reads without qualities (FASTA) stay without.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dnastore/status.h"
#include "reads/read_cluster.h"

namespace dnastore {

class DeferredReads {
 public:
  static constexpr int kMaxQuality = 62;  // Phred; a higher one is stored as this
  static constexpr int kNQuality = 2;     // Phred of a base read back as N

  // `memory_bytes`: packed bytes kept in memory before they are spilled (0 =
  // no limit: never spill); `scratch_dir`: where the scratch file goes ("" =
  // $TMPDIR); `tagged`: each read carries a tag.
  DeferredReads(uint64_t memory_bytes, std::string scratch_dir, bool tagged = false);
  DeferredReads(DeferredReads&&) noexcept;
  DeferredReads& operator=(DeferredReads&&) noexcept;
  ~DeferredReads();

  // Appends a read. Errors: kIo when spilling fails (naming the scratch
  // directory, e.g. a full disk).
  Status Add(std::string_view seq, std::string_view qual, uint64_t tag = 0);

  // Hands every read back in the order added, in batches of up to
  // `batch_reads`, and empties the store; stops at the first error of `fn`
  // (or kIo reading the scratch file back).
  using BatchFn = std::function<Status(std::vector<PayloadRead>&& batch)>;
  Status Drain(size_t batch_reads, const BatchFn& fn);
  // Same, with each read's tag (tags[i] of batch[i]; all 0 when not tagged).
  using TaggedBatchFn =
      std::function<Status(std::vector<PayloadRead>&& batch, std::vector<uint64_t>&& tags)>;
  Status DrainTagged(size_t batch_reads, const TaggedBatchFn& fn);

  uint64_t reads() const { return reads_; }
  uint64_t bytes_spilled() const { return bytes_spilled_; }
  uint64_t peak_memory_bytes() const { return peak_memory_; }  // packed chunks held at once
  uint64_t memory_bytes() const { return in_memory_; }         // and held now
  uint64_t bases() const { return bases_; }

  // One read's packed record, appended to `out`.
  static void Pack(std::string_view seq, std::string_view qual, std::vector<uint8_t>* out);
  // Unpacks the record at `p` (the bytes up to `end`) into `read`; returns
  // the byte after it, or null when the record is truncated or malformed.
  static const uint8_t* Unpack(const uint8_t* p, const uint8_t* end, PayloadRead* read);

 private:
  struct Scratch;
  Status Spill();
  struct Batch {
    std::vector<PayloadRead> reads;
    std::vector<uint64_t> tags;
  };
  Status UnpackChunk(const std::vector<uint8_t>& chunk, size_t batch_reads, Batch* batch,
                     const TaggedBatchFn& fn);

  uint64_t memory_bytes_;
  size_t chunk_bytes_;
  std::string scratch_dir_;
  bool tagged_;
  std::vector<std::vector<uint8_t>> chunks_;  // not yet spilled, in order
  uint64_t in_memory_ = 0, peak_memory_ = 0;
  uint64_t reads_ = 0, bases_ = 0, bytes_spilled_ = 0;
  std::unique_ptr<Scratch> scratch_;
};

}  // namespace dnastore
