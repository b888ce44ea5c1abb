// Nucleotide codes and small sequence helpers shared by codec and channel.
//
// Two-bit code: A=0, C=1, G=2, T=3, so complement(x) == 3 - x and a base is
// G or C exactly when its two bits differ.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dnastore {

inline constexpr char kBases[4] = {'A', 'C', 'G', 'T'};

// Base code of every byte: 0..3 for A/C/G/T (either case), -1 otherwise.
struct BaseCodeTable {
  int8_t code[256];
  constexpr BaseCodeTable() : code() {
    for (int i = 0; i < 256; ++i) code[i] = -1;
    code['A'] = code['a'] = 0;
    code['C'] = code['c'] = 1;
    code['G'] = code['g'] = 2;
    code['T'] = code['t'] = 3;
  }
};
inline constexpr BaseCodeTable kBaseCodeTable{};

// Returns 0..3 for A/C/G/T (either case), or -1 for anything else (N, IUPAC).
inline int BaseCode(char c) { return kBaseCodeTable.code[static_cast<uint8_t>(c)]; }

constexpr char ComplementBase(char c) {
  switch (c) {
    case 'A':
      return 'T';
    case 'C':
      return 'G';
    case 'G':
      return 'C';
    case 'T':
      return 'A';
    case 'a':
      return 't';
    case 'c':
      return 'g';
    case 'g':
      return 'c';
    case 't':
      return 'a';
    default:
      return 'N';
  }
}

// Reverse complement of an ACGT string (other characters become 'N').
std::string ReverseComplement(std::string_view seq);
// Same, in place.
void ReverseComplementInPlace(std::string* seq);

// Upper-cases ACGT and maps every other character to 'N'.
std::string NormalizeBases(std::string_view seq);

// Longest run of one identical base in seq.
int MaxHomopolymer(std::string_view seq);

// Fraction of G and C in seq (0 for an empty sequence).
double GcFraction(std::string_view seq);

}  // namespace dnastore
