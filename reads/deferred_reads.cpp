#include "reads/deferred_reads.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/dna.h"
#include "core/file_util.h"

namespace dnastore {
namespace {

// Packed bytes per chunk (a longer read has one of its own); with a memory
// limit, a quarter of it (at least kMinChunkBytes), so spills stay small.
constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr size_t kMinChunkBytes = size_t{1} << 12;
constexpr int kLevels = DeferredReads::kMaxQuality + 1;  // qualities 0..kMaxQuality
constexpr uint8_t kOtherBase = 4 * kLevels;              // the byte of a non-ACGT base
constexpr size_t kHeaderBytes = 4;  // per record: length << 1 | has_qual, little-endian
constexpr size_t kTagBytes = 8;     // tagged: then the tag, little-endian

void PutU32(uint32_t v, uint8_t* p) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t GetU32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}
void PutU64(uint64_t v, uint8_t* p) {
  PutU32(static_cast<uint32_t>(v), p);
  PutU32(static_cast<uint32_t>(v >> 32), p + 4);
}
uint64_t GetU64(const uint8_t* p) { return GetU32(p) | uint64_t{GetU32(p + 4)} << 32; }

}  // namespace

// Chunks spilled so far, each as its byte count (u32) and its bytes.
struct DeferredReads::Scratch {
  ScratchFile file;
  uint64_t size = 0;
};

DeferredReads::DeferredReads(uint64_t memory_bytes, std::string scratch_dir, bool tagged)
    : memory_bytes_(memory_bytes),
      chunk_bytes_(memory_bytes == 0
                       ? kChunkBytes
                       : std::clamp<size_t>(memory_bytes / 4, kMinChunkBytes, kChunkBytes)),
      scratch_dir_(std::move(scratch_dir)),
      tagged_(tagged) {}
DeferredReads::DeferredReads(DeferredReads&&) noexcept = default;
DeferredReads& DeferredReads::operator=(DeferredReads&&) noexcept = default;
DeferredReads::~DeferredReads() = default;

void DeferredReads::Pack(std::string_view seq, std::string_view qual, std::vector<uint8_t>* out) {
  const bool has_qual = !qual.empty();
  const size_t at = out->size();
  out->resize(at + kHeaderBytes + seq.size());
  uint8_t* p = out->data() + at;
  PutU32(static_cast<uint32_t>(seq.size() << 1 | (has_qual ? 1 : 0)), p);
  p += kHeaderBytes;
  for (size_t i = 0; i < seq.size(); ++i) {
    const int code = BaseCode(seq[i]);
    int q = has_qual && i < qual.size() ? static_cast<int>(qual[i]) - 33 : 0;
    q = std::clamp(q, 0, kMaxQuality);
    p[i] = code < 0 ? kOtherBase : static_cast<uint8_t>(code * kLevels + q);
  }
}

const uint8_t* DeferredReads::Unpack(const uint8_t* p, const uint8_t* end, PayloadRead* read) {
  if (end - p < static_cast<std::ptrdiff_t>(kHeaderBytes)) return nullptr;
  const uint32_t head = GetU32(p);
  const size_t n = head >> 1;
  const bool has_qual = head & 1;
  p += kHeaderBytes;
  if (static_cast<size_t>(end - p) < n) return nullptr;
  read->seq.resize(n);
  read->qual.resize(has_qual ? n : 0);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t b = p[i];
    if (b > kOtherBase) return nullptr;
    const int code = b == kOtherBase ? -1 : b / kLevels;
    read->seq[i] = code < 0 ? 'N' : kBases[code];
    if (has_qual) read->qual[i] = static_cast<char>(33 + (code < 0 ? kNQuality : b % kLevels));
  }
  return p + n;
}

Status DeferredReads::Add(std::string_view seq, std::string_view qual, uint64_t tag) {
  if (seq.size() > UINT32_MAX >> 1) return BadInput("a read of over 2^31 bases");
  const size_t tag_bytes = tagged_ ? kTagBytes : 0;
  const size_t need = tag_bytes + kHeaderBytes + seq.size();
  if (chunks_.empty() || chunks_.back().size() + need > chunks_.back().capacity()) {
    chunks_.emplace_back();
    chunks_.back().reserve(std::max(chunk_bytes_, need));
    in_memory_ += chunks_.back().capacity();
    peak_memory_ = std::max(peak_memory_, in_memory_);
  }
  std::vector<uint8_t>& chunk = chunks_.back();
  if (tagged_) {
    chunk.resize(chunk.size() + kTagBytes);
    PutU64(tag, chunk.data() + chunk.size() - kTagBytes);
  }
  Pack(seq, qual, &chunk);
  ++reads_;
  bases_ += seq.size();
  if (memory_bytes_ > 0 && in_memory_ > memory_bytes_) return Spill();
  return Status::Ok();
}

// Writes the chunks held in memory to the end of the scratch file.
Status DeferredReads::Spill() {
  if (!scratch_) {
    auto f = ScratchFile::Create(scratch_dir_, false);
    if (!f.ok()) return f.status();
    scratch_ = std::make_unique<Scratch>(Scratch{std::move(*f), 0});
  }
  for (auto& chunk : chunks_) {
    uint8_t head[4];
    PutU32(static_cast<uint32_t>(chunk.size()), head);
    DNASTORE_RETURN_IF_ERROR(scratch_->file.WriteAt(scratch_->size, head, sizeof head));
    DNASTORE_RETURN_IF_ERROR(
        scratch_->file.WriteAt(scratch_->size + sizeof head, chunk.data(), chunk.size()));
    scratch_->size += sizeof head + chunk.size();
    bytes_spilled_ += sizeof head + chunk.size();
    std::vector<uint8_t>().swap(chunk);
  }
  chunks_.clear();
  in_memory_ = 0;
  return Status::Ok();
}

Status DeferredReads::UnpackChunk(const std::vector<uint8_t>& chunk, size_t batch_reads,
                                  Batch* batch, const TaggedBatchFn& fn) {
  const uint8_t* p = chunk.data();
  const uint8_t* end = p + chunk.size();
  const size_t tag_bytes = tagged_ ? kTagBytes : 0;
  while (p < end) {
    if (static_cast<size_t>(end - p) < tag_bytes) p = nullptr;
    if (p) {
      batch->tags.push_back(tagged_ ? GetU64(p) : 0);
      batch->reads.emplace_back();
      p = Unpack(p + tag_bytes, end, &batch->reads.back());
    }
    if (!p) return InternalError("a deferred read is corrupt (scratch file damaged?)");
    if (batch->reads.size() >= batch_reads) {
      Batch full = std::exchange(*batch, {});
      DNASTORE_RETURN_IF_ERROR(fn(std::move(full.reads), std::move(full.tags)));
    }
  }
  return Status::Ok();
}

Status DeferredReads::Drain(size_t batch_reads, const BatchFn& fn) {
  return DrainTagged(batch_reads, [&fn](std::vector<PayloadRead>&& batch, std::vector<uint64_t>&&) {
    return fn(std::move(batch));
  });
}

Status DeferredReads::DrainTagged(size_t batch_reads, const TaggedBatchFn& fn) {
  batch_reads = std::max<size_t>(1, batch_reads);
  Batch batch;
  if (scratch_) {
    std::vector<uint8_t> chunk;
    for (uint64_t off = 0; off < scratch_->size;) {
      uint8_t head[4];
      auto got = scratch_->file.ReadAt(off, head, sizeof head);
      if (!got.ok()) return got.status();
      chunk.resize(GetU32(head));
      got = scratch_->file.ReadAt(off + sizeof head, chunk.data(), chunk.size());
      if (!got.ok()) return got.status();
      if (*got != chunk.size()) return IoError("the scratch file of deferred reads shrank");
      off += sizeof head + chunk.size();
      DNASTORE_RETURN_IF_ERROR(UnpackChunk(chunk, batch_reads, &batch, fn));
    }
    scratch_.reset();
  }
  for (auto& chunk : chunks_) {
    DNASTORE_RETURN_IF_ERROR(UnpackChunk(chunk, batch_reads, &batch, fn));
    std::vector<uint8_t>().swap(chunk);
  }
  chunks_.clear();
  in_memory_ = 0;
  reads_ = 0;
  bases_ = 0;
  if (!batch.reads.empty()) return fn(std::move(batch.reads), std::move(batch.tags));
  return Status::Ok();
}

}  // namespace dnastore
