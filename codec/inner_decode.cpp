#include "codec/inner_decode.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstring>

#include "codec/archive_header.h"
#include "codec/data_frame.h"
#include "core/dna.h"

namespace dnastore {
namespace {

// One payload: a data frame when its CRC holds and its index is in range,
// else a header frame if it is one, else a suspect data frame when its index
// is in range.
InnerFrame DecodeOne(std::string_view payload, const PayloadMapper& mapper,
                     const ArchiveParams& params, uint64_t total_oligos,
                     const HeaderPayloads& header_payloads, uint8_t* frame, uint8_t* data) {
  InnerFrame res;
  if (header_payloads.Contains(payload)) {
    res.kind = InnerFrame::kHeader;
    return res;
  }
  if (!mapper.Demap(payload, FrameKind::kData, frame)) return res;
  bool crc_ok = false;
  UnpackDataFrame(params, mapper.body_bits(), frame, &res.index, data, &crc_ok);
  const bool in_range = res.index < total_oligos;
  if (crc_ok && in_range) {
    res.kind = InnerFrame::kData;
    return res;
  }
  if (mapper.Demap(payload, FrameKind::kHeader, frame) &&
      UnpackHeaderFrame(mapper.body_bits(), frame)) {
    res.kind = InnerFrame::kHeader;
    return res;
  }
  if (in_range) res.kind = InnerFrame::kSuspect;
  return res;
}

// The doubtful positions of a strand (confidence <= kRepairMaxPhred), in
// `pos`; their number, or kRepairPositions + 1 when there are more (a strand
// doubtful all over, such as one noisy read, is not guessed at).
int RepairPositions(std::string_view qual, uint32_t* pos) {
  int n = 0;
  for (uint32_t i = 0; i < qual.size(); ++i) {
    if (qual[i] - 33 > kRepairMaxPhred) continue;
    if (n == kRepairPositions) return kRepairPositions + 1;
    pos[n++] = i;
  }
  return n;
}

}  // namespace

InnerFrame RepairByConfidence(std::string_view payload, std::string_view qual,
                              const PayloadMapper& mapper, const ArchiveParams& params,
                              uint64_t total_oligos, uint8_t* frame, uint8_t* data) {
  InnerFrame found;
  if (qual.size() != payload.size()) return found;
  uint32_t pos[kRepairPositions];
  const int k = RepairPositions(qual, pos);
  if (k == 0 || k > kRepairPositions) return found;
  std::string trial(payload);
  uint8_t trial_data[kMaxFrameBytes], repaired_data[kMaxFrameBytes];
  int hits = 0;
  // Every combination of the original or another base at each position,
  // the all-original one (which failed) excluded: 4^k - 1 trials.
  uint32_t combos = 1;
  for (int j = 0; j < k; ++j) combos *= 4;
  for (uint32_t c = 1; c < combos; ++c) {
    uint32_t code = c;
    for (int j = 0; j < k; ++j) {
      const uint32_t p = pos[j];
      const int shift = static_cast<int>(code % 4);
      code /= 4;
      trial[p] = shift == 0 ? payload[p] : kBases[(BaseCode(payload[p]) + shift) & 3];
    }
    if (!mapper.Demap(trial, FrameKind::kData, frame)) continue;
    uint64_t index = 0;
    bool crc_ok = false;
    UnpackDataFrame(params, mapper.body_bits(), frame, &index, trial_data, &crc_ok);
    if (!crc_ok || index >= total_oligos) continue;
    if (++hits > 1) return InnerFrame();  // not unique: no repair
    found.kind = InnerFrame::kData;
    found.index = index;
    found.repaired = true;
    std::memcpy(repaired_data, trial_data, static_cast<size_t>(params.data_bytes));
  }
  if (hits == 1) std::memcpy(data, repaired_data, static_cast<size_t>(params.data_bytes));
  return found;
}

uint64_t HeaderPayloads::Prefix(std::string_view s) {
  uint64_t v = 0;
  std::memcpy(&v, s.data(), std::min<size_t>(8, s.size()));
  return v;
}

void HeaderPayloads::Add(std::string payload) {
  const uint64_t key = Prefix(payload);
  auto at = std::lower_bound(sorted_.begin(), sorted_.end(), std::make_pair(key, payload));
  sorted_.insert(at, {key, std::move(payload)});
}

bool HeaderPayloads::Contains(std::string_view payload) const {
  if (sorted_.empty()) return false;
  const uint64_t key = Prefix(payload);
  auto at = std::lower_bound(sorted_.begin(), sorted_.end(), key,
                             [](const auto& e, uint64_t k) { return e.first < k; });
  for (; at != sorted_.end() && at->first == key; ++at)
    if (at->second == payload) return true;
  return false;
}

// DecodeOne, and with `either` the reverse complement when that gives a
// data or header frame (and the payload as it is gave neither).
InnerFrame DecodePayload(std::string_view payload, const PayloadMapper& mapper,
                         const ArchiveParams& params, uint64_t total_oligos,
                         const HeaderPayloads& header_payloads, bool either, uint8_t* frame,
                         uint8_t* data) {
  InnerFrame res = DecodeOne(payload, mapper, params, total_oligos, header_payloads, frame, data);
  if (!either || res.kind == InnerFrame::kData || res.kind == InnerFrame::kHeader) return res;
  uint8_t rc_data[kMaxFrameBytes];
  thread_local std::string rc;  // reused: this runs once per read
  rc.assign(payload.rbegin(), payload.rend());
  for (char& c : rc) c = ComplementBase(c);
  InnerFrame other = DecodeOne(rc, mapper, params, total_oligos, header_payloads, frame, rc_data);
  if (other.kind != InnerFrame::kData && other.kind != InnerFrame::kHeader) return res;
  other.reversed = true;
  std::memcpy(data, rc_data, static_cast<size_t>(params.data_bytes));
  return other;
}

InnerFrames DecodeInner(const std::vector<std::string_view>& payloads, const PayloadMapper& mapper,
                        const ArchiveParams& params, uint64_t total_oligos,
                        const HeaderPayloads& header_payloads, tbb::task_arena& arena,
                        bool either_orientation, const std::vector<std::string_view>* quals) {
  const int d = params.data_bytes;
  InnerFrames out;
  out.data_bytes = d;
  out.frames.resize(payloads.size());
  out.data.resize(payloads.size() * d);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, payloads.size(), 256), [&](const auto& r) {
      std::vector<uint8_t> frame(kMaxFrameBytes);
      for (size_t i = r.begin(); i != r.end(); ++i) {
        InnerFrame& f = out.frames[i];
        uint8_t* data = out.data.data() + i * d;
        f = DecodePayload(payloads[i], mapper, params, total_oligos, header_payloads,
                          either_orientation, frame.data(), data);
        if (quals && f.kind != InnerFrame::kData && f.kind != InnerFrame::kHeader) {
          InnerFrame fix = RepairByConfidence(payloads[i], (*quals)[i], mapper, params,
                                              total_oligos, frame.data(), data);
          if (fix.kind == InnerFrame::kData) f = fix;
        }
      }
    });
  });
  std::vector<uint8_t> frame(kMaxFrameBytes);
  for (size_t i = 0; i < payloads.size(); ++i) {
    if (out.frames[i].kind != InnerFrame::kHeader) continue;
    const std::string payload = out.frames[i].reversed ? ReverseComplement(std::string(payloads[i]))
                                                       : std::string(payloads[i]);
    if (!mapper.Demap(payload, FrameKind::kHeader, frame.data())) continue;
    if (auto c = UnpackHeaderFrame(mapper.body_bits(), frame.data()))
      out.header_chunks.push_back(std::move(*c));
  }
  return out;
}

}  // namespace dnastore
