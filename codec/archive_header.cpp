#include "codec/archive_header.h"

#include <xxhash.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "codec/archive_layout.h"
#include "codec/data_frame.h"

namespace dnastore {
namespace {

constexpr uint8_t kHeaderMagic0 = 0xD7, kHeaderMagic1 = 0xA5;
constexpr int kHeaderFrameOverhead = 9;  // magic 2 + copy + seq + total + crc32 4

uint32_t Crc32(const uint8_t* data, size_t n) {
  return static_cast<uint32_t>(crc32(0L, data, static_cast<uInt>(n)));
}

void PutString(std::vector<uint8_t>& out, const std::string& s) {
  for (char c : s) out.push_back(static_cast<uint8_t>(c));
}

void PutUint(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Header frames of different chunks and copies must not look alike, or reads
// of different copies would cluster together: everything after the copy and
// sequence bytes is scrambled by a keystream of (copy, seq).
void ScrambleHeader(uint8_t* frame, int n) {
  ScrambleData(0xC0FFEE0000ULL + (static_cast<uint64_t>(frame[2]) << 8) + frame[3], frame + 4,
               n - 4);
}

}  // namespace

std::vector<uint8_t> SerializeHeader(const ArchiveParams& p) {
  std::vector<uint8_t> out = {'D', 'N', 'A', 'S'};
  const bool v2 = p.version == kFormatVersion2;
  out.push_back(static_cast<uint8_t>(v2 ? kFormatVersion2 : kFormatVersion));
  std::string codec = v2 ? kCodecIdV2 : kCodecId;
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
  if (v2) {
    out.push_back(static_cast<uint8_t>(p.data_rows));
    out.push_back(static_cast<uint8_t>(p.row_parity));
  } else {
    PutUint(out, p.stripe_blocks, 2);
  }
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

// Every field against what the format can express, before anyone allocates
// for it: a crafted header must not make a decoder reserve memory for a file
// its own index field could never address.
static Result<ArchiveParams> CheckAddressable(const ArchiveParams& p) {
  auto bad = [](const std::string& m) { return BadInput("archive header: " + m); };
  const OligoGeometry& g = p.geometry;
  if (g.payload_nt < kMinPayloadNt || g.payload_nt > kMaxPayloadNt)
    return bad("payload length " + std::to_string(g.payload_nt) + " nt is out of range");
  for (const std::string* primer : {&g.fwd_primer, &g.rev_primer})
    if (primer->size() < static_cast<size_t>(kMinPrimerNt) ||
        primer->size() > static_cast<size_t>(kMaxPrimerNt) ||
        primer->find_first_not_of("ACGT") != std::string::npos)
      return bad("a primer is not " + std::to_string(kMinPrimerNt) + "-" +
                 std::to_string(kMaxPrimerNt) + " nt of A, C, G, T");
  const Constraints& c = g.constraints;
  if (c.max_homopolymer < 1 || !(c.gc_min <= c.gc_max) || c.gc_max > 1.0 || p.header_copies < 1)
    return bad("constraints out of range");
  // The oligos the file needs must fit the index field, as the encoder chose
  // it (ChooseFrameLayout). The data oligos alone first: with at most 2^48
  // of them the exact count (at most 256 times as many) cannot overflow.
  const uint64_t index_space = uint64_t{1} << p.index_bits;
  const uint64_t data_oligos = p.file_size / p.data_bytes + (p.file_size % p.data_bytes != 0);
  const uint64_t total = ArchiveLayout(p).total_oligos();
  // v2 blocks may hold up to 255 x 255 frames for one data frame: bound the
  // parity as v1's shape does (a byte of state is allocated per oligo).
  const bool lean = p.version != kFormatVersion2 || total <= 256 * data_oligos + 65025;
  const bool fits = data_oligos <= index_space && total <= index_space && lean;
  if (!fits)
    return bad("a " + std::to_string(p.file_size) + "-byte file does not fit a " +
               std::to_string(p.index_bits) + "-bit oligo index");
  return p;
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
  if (version != kFormatVersion && version != kFormatVersion2)
    return bad("format version " + std::to_string(version) + " is not supported by this dnastore");
  const bool v2 = version == kFormatVersion2;
  size_t codec_len = get(1);
  if (!need(codec_len)) return bad("truncated");
  std::string codec(b.begin() + pos, b.begin() + pos + codec_len);
  pos += codec_len;
  if (codec != (v2 ? kCodecIdV2 : kCodecId)) return bad("unknown codec '" + codec + "'");
  ArchiveParams p;
  p.version = version;
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
  if (v2) {
    p.data_rows = static_cast<int>(get(1));
    p.row_parity = static_cast<int>(get(1));
  } else {
    p.stripe_blocks = static_cast<int>(get(2));
  }
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
  const bool shape_ok =
      v2 ? p.data_rows >= 1 && p.row_parity >= 0 && p.data_rows + p.row_parity <= 255
         : p.stripe_blocks >= 1;
  if (p.rs_k < 1 || p.rs_p < 0 || p.rs_k + p.rs_p > 255 || !shape_ok || p.data_bytes < 1 ||
      p.data_bytes > kMaxFrameBytes - 8 || p.index_bits < 1 || p.index_bits > 48)
    return bad("parameters out of range");
  return CheckAddressable(p);
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
  uint8_t plain[kMaxFrameBytes];
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

namespace {

// Variants of each chunk of one chunk count: (bytes, votes), by seq.
using ChunkVariants = std::vector<std::vector<std::pair<const std::vector<uint8_t>*, int>>>;

// A combination of chunk variants that parses: one archive's header.
struct Combination {
  AssembledHeader header;
  std::vector<const std::vector<uint8_t>*> chunks;  // by seq
  std::vector<int> votes;                           // by seq
};

// Every combination of one variant per chunk that parses, up to `limit`
// combinations tried (an odometer over the variants).
void AssembleCombinations(const ChunkVariants& chunks, int limit, std::vector<Combination>* out) {
  std::vector<size_t> pick(chunks.size(), 0);
  for (int tried = 0; tried < limit; ++tried) {
    Combination c;
    std::vector<uint8_t> bytes;
    for (size_t s = 0; s < chunks.size(); ++s) {
      const auto& [b, votes] = chunks[s][pick[s]];
      bytes.insert(bytes.end(), b->begin(), b->end());
      c.chunks.push_back(b);
      c.votes.push_back(votes);
      c.header.frames += static_cast<uint64_t>(votes);
    }
    if (auto parsed = ParseHeader(bytes); parsed.ok()) {
      c.header.params = *parsed;
      c.header.id = ArchiveId(*parsed);
      out->push_back(std::move(c));
    }
    size_t s = 0;
    while (s < chunks.size() && ++pick[s] == chunks[s].size()) pick[s++] = 0;
    if (s == chunks.size()) return;
  }
}

// Frames per header oligo over the chunks of `c` that no other combination
// has (all of them when every chunk is shared).
double Support(const Combination& c, const std::vector<Combination>& all) {
  uint64_t frames = 0, chunks = 0;
  for (size_t s = 0; s < c.chunks.size(); ++s) {
    const bool shared = std::any_of(all.begin(), all.end(), [&](const Combination& o) {
      return &o != &c && s < o.chunks.size() && *o.chunks[s] == *c.chunks[s];
    });
    if (shared) continue;
    frames += static_cast<uint64_t>(c.votes[s]);
    ++chunks;
  }
  if (chunks == 0) {
    frames = c.header.frames;
    chunks = c.chunks.size();
  }
  const double oligos = static_cast<double>(chunks) * std::max(1, c.header.params.header_copies);
  return static_cast<double>(frames) / oligos;
}

}  // namespace

std::string ArchiveId(const ArchiveParams& params) {
  const std::vector<uint8_t> bytes = SerializeHeader(params);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(bytes.data(), bytes.size())));
  return hex;
}

std::vector<AssembledHeader> HeaderAssembler::AssembleAll() const {
  // total -> seq -> variants, most votes first
  std::map<int, ChunkVariants> by_total;
  for (const auto& v : votes_) {
    auto [total, seq] = v.first;
    ChunkVariants& chunks = by_total[total];
    if (chunks.empty()) chunks.resize(static_cast<size_t>(total));
    if (seq < total) chunks[static_cast<size_t>(seq)].push_back({&v.second.first, v.second.second});
  }
  std::vector<Combination> combos;
  for (auto& [total, chunks] : by_total) {
    bool complete = true;
    for (auto& variants : chunks) {
      complete = complete && !variants.empty();
      std::stable_sort(variants.begin(), variants.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
    }
    if (complete) AssembleCombinations(chunks, kMaxCombinations, &combos);
  }
  std::vector<AssembledHeader> found;
  for (const Combination& c : combos) {
    found.push_back(c.header);
    found.back().support = Support(c, combos);
  }
  std::sort(found.begin(), found.end(), [](const AssembledHeader& a, const AssembledHeader& b) {
    return a.support != b.support ? a.support > b.support : a.id < b.id;
  });
  found.erase(std::unique(found.begin(), found.end(),
                          [](const auto& a, const auto& b) { return a.id == b.id; }),
              found.end());
  return found;
}

std::optional<ArchiveParams> HeaderAssembler::Assemble() const {
  std::vector<AssembledHeader> all = AssembleAll();
  if (all.empty()) return std::nullopt;
  return all.front().params;
}

Result<std::vector<std::string>> HeaderOligos(const ArchiveParams& params,
                                              const PayloadMapper& mapper) {
  const int body_bits = mapper.body_bits();
  const std::vector<uint8_t> header = SerializeHeader(params);
  const int chunk = HeaderChunkBytes(body_bits);
  const int chunks = static_cast<int>((header.size() + chunk - 1) / chunk);
  std::vector<uint8_t> frame(kMaxFrameBytes + 8);
  std::vector<std::string> oligos;
  for (int copy = 0; copy < params.header_copies; ++copy) {
    for (int seq = 0; seq < chunks; ++seq) {
      PackHeaderFrame(body_bits, header, seq, chunks, copy, frame.data());
      oligos.emplace_back();
      if (!mapper.Map(frame.data(), FrameKind::kHeader, &oligos.back()))
        return InternalError("no constraint seed maps header chunk " + std::to_string(seq));
    }
  }
  return oligos;
}

}  // namespace dnastore
