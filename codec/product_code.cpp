// Two-level Reed-Solomon: rows across slots, columns across rows.
#include "codec/product_code.h"

#include <algorithm>
#include <cstring>

namespace dnastore {

ProductCode::ProductCode(int rows, int slots, int row_parity, int slot_parity)
    : rows_(rows),
      slots_(slots),
      row_parity_(row_parity),
      slot_parity_(slot_parity),
      row_code_(slots - slot_parity, slot_parity),
      col_code_(rows - row_parity, row_parity) {}

// ISA-L runs its vector code only on long buffers: a codeword set whose
// buffers are single frames (34 bytes) ran ~100x slower than one of 4 KiB
// columns. Rows are therefore encoded slot-major (all data rows of a slot in
// one buffer), and frames are decoded in buffers padded to kVectorBytes.
constexpr size_t kVectorBytes = 64;

static size_t Padded(size_t d) { return (d + kVectorBytes - 1) / kVectorBytes * kVectorBytes; }

void ProductCode::Encode(size_t d, uint8_t* block) const {
  const size_t row_bytes = static_cast<size_t>(slots_) * d;
  const size_t slot_bytes = static_cast<size_t>(data_rows()) * d;
  // Rows: slot-major copy of the data rows, one call for all of them.
  std::vector<uint8_t> t(static_cast<size_t>(slots_) * slot_bytes);
  for (int r = 0; r < data_rows(); ++r)
    for (int s = 0; s < data_slots(); ++s)
      std::memcpy(&t[s * slot_bytes + r * d], block + r * row_bytes + s * d, d);
  std::vector<const uint8_t*> in(static_cast<size_t>(std::max(slots_, rows_)));
  std::vector<uint8_t*> out(static_cast<size_t>(std::max(slots_, rows_)));
  for (int s = 0; s < data_slots(); ++s) in[s] = &t[s * slot_bytes];
  for (int s = data_slots(); s < slots_; ++s) out[s - data_slots()] = &t[s * slot_bytes];
  row_code_.Encode(slot_bytes, in.data(), out.data());
  for (int r = 0; r < data_rows(); ++r)
    for (int s = data_slots(); s < slots_; ++s)
      std::memcpy(block + r * row_bytes + s * d, &t[s * slot_bytes + r * d], d);
  // Columns of every slot at once: a row is one long buffer.
  for (int r = 0; r < rows_; ++r) {
    if (r < data_rows()) {
      in[r] = block + r * row_bytes;
    } else {
      out[r - data_rows()] = block + r * row_bytes;
    }
  }
  col_code_.Encode(row_bytes, in.data(), out.data());
}

void ProductCode::EncodeSlow(size_t d, uint8_t* block) const {
  auto at = [&](int r, int s) { return block + (static_cast<size_t>(r) * slots_ + s) * d; };
  std::vector<uint8_t> word(255), parity(255);
  for (int r = 0; r < data_rows(); ++r)
    for (size_t b = 0; b < d; ++b) {
      for (int s = 0; s < data_slots(); ++s) word[s] = at(r, s)[b];
      row_code_.EncodeWordSlow(word.data(), parity.data());
      for (int s = data_slots(); s < slots_; ++s) at(r, s)[b] = parity[s - data_slots()];
    }
  for (int s = 0; s < slots_; ++s)
    for (size_t b = 0; b < d; ++b) {
      for (int r = 0; r < data_rows(); ++r) word[r] = at(r, s)[b];
      col_code_.EncodeWordSlow(word.data(), parity.data());
      for (int r = data_rows(); r < rows_; ++r) at(r, s)[b] = parity[r - data_rows()];
    }
}

// Decodes one codeword set: `frames[j]` is position j's frame (d bytes),
// `lost` its erased positions, copied through buffers padded to
// kVectorBytes.
// Returns false when some byte column had errors beyond the parity left
// (the lost frames then hold guesses, not data).
static bool DecodeFrames(const ReedSolomon& code, size_t d, const std::vector<uint8_t*>& frames,
                         const std::vector<int>& lost, ProductCode::DecodeResult* res) {
  const size_t pd = Padded(d);
  std::vector<uint8_t> buf(frames.size() * pd, 0);
  std::vector<uint8_t*> word(frames.size());
  for (size_t j = 0; j < frames.size(); ++j) {
    word[j] = &buf[j * pd];
    std::memcpy(word[j], frames[j], d);
  }
  size_t failed = 0, corrected = 0;
  code.DecodeColumns(pd, word.data(), lost, &failed, &corrected);
  res->words_failed += failed;
  res->words_corrected += corrected > 0;
  for (size_t j = 0; j < frames.size(); ++j) std::memcpy(frames[j], word[j], d);
  return failed == 0;
}

bool ProductCode::DecodeLine(const ReedSolomon& code, int parity, size_t d, uint8_t* block,
                             std::vector<uint8_t>* erased, size_t first, size_t stride,
                             DecodeResult* res) const {
  const int n = code.n();
  std::vector<int> lost;
  for (int j = 0; j < n; ++j)
    if ((*erased)[first + j * stride]) lost.push_back(j);
  if (static_cast<int>(lost.size()) > parity) return false;
  std::vector<uint8_t*> frames(n);
  for (int j = 0; j < n; ++j) frames[j] = block + (first + j * stride) * d;
  if (!DecodeFrames(code, d, frames, lost, res)) return false;
  for (int j : lost) (*erased)[first + j * stride] = 0;
  return true;
}

ProductCode::DecodeResult ProductCode::Decode(size_t d, uint8_t* block,
                                              std::vector<uint8_t>* erased) const {
  DecodeResult res;
  auto left = [&] {
    return static_cast<uint64_t>(
        std::count_if(erased->begin(), erased->end(), [](uint8_t e) { return e != 0; }));
  };
  uint64_t before = left();
  // Every codeword is checked once even without erasures (errors); after
  // that only passes that can still fill something run.
  while (res.iterations < kMaxIterations) {
    ++res.iterations;
    res.words_failed = 0;            // of the last pass
    for (int r = 0; r < rows_; ++r)  // across the slots of row r
      DecodeLine(row_code_, slot_parity_, d, block, erased, static_cast<size_t>(r) * slots_, 1,
                 &res);
    for (int s = 0; s < slots_; ++s)  // across the rows of column s
      DecodeLine(col_code_, row_parity_, d, block, erased, static_cast<size_t>(s), slots_, &res);
    const uint64_t now = left();
    if (now == 0 || now == before) break;
    before = now;
  }
  res.erasures_left = left();
  return res;
}

}  // namespace dnastore
