// Reed-Solomon codes over GF(2^8) (n = k + p <= 255 symbols), systematic,
// generator g(x) = prod_{i=0}^{p-1} (x - alpha^i). Codeword position j
// (0 <= j < n; data first, then parity) holds the coefficient of x^(n-1-j).
// Shortened codes are just smaller k.
//
// Bulk work (encoding, syndromes, erasure filling) runs through ISA-L on
// "columns": the caller passes one buffer per codeword position, and byte t of
// every buffer together forms codeword t. Long buffers (many codewords per
// call) are what make ISA-L fast. Errors-and-erasures decoding of single
// codewords (Berlekamp-Massey, Chien search, Forney) is scalar.
//
// Thread-safety: a ReedSolomon object is immutable after construction and may
// be shared by threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dnastore {

class ReedSolomon {
 public:
  // Precondition: k >= 1, p >= 0, k + p <= 255.
  ReedSolomon(int k, int p);

  int k() const { return k_; }
  int p() const { return p_; }
  int n() const { return k_ + p_; }

  // Computes the p parity buffers from the k data buffers, each `len` bytes.
  void Encode(size_t len, const uint8_t* const* data, uint8_t* const* parity) const;

  // Syndromes S_r = c(alpha^r), r < p, of the n received buffers (each `len`
  // bytes) into p buffers. All zero iff every column is a codeword.
  void Syndromes(size_t len, const uint8_t* const* codeword, uint8_t* const* syndromes) const;

  // Decodes one codeword in place. `erasures` lists known-bad positions.
  // Corrects any combination of e erasures and t errors with e + 2t <= p.
  // Returns the number of symbols changed, or -1 when the word is not
  // decodable (too many errors detected). Beyond the design limit a wrong
  // codeword may be returned; callers verify with an outer hash.
  int DecodeWord(uint8_t* word, const std::vector<int>& erasures) const;

  // Fills the erased positions of a batch of columns when there are no other
  // errors: `codeword` holds n buffers of `len` bytes (erased positions may
  // hold anything), `erasures` at most p positions. Returns false when there
  // are more erasures than p. Columns that still have nonzero syndromes after
  // filling are decoded again with DecodeWord (errors and erasures); the
  // number of such columns that could not be decoded is returned in
  // *failed_columns; columns repaired that way are counted in
  // *corrected_columns when it is not null.
  bool DecodeColumns(size_t len, uint8_t* const* codeword, const std::vector<int>& erasures,
                     size_t* failed_columns, size_t* corrected_columns = nullptr) const;

  // Writes the values of the erased positions (at most p) computed from the
  // syndromes of the received columns with those positions zeroed, assuming
  // no other errors: syndromes[r] + offset .. + len for r < p, one output
  // buffer per erasure. Scalar table lookups; cost e*e*len.
  void FillErasures(size_t len, const uint8_t* const* syndromes, size_t offset,
                    const std::vector<int>& erasures, uint8_t* const* out) const;

  // Slow reference encoder: polynomial long division, one codeword.
  void EncodeWordSlow(const uint8_t* data, uint8_t* parity) const;

 private:
  uint8_t Locator(int pos) const;  // X_j = alpha^(n-1-j)
  // Erasure locator prod (1 + X_j x), little-endian coefficients.
  std::vector<uint8_t> ErasureLocator(const std::vector<int>& erasures) const;
  // Syndromes of one word into s[0..p); true when all are zero.
  bool WordSyndromes(const uint8_t* word, uint8_t* s) const;
  int k_, p_;
  std::vector<uint8_t> gen_;         // generator polynomial, gen_[i] = coeff of x^i, size p+1
  std::vector<uint8_t> enc_tables_;  // ISA-L tables for encoding (p x k)
  std::vector<uint8_t> syn_tables_;  // ISA-L tables for syndromes (p x n)
};

}  // namespace dnastore
