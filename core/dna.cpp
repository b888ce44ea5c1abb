#include "core/dna.h"

#include <array>

namespace dnastore {

namespace {
constexpr auto kComplement = [] {
  std::array<char, 256> t{};
  for (int i = 0; i < 256; ++i) t[i] = ComplementBase(static_cast<char>(i));
  return t;
}();
}  // namespace

std::string ReverseComplement(std::string_view seq) {
  std::string out(seq.size(), 'N');
  for (size_t i = 0; i < seq.size(); ++i)
    out[seq.size() - 1 - i] = kComplement[static_cast<unsigned char>(seq[i])];
  return out;
}

void ReverseComplementInPlace(std::string* seq) {
  std::string& s = *seq;
  const size_t n = s.size();
  for (size_t i = 0; i < n / 2; ++i) {
    const char a = kComplement[static_cast<unsigned char>(s[i])];
    s[i] = kComplement[static_cast<unsigned char>(s[n - 1 - i])];
    s[n - 1 - i] = a;
  }
  if (n & 1) s[n / 2] = kComplement[static_cast<unsigned char>(s[n / 2])];
}

std::string NormalizeBases(std::string_view seq) {
  static constexpr auto kNormal = [] {
    std::array<char, 256> t{};
    for (int i = 0; i < 256; ++i) {
      int c = kBaseCodeTable.code[i];
      t[i] = c < 0 ? 'N' : kBases[c];
    }
    return t;
  }();
  std::string out(seq.size(), 'N');
  for (size_t i = 0; i < seq.size(); ++i) out[i] = kNormal[static_cast<uint8_t>(seq[i])];
  return out;
}

int MaxHomopolymer(std::string_view seq) {
  int best = 0, run = 0;
  for (size_t i = 0; i < seq.size(); ++i) {
    run = (i > 0 && seq[i] == seq[i - 1]) ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

double GcFraction(std::string_view seq) {
  if (seq.empty()) return 0.0;
  size_t gc = 0;
  for (char c : seq) gc += (c == 'G' || c == 'C' || c == 'g' || c == 'c');
  return static_cast<double>(gc) / static_cast<double>(seq.size());
}

}  // namespace dnastore
