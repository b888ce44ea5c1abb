// Stream ids of the simulator's random decisions: a stage tag mixed with an
// item index (core/rng.h MixIds), so every decision about item i comes from
// its own stream (DESIGN.md §2, determinism). The tags must stay distinct and
// must never change: they fix the output of a given seed.
#pragma once

#include <cstdint>

namespace dnastore::channel {

inline constexpr uint64_t kStreamOligo = 0x4f4c49474f;    // per-oligo decisions
inline constexpr uint64_t kStreamSampling = 0x53414d50;   // multinomial read counts
inline constexpr uint64_t kStreamRead = 0x52454144;       // per-read errors
inline constexpr uint64_t kStreamShuffle = 0x53485546;    // output permutation keys
inline constexpr uint64_t kStreamMolecules = 0x4d4f4c53;  // per-oligo molecule draws
inline constexpr uint64_t kStreamMolecule = 0x4d4f4c31;   // per-molecule synthesis, decay
inline constexpr uint64_t kStreamVariant = 0x56415249;    // per-variant synthesis (dt4dds)
inline constexpr uint64_t kStreamPick = 0x5049434b;       // which molecule a read copies
inline constexpr uint64_t kStreamQuality = 0x5155414c;    // quality bank, per-read qualities

}  // namespace dnastore::channel
