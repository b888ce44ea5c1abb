// Payload error profile: consensus of minimizer groups, reads aligned to it.
#include "reads/payload_errors.h"

#include <edlib.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "reads/read_cluster.h"
#include "reads/read_consensus.h"

namespace dnastore {
namespace {

// Edit counts of one read against its group's consensus.
struct ReadEdits {
  uint64_t sub = 0, ins = 0, del = 0;
  bool aligned = false;
};

ReadEdits AlignToConsensus(std::string_view read, std::string_view cons) {
  ReadEdits e;
  const int max_edits = static_cast<int>(kMaxGroupEditFraction * static_cast<double>(cons.size()));
  EdlibAlignResult r = edlibAlign(
      read.data(), static_cast<int>(read.size()), cons.data(), static_cast<int>(cons.size()),
      edlibNewAlignConfig(max_edits, EDLIB_MODE_NW, EDLIB_TASK_PATH, nullptr, 0));
  if (r.status == EDLIB_STATUS_OK && r.editDistance >= 0) {
    e.aligned = true;
    for (int i = 0; i < r.alignmentLength; ++i) {
      const unsigned char op = r.alignment[i];
      if (op == EDLIB_EDOP_MISMATCH) ++e.sub;
      if (op == EDLIB_EDOP_INSERT) ++e.ins;  // read base absent from the consensus
      if (op == EDLIB_EDOP_DELETE) ++e.del;  // consensus base absent from the read
    }
  }
  edlibFreeAlignResult(r);
  return e;
}

// Groups of read indices by minimizer, in order of their first read; only
// groups that reach kMinGroupReads, at most kMaxProfileGroups of them.
std::vector<std::vector<uint32_t>> MinimizerGroups(const std::vector<std::string_view>& payloads,
                                                   int k) {
  std::unordered_map<uint64_t, uint32_t> slot;
  std::vector<std::vector<uint32_t>> groups;
  for (uint32_t i = 0; i < payloads.size(); ++i) {
    if (payloads[i].size() < static_cast<size_t>(k)) continue;
    auto [it, fresh] =
        slot.try_emplace(MinimizerHash(payloads[i], k), static_cast<uint32_t>(groups.size()));
    if (fresh) groups.emplace_back();
    if (groups[it->second].size() < kMaxGroupReads) groups[it->second].push_back(i);
  }
  std::vector<std::vector<uint32_t>> kept;
  for (auto& g : groups)
    if (g.size() >= kMinGroupReads && kept.size() < kMaxProfileGroups) kept.push_back(std::move(g));
  return kept;
}

}  // namespace

bool PayloadErrorProfile::measured() const {
  return groups >= kMinProfileGroups && reads >= kMinProfileGroups * kMinGroupReads;
}

PayloadErrorProfile EstimatePayloadErrors(const std::vector<std::string_view>& payloads, int k) {
  PayloadErrorProfile p;
  ConsensusOptions co;
  co.max_length_fix_nt = 0;  // the length is what is measured
  auto engine = MakeConsensusEngine(co);
  std::vector<ConsensusRead> reads;
  ConsensusResult cons;
  std::map<size_t, uint64_t> lengths;
  uint64_t sub = 0, ins = 0, del = 0, cons_nt = 0;
  for (const std::vector<uint32_t>& g : MinimizerGroups(payloads, k)) {
    reads.clear();
    for (uint32_t i : g) reads.push_back({payloads[i], {}, -1});
    engine->Consensus(reads, &cons);
    if (cons.seq.empty()) continue;
    ReadEdits sum;
    uint64_t aligned = 0;
    for (uint32_t i : g) {
      const ReadEdits e = AlignToConsensus(payloads[i], cons.seq);
      if (!e.aligned) continue;
      sum.sub += e.sub;
      sum.ins += e.ins;
      sum.del += e.del;
      ++aligned;
    }
    if (4 * aligned < 3 * g.size()) continue;  // mixed: reads of several oligos
    ++p.groups;
    p.reads += aligned;
    sub += sum.sub;
    ins += sum.ins;
    del += sum.del;
    cons_nt += aligned * cons.seq.size();
    ++lengths[cons.seq.size()];
  }
  if (cons_nt == 0) return p;
  const double nt = static_cast<double>(cons_nt);
  p.sub = static_cast<double>(sub) / nt;
  p.ins = static_cast<double>(ins) / nt;
  p.del = static_cast<double>(del) / nt;
  if (p.measured()) {
    auto mode = std::max_element(lengths.begin(), lengths.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    p.payload_nt = static_cast<int>(mode->first);
  }
  return p;
}

}  // namespace dnastore
