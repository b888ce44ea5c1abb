#include "codec/archive_format.h"

#include <xxhash.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <map>

#include "core/dna.h"
#include "core/rng.h"

namespace dnastore {
namespace {

constexpr uint8_t kHeaderMagic0 = 0xD7, kHeaderMagic1 = 0xA5;
constexpr int kHeaderFrameOverhead = 9;  // magic 2 + copy + seq + total + crc32 4

// CRC-8, polynomial 0x07, initial value 0, no reflection (table driven).
uint8_t Crc8(const uint8_t* data, size_t n) {
  static const auto table = [] {
    std::array<uint8_t, 256> t{};
    for (int v = 0; v < 256; ++v) {
      uint8_t crc = static_cast<uint8_t>(v);
      for (int b = 0; b < 8; ++b)
        crc =
            (crc & 0x80) ? static_cast<uint8_t>((crc << 1) ^ 0x07) : static_cast<uint8_t>(crc << 1);
      t[v] = crc;
    }
    return t;
  }();
  uint8_t crc = 0;
  for (size_t i = 0; i < n; ++i) crc = table[crc ^ data[i]];
  return crc;
}

uint32_t Crc32(const uint8_t* data, size_t n) {
  return static_cast<uint32_t>(crc32(0L, data, static_cast<uInt>(n)));
}

void ScrambleData(uint64_t index, uint8_t* data, int n) {
  uint64_t state = 0x5C4A3B1E0D9F8A7BULL ^ (index * 0xD1B54A32D192ED03ULL);
  uint64_t w = 0;
  for (int i = 0; i < n; ++i) {
    if (i % 8 == 0) w = SplitMix64(state);
    data[i] ^= static_cast<uint8_t>(w >> (8 * (i % 8)));
  }
}

void PutString(std::vector<uint8_t>& out, const std::string& s) {
  for (char c : s) out.push_back(static_cast<uint8_t>(c));
}

void PutUint(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

int ShortenedParity(int k_short, int k, int p) {
  if (k_short >= k) return p;
  int scaled = static_cast<int>((static_cast<int64_t>(p) * k_short + k - 1) / k);
  return std::max(scaled, std::min(p, 8));
}

ArchiveLayout::ArchiveLayout(const ArchiveParams& params) : params_(params) {
  const uint64_t d = params.data_bytes, k = params.rs_k, b = params.stripe_blocks;
  const uint64_t stripe_bytes = k * b * d;
  full_stripes_ = stripe_bytes ? params.file_size / stripe_bytes : 0;
  uint64_t rem = stripe_bytes ? params.file_size % stripe_bytes : 0;
  num_stripes_ = full_stripes_ + (rem ? 1 : 0);
  const uint64_t full_oligos = static_cast<uint64_t>(params.rs_k + params.rs_p) * b;
  total_oligos_ = full_stripes_ * full_oligos;
  data_oligos_ = full_stripes_ * k * b;
  if (rem) {
    last_.blocks = static_cast<int>(std::min<uint64_t>(b, (rem + k * d - 1) / (k * d)));
    last_.k = static_cast<int>((rem + last_.blocks * d - 1) / (last_.blocks * d));
    last_.p = ShortenedParity(last_.k, params.rs_k, params.rs_p);
    last_.first_index = total_oligos_;
    last_.data_offset = full_stripes_ * stripe_bytes;
    total_oligos_ += last_.oligos();
    data_oligos_ += static_cast<uint64_t>(last_.k) * last_.blocks;
  }
}

StripeLayout ArchiveLayout::Stripe(uint64_t s) const {
  if (s >= full_stripes_) return last_;
  StripeLayout st;
  st.k = params_.rs_k;
  st.p = params_.rs_p;
  st.blocks = params_.stripe_blocks;
  st.first_index = s * st.oligos();
  st.data_offset = s * static_cast<uint64_t>(st.k) * st.blocks * params_.data_bytes;
  return st;
}

uint64_t ArchiveLayout::StripeOf(uint64_t index) const {
  const uint64_t full_oligos =
      static_cast<uint64_t>(params_.rs_k + params_.rs_p) * params_.stripe_blocks;
  uint64_t s = index / full_oligos;
  return s < full_stripes_ ? s : full_stripes_;
}

Status ChooseFrameLayout(ArchiveParams& params, int body_bits) {
  for (int d = (body_bits - 8 - 1) / 8; d >= 1; --d) {
    params.data_bytes = d;
    int index_bits = body_bits - 8 - 8 * d;
    if (index_bits > 48) continue;  // keep D large; 48 bits address any file
    ArchiveLayout layout(params);
    uint64_t n = std::max<uint64_t>(layout.total_oligos(), 2);
    int need = 64 - std::countl_zero(n - 1);
    if (index_bits >= need) {
      params.index_bits = index_bits;
      return Status::Ok();
    }
  }
  return UsageError("the payload is too short to address " + std::to_string(params.file_size) +
                    " bytes; use a longer --oligo-length");
}

int FrameBytes(int body_bits) { return (body_bits + 7) / 8; }

void PackDataFrame(const ArchiveParams& params, uint64_t index, const uint8_t* data,
                   uint8_t* frame) {
  const int d = params.data_bytes;
  const int index_bytes = (params.index_bits + 7) / 8;
  std::memcpy(frame + 1, data, d);
  ScrambleData(index, frame + 1, d);
  // Index: the top index_bits of the remaining bytes, MSB-first.
  uint64_t v = index << (8 * index_bytes - params.index_bits);
  for (int i = 0; i < index_bytes; ++i)
    frame[1 + d + i] = static_cast<uint8_t>(v >> (8 * (index_bytes - 1 - i)));
  frame[0] = Crc8(frame + 1, d + index_bytes);
}

bool UnpackDataFrame(const ArchiveParams& params, int body_bits, const uint8_t* frame,
                     uint64_t* index, uint8_t* data, bool* crc_ok) {
  (void)body_bits;
  const int d = params.data_bytes;
  const int index_bytes = (params.index_bits + 7) / 8;
  uint8_t tmp[kMaxFrameBytes];
  std::memcpy(tmp, frame + 1, d + index_bytes);
  // Clear bits beyond the frame (the mapper may leave noise there).
  const int spare = 8 * index_bytes - params.index_bits;
  tmp[d + index_bytes - 1] &= static_cast<uint8_t>(0xFF << spare);
  const bool ok = Crc8(tmp, d + index_bytes) == frame[0];
  if (crc_ok) *crc_ok = ok;
  if (!ok && !crc_ok) return false;
  uint64_t v = 0;
  for (int i = 0; i < index_bytes; ++i) v = (v << 8) | tmp[d + i];
  *index = v >> spare;
  std::memcpy(data, tmp, d);
  ScrambleData(*index, data, d);
  return true;
}

std::vector<uint8_t> SerializeHeader(const ArchiveParams& p) {
  std::vector<uint8_t> out = {'D', 'N', 'A', 'S'};
  out.push_back(kFormatVersion);
  std::string codec = kCodecId;
  out.push_back(static_cast<uint8_t>(codec.size()));
  PutString(out, codec);
  const OligoGeometry& g = p.geometry;
  out.push_back(static_cast<uint8_t>(g.mapping));
  PutUint(out, g.payload_nt, 2);
  for (const std::string* s : {&g.fwd_primer, &g.rev_primer}) {
    out.push_back(static_cast<uint8_t>(s->size()));
    PutString(out, *s);
  }
  out.push_back(static_cast<uint8_t>(g.constraints.max_homopolymer));
  PutUint(out, static_cast<uint64_t>(std::lround(g.constraints.gc_min * 1000)), 2);
  PutUint(out, static_cast<uint64_t>(std::lround(g.constraints.gc_max * 1000)), 2);
  out.push_back(static_cast<uint8_t>(p.rs_k));
  out.push_back(static_cast<uint8_t>(p.rs_p));
  PutUint(out, p.stripe_blocks, 2);
  out.push_back(static_cast<uint8_t>(p.data_bytes));
  out.push_back(static_cast<uint8_t>(p.index_bits));
  out.push_back(static_cast<uint8_t>(p.header_copies));
  PutUint(out, p.file_size, 8);
  out.insert(out.end(), p.hash.begin(), p.hash.end());
  std::string name = p.file_name.substr(0, 255);
  out.push_back(static_cast<uint8_t>(name.size()));
  PutString(out, name);
  PutUint(out, Crc32(out.data(), out.size()), 4);
  return out;
}

Result<ArchiveParams> ParseHeader(const std::vector<uint8_t>& b) {
  size_t pos = 0;
  auto bad = [](const std::string& m) { return BadInput("archive header: " + m); };
  auto need = [&](size_t n) { return pos + n <= b.size(); };
  auto get = [&](int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | b[pos++];
    return v;
  };
  if (b.size() < 4 + 4 || std::memcmp(b.data(), "DNAS", 4) != 0) return bad("bad magic");
  // The CRC covers everything before it; find the end by parsing.
  pos = 4;
  if (!need(2)) return bad("truncated");
  int version = static_cast<int>(get(1));
  if (version != kFormatVersion)
    return bad("format version " + std::to_string(version) + " is not supported by this dnastore");
  size_t codec_len = get(1);
  if (!need(codec_len)) return bad("truncated");
  std::string codec(b.begin() + pos, b.begin() + pos + codec_len);
  pos += codec_len;
  if (codec != kCodecId) return bad("unknown codec '" + codec + "'");
  ArchiveParams p;
  if (!need(3)) return bad("truncated");
  int mapping = static_cast<int>(get(1));
  if (mapping > 1) return bad("unknown mapping");
  p.geometry.mapping = static_cast<Mapping>(mapping);
  p.geometry.payload_nt = static_cast<int>(get(2));
  for (std::string* s : {&p.geometry.fwd_primer, &p.geometry.rev_primer}) {
    if (!need(1)) return bad("truncated");
    size_t len = get(1);
    if (!need(len)) return bad("truncated");
    s->assign(b.begin() + pos, b.begin() + pos + len);
    pos += len;
  }
  if (!need(1 + 2 + 2 + 1 + 1 + 2 + 1 + 1 + 1 + 8 + 16 + 1)) return bad("truncated");
  p.geometry.constraints.max_homopolymer = static_cast<int>(get(1));
  p.geometry.constraints.gc_min = static_cast<double>(get(2)) / 1000.0;
  p.geometry.constraints.gc_max = static_cast<double>(get(2)) / 1000.0;
  p.rs_k = static_cast<int>(get(1));
  p.rs_p = static_cast<int>(get(1));
  p.stripe_blocks = static_cast<int>(get(2));
  p.data_bytes = static_cast<int>(get(1));
  p.index_bits = static_cast<int>(get(1));
  p.header_copies = static_cast<int>(get(1));
  p.file_size = get(8);
  for (auto& h : p.hash) h = static_cast<uint8_t>(get(1));
  size_t name_len = get(1);
  if (!need(name_len + 4)) return bad("truncated");
  p.file_name.assign(b.begin() + pos, b.begin() + pos + name_len);
  pos += name_len;
  uint32_t crc = static_cast<uint32_t>(get(4));
  if (crc != Crc32(b.data(), pos - 4)) return bad("checksum mismatch");
  if (p.rs_k < 1 || p.rs_p < 0 || p.rs_k + p.rs_p > 255 || p.stripe_blocks < 1 ||
      p.data_bytes < 1 || p.data_bytes > kMaxFrameBytes - 8 || p.index_bits < 1 ||
      p.index_bits > 48)
    return bad("parameters out of range");
  return p;
}

// Header frames of different chunks and copies must not look alike, or reads
// of different copies would cluster together: everything after the copy and
// sequence bytes is scrambled by a keystream of (copy, seq).
void ScrambleHeader(uint8_t* frame, int n) {
  ScrambleData(0xC0FFEE0000ULL + (static_cast<uint64_t>(frame[2]) << 8) + frame[3], frame + 4,
               n - 4);
}

int HeaderChunkBytes(int body_bits) { return body_bits / 8 - kHeaderFrameOverhead; }

void PackHeaderFrame(int body_bits, const std::vector<uint8_t>& header, int seq, int total,
                     int copy, uint8_t* frame) {
  const int chunk = HeaderChunkBytes(body_bits);
  std::memset(frame, 0, FrameBytes(body_bits));
  frame[0] = kHeaderMagic0;
  frame[1] = kHeaderMagic1;
  frame[2] = static_cast<uint8_t>(copy);
  frame[3] = static_cast<uint8_t>(seq);
  frame[4] = static_cast<uint8_t>(total);
  for (int i = 0; i < chunk; ++i) {
    size_t src = static_cast<size_t>(seq) * chunk + i;
    frame[5 + i] = src < header.size() ? header[src] : 0;
  }
  uint32_t crc = Crc32(frame, 5 + chunk);
  for (int i = 0; i < 4; ++i) frame[5 + chunk + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  ScrambleHeader(frame, 5 + chunk + 4);
}

std::optional<HeaderChunk> UnpackHeaderFrame(int body_bits, const uint8_t* frame) {
  const int chunk = HeaderChunkBytes(body_bits);
  if (chunk < 1 || frame[0] != kHeaderMagic0 || frame[1] != kHeaderMagic1) return std::nullopt;
  uint8_t plain[128];
  std::memcpy(plain, frame, 5 + chunk + 4);
  ScrambleHeader(plain, 5 + chunk + 4);
  frame = plain;
  uint32_t crc = 0;
  for (int i = 0; i < 4; ++i) crc = (crc << 8) | frame[5 + chunk + i];
  if (crc != Crc32(frame, 5 + chunk)) return std::nullopt;
  HeaderChunk c;
  c.copy = frame[2];
  c.seq = frame[3];
  c.total = frame[4];
  if (c.total == 0 || c.seq >= c.total) return std::nullopt;
  c.bytes.assign(frame + 5, frame + 5 + chunk);
  return c;
}

void HeaderAssembler::Add(const HeaderChunk& chunk) {
  ++seen_;
  for (auto& v : votes_) {
    if (v.first == std::make_pair(chunk.total, chunk.seq) && v.second.first == chunk.bytes) {
      ++v.second.second;
      return;
    }
  }
  votes_.push_back({{chunk.total, chunk.seq}, {chunk.bytes, 1}});
}

std::optional<ArchiveParams> HeaderAssembler::Assemble() const {
  std::map<int, std::map<int, std::pair<const std::vector<uint8_t>*, int>>> best;
  for (const auto& v : votes_) {
    auto& slot = best[v.first.first][v.first.second];
    if (!slot.first || v.second.second > slot.second) slot = {&v.second.first, v.second.second};
  }
  for (const auto& [total, chunks] : best) {
    if (static_cast<int>(chunks.size()) != total) continue;
    std::vector<uint8_t> bytes;
    for (const auto& [seq, c] : chunks) bytes.insert(bytes.end(), c.first->begin(), c.first->end());
    auto parsed = ParseHeader(bytes);
    if (parsed.ok()) return *parsed;
  }
  return std::nullopt;
}

// The xxHash state behind ContentHasher (XXH3_state_t is opaque to callers).
struct ContentHasher::State {
  State() : xxh(XXH3_createState()) { XXH3_128bits_reset(xxh); }
  ~State() { XXH3_freeState(xxh); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  XXH3_state_t* xxh;
};

ContentHasher::ContentHasher() : state_(std::make_unique<State>()) {}
ContentHasher::~ContentHasher() = default;
ContentHasher::ContentHasher(ContentHasher&&) noexcept = default;
ContentHasher& ContentHasher::operator=(ContentHasher&&) noexcept = default;
void ContentHasher::Update(const uint8_t* data, size_t size) {
  XXH3_128bits_update(state_->xxh, data, size);
}
std::array<uint8_t, 16> ContentHasher::Digest() const {
  XXH128_hash_t h = XXH3_128bits_digest(state_->xxh);
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, h);
  std::array<uint8_t, 16> out;
  std::memcpy(out.data(), c.digest, 16);
  return out;
}

std::string HashHex(const std::array<uint8_t, 16>& hash) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (uint8_t b : hash) {
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

}  // namespace dnastore
