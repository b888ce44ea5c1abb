// Consensus of one cluster of reads: third stage of the read front end
// (see docs/front_end.md).
//
// The default engine (kAlignVote) is a BMA-style iterative "align to draft and
// vote": start from the best read, align every read to the draft (Hamming for
// near-identical equal-length reads, edlib global alignment otherwise),
// accumulate quality-weighted votes per draft column (A, C, G, T, deletion)
// and per gap (inserted bases), rebuild the draft from the winning votes, and
// repeat until it no longer changes. kSpoa builds the draft with partial-order
// alignment (spoa) and then votes once against it for per-base confidences.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dnastore/read_front_end.h"

namespace dnastore {

struct ConsensusOptions {
  ConsensusMethod method = ConsensusMethod::kAlignVote;
  int payload_nt = 0;        // expected length (0 = unknown); used to pick the draft and fix length
  double error_rate = 0.01;  // per-base error of reads without qualities; floor for those with
  int max_iterations = 1;    // draft updates (kAlignVote); each costs a vote pass over all
                             // reads, plus one final pass when indels changed
  int max_quality = 60;      // cap of the output Phred values
  int max_length_fix_nt = 3;  // when the consensus misses payload_nt by at most this many nt,
                              // flip the least-supported indel decisions to hit it (0 = never)
  // Reads' error profile per base (e.g. measured on the primers); all 0 =
  // unknown. When substitutions are under a quarter of the indels (deletion-
  // or insertion-dominated channels), reads are aligned to the draft with a
  // substitution costing more than an insertion plus a deletion, so that an
  // indel next to a draft error is not mistaken for a substitution.
  double sub_rate = 0, ins_rate = 0, del_rate = 0;
};

// One column of a pairwise alignment of a read (query) to a draft (target).
// The numbering is edlib's, so that edlib paths are read without translation
// (read_consensus.cpp checks it at compile time); callers never see edlib.
enum AlignOp : uint8_t {
  kAlignMatch = 0,
  kAlignInsert = 1,  // read base absent from the draft
  kAlignDelete = 2,  // draft base absent from the read
  kAlignMismatch = 3,
};

// Global alignment of read `q` to draft `t` minimising the summed cost of
// substitutions (`sub_cost`), read bases absent from the draft (`ins_cost`)
// and draft bases absent from the read (`del_cost`), within `band` diagonals
// of the corner-to-corner path. Writes one AlignOp per column into `ops`, gaps as far left as an
// optimal path allows. Returns the cost, or -1 when no path fits the band (band < 0 or the length
// difference exceeds it). `dir` is scratch space (reused across calls).
int WeightedAlign(std::string_view q, std::string_view t, int sub_cost, int ins_cost, int del_cost,
                  int band, std::vector<uint8_t>* ops, std::vector<uint8_t>* dir);

// One read of a cluster: bases and Phred+33 qualities (empty = none).
struct ConsensusRead {
  std::string_view seq;
  std::string_view qual;
  // Expected errors of the read (sum of 10^(-Q/10), + length penalty), used
  // to pick the starting draft; < 0 = compute from qual.
  float expected_errors = -1;
};

// Consensus strand and per-base confidence (Phred+33, same length as seq).
// Confidence is the posterior of the chosen base against the alternatives
// (other bases, deletion / insertion), from the reads' weighted votes.
struct ConsensusResult {
  std::string seq;
  std::string qual;
  // The consensus before the length fix (ConsensusOptions::max_length_fix_nt)
  // when that fix changed it; empty otherwise.
  std::string unfixed_seq;
};

// Stage interface. One engine per thread: Consensus is not thread-safe (it
// reuses internal buffers). Deterministic: the result depends only on the
// reads (their order included) and the options.
class ConsensusEngine {
 public:
  virtual ~ConsensusEngine() = default;
  // Computes the consensus of `reads` (at least one). An empty input yields
  // an empty result.
  virtual void Consensus(const std::vector<ConsensusRead>& reads, ConsensusResult* out) = 0;
};

// Factory for the configured method. Never fails.
std::unique_ptr<ConsensusEngine> MakeConsensusEngine(const ConsensusOptions& options);

}  // namespace dnastore
