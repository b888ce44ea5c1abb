// Constrained base mapping: turns a frame (a fixed number of bits) into the
// payload of one oligo and back. This is one of the codec's pluggable stage
// boundaries (MakeMapper is the factory).
//
// Both mappers reserve the first nucleotides of the payload for a "seed" that
// selects a pseudo-random whitening keystream; the encoder tries seeds in
// order until the whole oligo (primers included) satisfies the constraints:
// homopolymer runs <= max_homopolymer, GC fraction within [gc_min, gc_max],
// and no occurrence of either primer (or its reverse complement) anywhere but
// at the two primer sites. The decoder reads the seed back and removes the
// keystream. See docs/format_v1.md for the exact bit layout.
//
// - kDirect: 2 bits per nucleotide after whitening; 4-nt seed (256 seeds).
// - kTransition: terminator-free TdT-safe. No two consecutive payload bases
//   are equal; each base stores one trit as the transition from the previous
//   base (log2(3) bits/nt), so a wrong homopolymer run length cannot corrupt
//   data once runs are collapsed. 5-trit seed (243 seeds). The first payload
//   base differs from the last base of the forward primer and the last
//   payload base differs from the first base after the payload.
//
// Thread-safety: mappers are immutable after construction; Map and Demap may
// be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dnastore/archive.h"

namespace dnastore {

// Keystream families: data frames and header frames are whitened
// differently so that neither can be mistaken for the other.
enum class FrameKind : uint8_t { kData = 0, kHeader = 1 };

class PayloadMapper {
 public:
  virtual ~PayloadMapper() = default;
  // Bits of frame carried by one oligo.
  virtual int body_bits() const = 0;
  // Writes the full oligo (primers included) carrying `frame` (body_bits()
  // bits, MSB-first, unused trailing bits ignored) into *oligo. Returns false
  // when no seed satisfies the constraints (practically never for sane
  // constraints; the caller reports it).
  virtual bool Map(const uint8_t* frame, FrameKind kind, std::string* oligo) const = 0;
  // Recovers the frame from a payload (primers removed, forward strand).
  // Returns false when the payload has the wrong length or cannot be a
  // valid payload (the frame CRC catches the rest).
  virtual bool Demap(std::string_view payload, FrameKind kind, uint8_t* frame) const = 0;
  // The mapper's own (fast) constraint check on a complete oligo; tests
  // compare it with CheckOligoConstraints.
  virtual bool SatisfiesConstraints(std::string_view oligo) const = 0;
};

// Checks the constraints on a complete oligo, the slow obvious way. Returns an
// empty string when they hold, or a description of the first violation.
std::string CheckOligoConstraints(std::string_view oligo, const OligoGeometry& geometry);

// Factory. Fails (returns nullptr and sets *error) when the geometry is
// unusable: payload too short, primers violating the constraints, etc.
std::unique_ptr<PayloadMapper> MakeMapper(const OligoGeometry& geometry, std::string* error);

}  // namespace dnastore
