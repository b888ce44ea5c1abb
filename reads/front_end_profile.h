// The read front end's profiles: one home for every number that decides how
// reads are treated by their error rate (minimap2's presets are the model).
//
// The front end measures the per-base error rate on the primers of the first
// batch (or takes FrontEndOptions::error_rate) and looks the profile up once;
// clustering and consensus then read their settings from it. A profile is a
// band of error rates; two conditions cut across the bands:
//  - indel-dominated reads (substitutions under kIndelDominatedSubShare of
//    the indels, measured on the primers): consensus aligns reads to the
//    draft with a substitution dearer than an indel pair (kIndelDominatedCosts);
//  - terminator-free TdT reads (runs collapsed): the primers are ligated,
//    error-free, so their rate says nothing about the payload, which carries
//    ~5% deletions from missed cycles; such reads use kTdtCollapsedErrorRate.
#pragma once

#include <limits>
#include <string_view>

namespace dnastore {

struct FrontEndProfile {
  std::string_view name;
  double max_error_rate;      // the profile holds for error rates up to this (inclusive)
  int kmer_nt;                // sketch k-mer length used by clustering
  int sketch_size;            // k-mers per sketch
  bool sketch_every_anchor;   // sketch every indexed read of a cluster, not only its first
  int reads_per_cluster;      // reads kept per cluster for consensus (best expected errors)
  bool skip_length_outliers;  // consensus may skip reads whose length is off by > 1
  int partition_kmer_nt;      // minimizer length of partitioned clustering (cluster_memory_bytes)
};

// Ordered by max_error_rate; the last row takes every higher rate.
inline constexpr FrontEndProfile kFrontEndProfiles[] = {
    // Illumina-like: nearly every read is near-perfect; exact and first/last-
    // third keys place most reads, so one sketched anchor per cluster does.
    {"clean", 0.01, 14, 8, false, 16, true, 12},
    {"moderate", 0.02, 14, 8, false, 32, false, 12},
    // Nanopore, low-quality synthesis: short k-mers, larger sketches, every
    // anchor sketched; a short minimizer, so that fewer reads of an oligo
    // land in another partition (an error in it moves the read).
    {"noisy", std::numeric_limits<double>::infinity(), 11, 32, true, 32, false, 8},
};

// The profile for a per-base error rate (NaN or negative: the first row).
constexpr const FrontEndProfile& FrontEndProfileFor(double error_rate) {
  for (const FrontEndProfile& p : kFrontEndProfiles)
    if (!(error_rate > p.max_error_rate)) return p;
  return kFrontEndProfiles[std::size(kFrontEndProfiles) - 1];
}

// Error rate assumed when nothing measures it (no primers seen).
inline constexpr double kDefaultReadErrorRate = 0.01;
// Reads are indel-dominated when substitutions are under this share of indels.
inline constexpr double kIndelDominatedSubShare = 0.25;
// Floor of the insertion and deletion rates consensus weighs gaps by (a rate
// measured as 0 on a small sample is not 0).
inline constexpr double kMinConsensusIndelRate = 2e-4;
struct AlignCosts {
  int sub, ins, del;
};
inline constexpr AlignCosts kIndelDominatedCosts = {5, 2, 2};
// Per-base error rate of terminator-free TdT reads after run collapsing, and
// the error profile consensus assumes for them (shares of that rate): a
// missed cycle merges two runs (a deletion); extra incorporations vanish.
inline constexpr double kTdtCollapsedErrorRate = 0.06;
struct ErrorShares {
  double sub, ins, del;
};
inline constexpr ErrorShares kTdtCollapsedShares = {0.1, 0.1, 1.0};

}  // namespace dnastore
