// Scalar GF(2^8) arithmetic over the primitive polynomial x^8+x^4+x^3+x^2+1
// (0x11D), the same field ISA-L uses, with generator alpha = 2. Used by the
// scalar parts of the Reed-Solomon decoder (Berlekamp-Massey, Chien, Forney);
// bulk arithmetic goes through ISA-L.
#pragma once

#include <cstdint>

namespace dnastore::gf256 {

struct Tables {
  uint8_t exp[512];  // exp[i] = alpha^i, doubled so exp[log a + log b] needs no modulo
  uint8_t log[256];  // log[0] is unused
};

const Tables& GetTables();

inline uint8_t Mul(uint8_t a, uint8_t b) {
  if (a == 0 || b == 0) return 0;
  const Tables& t = GetTables();
  return t.exp[t.log[a] + t.log[b]];
}
// a / b, b != 0.
inline uint8_t Div(uint8_t a, uint8_t b) {
  if (a == 0) return 0;
  const Tables& t = GetTables();
  return t.exp[t.log[a] + 255 - t.log[b]];
}
inline uint8_t Inv(uint8_t a) { return Div(1, a); }
// alpha^e for any integer e (reduced mod 255).
inline uint8_t Pow(int e) {
  e %= 255;
  if (e < 0) e += 255;
  return GetTables().exp[e];
}

// Slow reference multiplication (shift-and-add), for tests.
uint8_t MulSlow(uint8_t a, uint8_t b);

}  // namespace dnastore::gf256
