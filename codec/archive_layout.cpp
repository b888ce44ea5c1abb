#include "codec/archive_layout.h"

#include <algorithm>
#include <bit>
#include <string>

namespace dnastore {

int ShortenedParity(int k_short, int k, int p) {
  if (k_short >= k) return p;
  int scaled = static_cast<int>((static_cast<int64_t>(p) * k_short + k - 1) / k);
  return std::max(scaled, std::min(p, 8));
}

ArchiveLayout::ArchiveLayout(const ArchiveParams& params) : params_(params) {
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

Status ChooseFrameLayout(ArchiveParams& params, int body_bits) {
  for (int d = (body_bits - 8 - 1) / 8; d >= 1; --d) {
    params.data_bytes = d;
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

}  // namespace dnastore
