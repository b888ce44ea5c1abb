#include "codec/archive_layout.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

namespace dnastore {

int ShortenedParity(int k_short, int k, int p) {
  if (k_short >= k) return p;
  int scaled = static_cast<int>((static_cast<int64_t>(p) * k_short + k - 1) / k);
  return std::max(scaled, std::min(p, 8));
}

ArchiveLayout::ArchiveLayout(const ArchiveParams& params) : params_(params) {
  if (params.version == kFormatVersion2) {
    ProductLayout product(params);
    total_oligos_ = product.total_oligos();
    data_oligos_ = product.data_oligos();
    return;
  }
  const uint64_t d = params.data_bytes, k = params.rs_k, b = params.stripe_blocks;
  const uint64_t stripe_bytes = k * b * d;
  full_stripes_ = stripe_bytes ? params.file_size / stripe_bytes : 0;
  uint64_t rem = stripe_bytes ? params.file_size % stripe_bytes : 0;
  num_stripes_ = full_stripes_ + (rem ? 1 : 0);
  const uint64_t full_oligos = static_cast<uint64_t>(params.rs_k + params.rs_p) * b;
  total_oligos_ = full_stripes_ * full_oligos;
  data_oligos_ = full_stripes_ * k * b;
  if (rem) {
    last_.blocks = static_cast<int>(std::min<uint64_t>(b, (rem + k * d - 1) / (k * d)));
    last_.k = static_cast<int>((rem + last_.blocks * d - 1) / (last_.blocks * d));
    last_.p = ShortenedParity(last_.k, params.rs_k, params.rs_p);
    last_.first_index = total_oligos_;
    last_.data_offset = full_stripes_ * stripe_bytes;
    total_oligos_ += last_.oligos();
    data_oligos_ += static_cast<uint64_t>(last_.k) * last_.blocks;
  }
}

StripeLayout ArchiveLayout::Stripe(uint64_t s) const {
  if (s >= full_stripes_) return last_;
  StripeLayout st;
  st.k = params_.rs_k;
  st.p = params_.rs_p;
  st.blocks = params_.stripe_blocks;
  st.first_index = s * st.oligos();
  st.data_offset = s * static_cast<uint64_t>(st.k) * st.blocks * params_.data_bytes;
  return st;
}

uint64_t ArchiveLayout::StripeOf(uint64_t index) const {
  const uint64_t full_oligos =
      static_cast<uint64_t>(params_.rs_k + params_.rs_p) * params_.stripe_blocks;
  uint64_t s = index / full_oligos;
  return s < full_stripes_ ? s : full_stripes_;
}

Status ChooseFrameLayout(ArchiveParams& params, int body_bits, double redundancy) {
  for (int d = (body_bits - 8 - 1) / 8; d >= 1; --d) {
    params.data_bytes = d;
    if (params.version == kFormatVersion2) ShapeProductBlocks(params, redundancy);
    int index_bits = body_bits - 8 - 8 * d;
    if (index_bits > 48) continue;  // keep D large; 48 bits address any file
    ArchiveLayout layout(params);
    uint64_t n = std::max<uint64_t>(layout.total_oligos(), 2);
    int need = 64 - std::countl_zero(n - 1);
    if (index_bits >= need) {
      params.index_bits = index_bits;
      return Status::Ok();
    }
  }
  return UsageError("the payload is too short to address " + std::to_string(params.file_size) +
                    " bytes; use a longer --oligo-length");
}

int ShortenedRowParity(int data_rows, int full_rows, int full_parity) {
  if (data_rows >= full_rows || full_parity == 0) return full_parity;
  return std::max(1,
                  static_cast<int>((static_cast<int64_t>(full_parity) * data_rows + full_rows - 1) /
                                   full_rows));
}

int64_t ProductBlock::IndexAt(int r, int s) const {
  if (r < data_rows && s < data_slots) {
    const int j = r * data_slots + s;
    return j < data_frames ? static_cast<int64_t>(first_data + j) : -1;
  }
  // Parity positions in row-major order: the parity slots of the data rows,
  // then whole parity rows.
  const int64_t ordinal = r < data_rows ? static_cast<int64_t>(r) * slot_parity() + (s - data_slots)
                                        : static_cast<int64_t>(data_rows) * slot_parity() +
                                              static_cast<int64_t>(r - data_rows) * slots + s;
  return static_cast<int64_t>(first_parity) + ordinal;
}

ProductLayout::ProductLayout(const ArchiveParams& p) : params_(p) {
  const uint64_t d = p.data_bytes, ds = p.rs_k;
  if (d == 0 || ds == 0 || p.data_rows < 1) return;
  data_frames_ = (p.file_size + d - 1) / d;
  const uint64_t full = static_cast<uint64_t>(p.data_rows) * ds;
  num_blocks_ = (data_frames_ + full - 1) / full;
  ProductBlock first;
  first.data_rows = p.data_rows;
  first.rows = p.data_rows + p.row_parity;
  first.data_slots = p.rs_k;
  first.slots = p.rs_k + p.rs_p;
  full_parity_ = static_cast<uint64_t>(first.parity_frames());
  // A crafted header may claim more oligos than 64 bits count: saturate, so
  // that the index-space check (CheckAddressable) refuses it.
  const unsigned __int128 total =
      num_blocks_ == 0 ? data_frames_
                       : static_cast<unsigned __int128>(data_frames_) +
                             static_cast<unsigned __int128>(num_blocks_ - 1) * full_parity_ +
                             static_cast<unsigned __int128>(Block(num_blocks_ - 1).parity_frames());
  total_ = total > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(total);
}

ProductBlock ProductLayout::Block(uint64_t b) const {
  const uint64_t d = params_.data_bytes, ds = params_.rs_k;
  const uint64_t full = static_cast<uint64_t>(params_.data_rows) * ds;
  ProductBlock blk;
  blk.first_data = b * full;
  blk.first_parity = data_frames_ + b * full_parity_;
  blk.data_offset = blk.first_data * d;
  blk.data_frames = static_cast<int>(std::min(full, data_frames_ - blk.first_data));
  blk.data_slots = params_.rs_k;
  blk.slots = params_.rs_k + params_.rs_p;
  blk.data_rows = static_cast<int>((blk.data_frames + ds - 1) / ds);
  blk.rows =
      blk.data_rows + ShortenedRowParity(blk.data_rows, params_.data_rows, params_.row_parity);
  return blk;
}

void ShapeProductBlocks(ArchiveParams& p, double x) {
  constexpr int kMaxN = 255;
  constexpr int kMinSmallParity = 8;  // a short codeword sees a wide binomial tail
  const uint64_t frames = std::max<uint64_t>(1, (p.file_size + p.data_bytes - 1) / p.data_bytes);
  p.stripe_blocks = 0;
  const int single_p = std::max(
      kMinSmallParity, static_cast<int>(std::ceil(x * static_cast<double>(frames) / (1 - x))));
  if (frames + single_p <= kMaxN) {  // one MDS codeword
    p.rs_k = static_cast<int>(frames);
    p.rs_p = single_p;
    p.data_rows = 1;
    p.row_parity = 0;
    return;
  }
  // Slots take 60% of the parity, rows the rest (docs/outer_code_comparison.md).
  int ps = std::max(1, static_cast<int>(std::lround(0.6 * x * kMaxN)));
  const double xr = std::max(0.0, 1 - (1 - x) / (1 - static_cast<double>(ps) / kMaxN));
  auto shape = [&](int slot_parity, double row_share) {
    p.rs_p = slot_parity;
    p.rs_k = kMaxN - slot_parity;
    const uint64_t rows = (frames + p.rs_k - 1) / p.rs_k;
    const int max_parity = static_cast<int>(std::lround(row_share * kMaxN));
    const uint64_t max_rows = static_cast<uint64_t>(kMaxN - max_parity);
    const uint64_t blocks = (rows + max_rows - 1) / max_rows;
    p.data_rows = static_cast<int>((rows + blocks - 1) / blocks);
    p.row_parity = static_cast<int>(std::lround(row_share * p.data_rows / (1 - row_share)));
    p.row_parity = std::min(p.row_parity, kMaxN - p.data_rows);
  };
  shape(ps, xr);
  // Too few rows for a parity row to pay: every row is its own codeword.
  if (p.row_parity == 0)
    shape(std::max(kMinSmallParity, static_cast<int>(std::lround(x * kMaxN))), 0);
}

}  // namespace dnastore
