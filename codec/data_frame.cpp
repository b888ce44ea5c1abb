#include "codec/data_frame.h"

#include <array>
#include <cstring>

#include "core/rng.h"

namespace dnastore {
namespace {

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

}  // namespace

void ScrambleData(uint64_t key, uint8_t* data, int n) {
  uint64_t state = 0x5C4A3B1E0D9F8A7BULL ^ (key * 0xD1B54A32D192ED03ULL);
  uint64_t w = 0;
  for (int i = 0; i < n; ++i) {
    if (i % 8 == 0) w = SplitMix64(state);
    data[i] ^= static_cast<uint8_t>(w >> (8 * (i % 8)));
  }
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

}  // namespace dnastore
