// Phred+33 quality characters: the one place that knows the offset.
#pragma once

#include <algorithm>
#include <cmath>

namespace dnastore {

inline constexpr int kPhredOffset = 33;  // Sanger / Illumina 1.8+ FASTQ

// Phred score of a quality character (negative for characters below '!').
constexpr int PhredScore(char c) { return c - kPhredOffset; }
// Quality character of a Phred score (0..93).
constexpr char PhredChar(int q) { return static_cast<char>(q + kPhredOffset); }
// Error probability 10^(-Q/10) of a quality character; scores below 0 count as 0.
inline double PhredErrorProbability(char c) {
  return std::pow(10.0, -std::max(0, PhredScore(c)) / 10.0);
}

}  // namespace dnastore
