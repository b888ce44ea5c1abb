// The quality bank and the qualities of one read.
#include "channel/quality_model.h"

#include <algorithm>
#include <cstring>

#include "channel/illumina.h"
#include "channel/nanopore.h"
#include "channel/random_streams.h"
#include "core/phred.h"

namespace dnastore::channel {
namespace {

constexpr int kPerfectPhred = 40;  // 'I'

void FillPrefixSums(QualityModel& q) {
  for (int row = 0; row < kQualityBankRows; ++row) {
    auto& p = q.prefix[row];
    p.assign(q.row_len + 1, 0);
    for (uint32_t i = 0; i < q.row_len; ++i) p[i + 1] = p[i] + PhredScore(q.rows[row][i]);
  }
}

}  // namespace

QualityModel BuildQualityModel(SequencingModel model, uint64_t seed, uint32_t row_len) {
  QualityModel q;
  q.row_len = row_len;
  q.rows.assign(kQualityBankRows, std::string());
  q.prefix.assign(kQualityBankRows, std::vector<uint32_t>());
  Rng rng(seed, MixIds(kStreamQuality, 0xBA2C));
  if (model == SequencingModel::kPerfect) {
    q.constant = true;
    q.rows.assign(1, std::string(1, PhredChar(kPerfectPhred)));
    for (auto& c : q.error_q) c = PhredChar(kPerfectPhred);
    return q;
  }
  if (model == SequencingModel::kIllumina) {
    FillIlluminaQualities(rng, q);
  } else {
    FillNanoporeQualities(model, rng, q);
  }
  FillPrefixSums(q);
  return q;
}

void DrawQualities(const QualityModel& q, Rng& rng, const View& v, bool reverse,
                   const std::vector<uint32_t>& err, uint32_t n_out, char* dst,
                   uint64_t& phred_sum) {
  if (q.constant) {
    std::memset(dst, q.rows[0][0], n_out);
    phred_sum += static_cast<uint64_t>(PhredScore(q.rows[0][0])) * n_out;
    return;
  }
  uint32_t row = static_cast<uint32_t>(rng.Below(kQualityBankRows));
  const std::string& r = q.rows[row];
  uint32_t done = 0;
  while (done < n_out) {  // rows are long; wrap only for very long reads
    uint32_t take = std::min<uint32_t>(n_out - done, q.row_len);
    std::memcpy(dst + done, r.data(), take);
    phred_sum += q.prefix[row][take];
    done += take;
  }
  for (uint32_t e : err) {
    uint32_t idx = reverse ? v.n - 1 - e : e;
    if (idx >= n_out) continue;
    char c = q.error_q[rng.Next() & 255];
    phred_sum += static_cast<uint64_t>(c) - static_cast<uint64_t>(dst[idx]);
    dst[idx] = c;
  }
}

}  // namespace dnastore::channel
