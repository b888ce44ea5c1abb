// The quality model: Phred+33 quality strings consistent with the errors
// injected, as real base callers report them. Correct bases copy a row of a
// seeded bank of pre-drawn quality rows (the technology's profile along the
// read: illumina.cpp, nanopore.cpp); bases with an injected sequencing error
// then get a quality drawn from the error-quality table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "channel/mutation.h"
#include "core/rng.h"
#include "dnastore/channel_config.h"

namespace dnastore::channel {

inline constexpr int kQualityBankRows = 1024;

struct QualityModel {
  std::vector<std::string> rows;              // kQualityBankRows rows of row_len chars
  std::vector<std::vector<uint32_t>> prefix;  // phred prefix sums per row
  char error_q[256];                          // qualities of error bases, drawn by a byte
  uint32_t row_len = 0;
  bool constant = false;  // perfect sequencing: every base rows[0][0]
};

// The bank for `model`, rows of row_len qualities (at least the longest read),
// drawn from (seed, kStreamQuality).
QualityModel BuildQualityModel(SequencingModel model, uint64_t seed, uint32_t row_len);

// Writes the qualities of a read's first n_out output bases to dst: a bank
// row picked by `rng`, then error qualities at the token indices `err` (as
// indices into v; `reverse`: the read is v's reverse complement). Adds the
// Phred scores written to phred_sum.
void DrawQualities(const QualityModel& q, Rng& rng, const View& v, bool reverse,
                   const std::vector<uint32_t>& err, uint32_t n_out, char* dst,
                   uint64_t& phred_sum);

}  // namespace dnastore::channel
