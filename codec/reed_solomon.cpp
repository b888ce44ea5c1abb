#include "codec/reed_solomon.h"

#include <isa-l/erasure_code.h>

#include <algorithm>
#include <cstring>

#include "codec/gf256.h"

namespace dnastore {

using gf256::Div;
using gf256::Mul;
using gf256::Pow;

ReedSolomon::ReedSolomon(int k, int p) : k_(k), p_(p) {
  // g(x) = prod (x - alpha^i), little-endian coefficients.
  gen_.assign(1, 1);
  for (int i = 0; i < p_; ++i) {
    std::vector<uint8_t> next(gen_.size() + 1, 0);
    uint8_t root = Pow(i);
    for (size_t j = 0; j < gen_.size(); ++j) {
      next[j + 1] ^= gen_[j];
      next[j] ^= Mul(gen_[j], root);
    }
    gen_ = std::move(next);
  }
  const int n = k_ + p_;
  if (p_ > 0) {
    // Column i of the parity matrix is x^(n-1-i) mod g(x); build remainders
    // for exponents p..n-1 incrementally.
    std::vector<uint8_t> a(static_cast<size_t>(p_) * k_);
    std::vector<uint8_t> rem(p_);
    for (int i = 0; i < p_; ++i) rem[i] = gen_[i];  // x^p mod g
    for (int e = p_; e <= n - 1; ++e) {
      int i = n - 1 - e;  // data position with this exponent
      for (int t = 0; t < p_; ++t) a[static_cast<size_t>(t) * k_ + i] = rem[p_ - 1 - t];
      uint8_t top = rem[p_ - 1];
      for (int j = p_ - 1; j > 0; --j) rem[j] = rem[j - 1] ^ Mul(top, gen_[j]);
      rem[0] = Mul(top, gen_[0]);
    }
    enc_tables_.resize(32 * static_cast<size_t>(k_) * p_);
    ec_init_tables(k_, p_, a.data(), enc_tables_.data());
    std::vector<uint8_t> h(static_cast<size_t>(p_) * n);
    for (int r = 0; r < p_; ++r)
      for (int j = 0; j < n; ++j) h[static_cast<size_t>(r) * n + j] = Pow(r * (n - 1 - j));
    syn_tables_.resize(32 * static_cast<size_t>(n) * p_);
    ec_init_tables(n, p_, h.data(), syn_tables_.data());
  }
}

uint8_t ReedSolomon::Locator(int pos) const { return Pow(n() - 1 - pos); }

std::vector<uint8_t> ReedSolomon::ErasureLocator(const std::vector<int>& erasures) const {
  // Gamma(x) = prod (1 + X_j x), little-endian coefficients.
  std::vector<uint8_t> gamma(1, 1);
  for (int j : erasures) {
    uint8_t xj = Locator(j);
    gamma.push_back(0);
    for (size_t i = gamma.size() - 1; i > 0; --i) gamma[i] ^= Mul(gamma[i - 1], xj);
  }
  return gamma;
}

bool ReedSolomon::WordSyndromes(const uint8_t* word, uint8_t* s) const {
  bool all_zero = true;
  for (int r = 0; r < p_; ++r) {
    uint8_t acc = 0, x = Pow(r);
    for (int j = 0; j < n(); ++j) acc = Mul(acc, x) ^ word[j];  // c(alpha^r), big-endian Horner
    s[r] = acc;
    all_zero &= (acc == 0);
  }
  return all_zero;
}

void ReedSolomon::Encode(size_t len, const uint8_t* const* data, uint8_t* const* parity) const {
  if (p_ == 0 || len == 0) return;
  ec_encode_data(static_cast<int>(len), k_, p_, const_cast<uint8_t*>(enc_tables_.data()),
                 const_cast<uint8_t**>(data), const_cast<uint8_t**>(parity));
}

void ReedSolomon::Syndromes(size_t len, const uint8_t* const* codeword,
                            uint8_t* const* syndromes) const {
  if (p_ == 0 || len == 0) return;
  ec_encode_data(static_cast<int>(len), n(), p_, const_cast<uint8_t*>(syn_tables_.data()),
                 const_cast<uint8_t**>(codeword), const_cast<uint8_t**>(syndromes));
}

void ReedSolomon::EncodeWordSlow(const uint8_t* data, uint8_t* parity) const {
  // Remainder of m(x) x^p divided by g(x), by long division (big-endian).
  const int n = k_ + p_;
  std::vector<uint8_t> msg(n, 0);
  std::copy(data, data + k_, msg.begin());
  for (int i = 0; i < k_; ++i) {
    uint8_t coef = msg[i];
    if (coef == 0) continue;
    for (int j = 1; j <= p_; ++j) msg[i + j] ^= Mul(gen_[p_ - j], coef);
  }
  std::copy(msg.begin() + k_, msg.end(), parity);
}

namespace {

uint8_t EvalPoly(const std::vector<uint8_t>& poly, uint8_t x) {  // little-endian, Horner
  uint8_t y = 0;
  for (size_t i = poly.size(); i-- > 0;) y = Mul(y, x) ^ poly[i];
  return y;
}

uint8_t EvalDerivative(const std::vector<uint8_t>& poly, uint8_t x) {
  // Formal derivative in characteristic 2 keeps only odd terms.
  uint8_t y = 0, xp = 1, x2 = Mul(x, x);
  for (size_t i = 1; i < poly.size(); i += 2) {
    y ^= Mul(poly[i], xp);
    xp = Mul(xp, x2);
  }
  return y;
}

}  // namespace

int ReedSolomon::DecodeWord(uint8_t* word, const std::vector<int>& erasures) const {
  const int n = this->n();
  const int e = static_cast<int>(erasures.size());
  if (e > p_) return -1;
  for (int j : erasures) word[j] = 0;
  std::vector<uint8_t> s(p_, 0);
  if (WordSyndromes(word, s.data())) return 0;
  std::vector<uint8_t> lambda = ErasureLocator(erasures);
  // Berlekamp-Massey initialised with the erasure locator.
  std::vector<uint8_t> old = lambda;
  for (int kk = e; kk < p_; ++kk) {
    uint8_t delta = 0;
    for (size_t i = 0; i < lambda.size() && static_cast<int>(i) <= kk; ++i)
      delta ^= Mul(lambda[i], s[kk - i]);
    old.insert(old.begin(), 0);  // old *= x
    if (delta != 0) {
      if (old.size() > lambda.size()) {
        std::vector<uint8_t> new_lambda(old.size());
        for (size_t i = 0; i < old.size(); ++i) new_lambda[i] = Mul(old[i], delta);
        uint8_t inv = Div(1, delta);
        old.assign(lambda.size(), 0);
        for (size_t i = 0; i < lambda.size(); ++i) old[i] = Mul(lambda[i], inv);
        // lambda_new = lambda + delta*old_shifted; computed as new_lambda + lambda
        for (size_t i = 0; i < lambda.size(); ++i) new_lambda[i] ^= lambda[i];
        lambda = std::move(new_lambda);
      } else {
        for (size_t i = 0; i < old.size(); ++i) lambda[i] ^= Mul(old[i], delta);
      }
    }
  }
  while (lambda.size() > 1 && lambda.back() == 0) lambda.pop_back();
  const int degree = static_cast<int>(lambda.size()) - 1;
  if (degree == 0) return -1;
  const int t = degree - e;
  if (2 * t + e > p_) return -1;
  // Chien search over the (possibly shortened) positions.
  std::vector<int> positions;
  for (int j = 0; j < n; ++j) {
    if (EvalPoly(lambda, Div(1, Locator(j))) == 0) positions.push_back(j);
  }
  if (static_cast<int>(positions.size()) != degree) return -1;
  // Omega = S * Lambda mod x^p.
  std::vector<uint8_t> omega(p_, 0);
  for (int i = 0; i < p_; ++i)
    for (size_t j = 0; j < lambda.size() && static_cast<int>(j) <= i; ++j)
      omega[i] ^= Mul(s[i - j], lambda[j]);
  int changed = 0;
  for (int j : positions) {
    uint8_t xj = Locator(j), xinv = Div(1, xj);
    uint8_t den = EvalDerivative(lambda, xinv);
    if (den == 0) return -1;
    uint8_t mag = Mul(xj, Div(EvalPoly(omega, xinv), den));
    if (mag) ++changed;
    word[j] ^= mag;
  }
  // Verify.
  if (!WordSyndromes(word, s.data())) return -1;
  return changed;
}

namespace {

// 64 KiB table: kMulTable[a][b] = a*b in GF(2^8).
const std::vector<uint8_t>& MulTable() {
  static const std::vector<uint8_t> table = [] {
    std::vector<uint8_t> t(65536);
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) t[a * 256 + b] = Mul(a, b);
    return t;
  }();
  return table;
}

}  // namespace

void ReedSolomon::FillErasures(size_t len, const uint8_t* const* syndromes, size_t offset,
                               const std::vector<int>& erasures, uint8_t* const* out) const {
  const int e = static_cast<int>(erasures.size());
  if (e == 0) return;
  const std::vector<uint8_t> gamma = ErasureLocator(erasures);
  const std::vector<uint8_t>& mt = MulTable();
  std::vector<uint8_t> xpow(e);
  for (int v = 0; v < e; ++v) {
    uint8_t xj = Locator(erasures[v]), xinv = Div(1, xj);
    uint8_t scale = Div(xj, EvalDerivative(gamma, xinv));
    xpow[0] = 1;
    for (int m = 1; m < e; ++m) xpow[m] = Mul(xpow[m - 1], xinv);
    uint8_t* dst = out[v];
    std::memset(dst, 0, len);
    for (int r = 0; r < e; ++r) {
      uint8_t acc = 0;
      for (int m = r; m < e; ++m) acc ^= Mul(gamma[m - r], xpow[m]);
      const uint8_t coef = Mul(scale, acc);
      if (coef == 0) continue;
      const uint8_t* row = mt.data() + coef * 256;
      const uint8_t* src = syndromes[r] + offset;
      for (size_t c = 0; c < len; ++c) dst[c] ^= row[src[c]];
    }
  }
}

bool ReedSolomon::DecodeColumns(size_t len, uint8_t* const* codeword,
                                const std::vector<int>& erasures, size_t* failed_columns,
                                size_t* corrected_columns) const {
  *failed_columns = 0;
  if (corrected_columns) *corrected_columns = 0;
  const int e = static_cast<int>(erasures.size());
  if (e > p_) return false;
  if (p_ == 0 || len == 0) return true;
  const int n = this->n();
  for (int j : erasures) std::memset(codeword[j], 0, len);
  std::vector<uint8_t> syn_store(static_cast<size_t>(p_) * len);
  std::vector<uint8_t*> syn(p_);
  for (int r = 0; r < p_; ++r) syn[r] = syn_store.data() + static_cast<size_t>(r) * len;
  Syndromes(len, codeword, syn.data());
  if (e > 0) {
    std::vector<uint8_t*> out(e);
    for (int v = 0; v < e; ++v) out[v] = codeword[erasures[v]];
    FillErasures(len, syn.data(), 0, erasures, out.data());
    if (e == p_) return true;  // no syndrome left to check
    Syndromes(len, codeword, syn.data());
  }
  // Columns with a nonzero syndrome hold errors besides the erasures.
  std::vector<uint8_t> word(n);
  for (size_t c = 0; c < len; ++c) {
    bool bad = false;
    for (int r = 0; r < p_ && !bad; ++r) bad = syn[r][c] != 0;
    if (!bad) continue;
    for (int j = 0; j < n; ++j) word[j] = codeword[j][c];
    if (DecodeWord(word.data(), erasures) < 0) {
      ++*failed_columns;
      continue;
    }
    for (int j = 0; j < n; ++j) codeword[j][c] = word[j];
    if (corrected_columns) ++*corrected_columns;
  }
  return true;
}

}  // namespace dnastore
