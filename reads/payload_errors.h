// The reads' error profile and payload length measured on their payloads,
// the primers being only a first guess: primers attached after synthesis
// (ligation, tailed PCR: the dt4dds workflows and many labs) carry none of
// the synthesis errors, so an estimate from them alone is near 0 on reads
// that carry 1-2% deletions, and the payload length estimated from the
// reads' mean length is short by those deletions.
//
// Method: reads of one oligo are found by a shared minimizer (MinimizerHash);
// each group of at least kMinGroupReads reads gets a consensus (the align-
// and-vote engine, length free); each read is aligned to it (edlib, global):
// mismatches, read bases absent from the consensus (insertions) and
// consensus bases absent from the read (deletions), per consensus base, are
// the profile. A consensus of independent reads has the designed length even
// when every read is short of it, so the most common consensus length is the
// payload length estimate. Groups whose reads mostly do not align within
// kMaxGroupEditFraction are mixed (a shared minimizer by chance) and skipped.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace dnastore {

struct PayloadErrorProfile {
  double sub = 0, ins = 0, del = 0;  // events per payload base per read
  uint64_t groups = 0;               // consensus groups measured
  uint64_t reads = 0;                // reads aligned to them
  int payload_nt = 0;                // most common consensus length (0 = too few groups)
  double rate() const { return sub + ins + del; }
  // Enough groups and reads for the rates (and the length) to be trusted.
  bool measured() const;
};

inline constexpr size_t kMinGroupReads = 3;
inline constexpr size_t kMaxGroupReads = 12;      // reads of a group used (the first ones)
inline constexpr size_t kMaxProfileGroups = 600;  // groups measured at most
inline constexpr uint64_t kMinProfileGroups = 20;
inline constexpr double kMaxGroupEditFraction = 0.3;

// Measures the profile on `payloads` (trimmed reads in forward orientation)
// with minimizers of `k` nt. Deterministic; single-threaded (it samples).
PayloadErrorProfile EstimatePayloadErrors(const std::vector<std::string_view>& payloads, int k);

}  // namespace dnastore
