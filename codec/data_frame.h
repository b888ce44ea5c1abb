// The per-oligo data frame of archive format v1 (docs/format_v1.md): the
// bits one oligo carries before base mapping.
//
//   frame (MSB-first bits) = crc8 | data (D bytes, scrambled by index) | index
//
// The CRC-8 (polynomial 0x07) covers the scrambled data and the index; the
// index says where the D bytes belong (archive_layout.h).
#pragma once

#include <cstdint>

#include "dnastore/archive.h"

namespace dnastore {

// Upper bound on FrameBytes() for any supported payload (<= kMaxPayloadNt).
inline constexpr int kMaxFrameBytes = 128;

// Bytes holding a frame of `body_bits` bits.
int FrameBytes(int body_bits);

// Packs oligo `index`'s D data bytes into `frame` (FrameBytes(body_bits) bytes).
void PackDataFrame(const ArchiveParams& params, uint64_t index, const uint8_t* data,
                   uint8_t* frame);

// Unpacks a data frame; data is unscrambled into `data` (D bytes). When
// `crc_ok` is null, returns false if the CRC does not match; otherwise always
// unpacks (a "suspect" frame may still carry mostly right bytes) and reports
// the CRC result in *crc_ok.
bool UnpackDataFrame(const ArchiveParams& params, int body_bits, const uint8_t* frame,
                     uint64_t* index, uint8_t* data, bool* crc_ok = nullptr);

// XORs `n` bytes with the keystream of `key` (SplitMix64); applying it twice
// restores them. Data frames use their index as the key, header frames a key
// of their own (archive_header.cpp), so that no two frames look alike.
void ScrambleData(uint64_t key, uint8_t* data, int n);

}  // namespace dnastore
