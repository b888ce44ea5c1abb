// Clustering of trimmed payloads: groups reads that came from the same oligo.
// Second stage of the read front end (see docs/front_end.md).
//
// The default clusterer streams: reads arrive in batches, each read is
// matched against the clusters seen so far (exact-sequence hash; at low
// error rates, exact keys of its first and last thirds; then a bottom-s
// MinHash sketch of its k-mers proposes candidate clusters; an edit distance
// under a threshold that scales with the error rate confirms: a one-indel
// alignment bound first, edlib when that is not enough), and reads that match nothing are clustered
// among themselves (same candidate/verify steps, union-find). Memory grows with the number of
// clusters, not reads: each cluster keeps at most max_reads_per_cluster reads
// (the ones with the fewest expected errors) and counts all of them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dnastore/read_front_end.h"

namespace dnastore {

// A payload to cluster (primers already removed, forward orientation).
// `qual` is Phred+33 of the same length as `seq`, or empty.
struct PayloadRead {
  std::string seq;
  std::string qual;
};

struct ClusterOptions {
  ClusterMethod method = ClusterMethod::kSketchGreedy;
  int payload_nt = 0;              // expected payload length (0 = unknown); used to rank reads
  double error_rate = 0.01;        // per-base read error rate, used when max_edit_fraction == 0
  double max_edit_fraction = 0;    // two reads join when edit distance <= fraction * length;
                                   // 0 = ClusterEditFraction(error_rate)
  int kmer_nt = 0;                 // sketch k-mer length (0 = auto: 14, or 11 above 2% errors)
  int sketch_size = 0;             // k-mers per sketch (0 = auto: 8, or 32 above 2% errors)
  int max_candidates = 6;          // candidates verified per read (most shared k-mers first)
  int anchors_per_cluster = 4;     // distinct reads per cluster indexed by exact hash; the
                                   // first 2 also by first/last third, the first (all
                                   // above 2% errors) by sketch
  int max_reads_per_cluster = 32;  // reads kept per cluster for consensus
};

// Edit-distance threshold (fraction of the payload length) used when
// ClusterOptions::max_edit_fraction is 0: clamp(0.05 + 3 * error_rate, 0.08, 0.35).
// Two reads of one oligo differ by about 2 * error_rate * length edits; two
// random payloads by about 0.52 * length.
double ClusterEditFraction(double error_rate);

// One kept read of a cluster and its rank.
struct ClusterMember {
  std::string seq;
  std::string qual;
  float expected_errors = 0;  // sum of 10^(-Q/10) + |length - payload_nt|
};

struct ReadCluster {
  std::vector<ClusterMember> reads;  // kept reads (<= max_reads_per_cluster), in arrival order
  uint64_t read_count = 0;           // all reads assigned to the cluster
  uint64_t first_read_index = 0;     // global index of the cluster's first read
};

// Stage interface: a clusterer consumes batches and hands back clusters.
// Not thread-safe (one caller), but AddBatch runs its work in parallel on the
// caller's TBB arena. Deterministic: the clusters depend only on the reads and
// on how they were split into batches, never on the thread count.
class ReadClusterer {
 public:
  virtual ~ReadClusterer() = default;
  // Adds `reads` (consumed); reads[i] has global index first_read_index + i.
  virtual void AddBatch(std::vector<PayloadRead>&& reads, uint64_t first_read_index) = 0;
  // Returns all clusters ordered by first_read_index and resets the clusterer.
  virtual std::vector<ReadCluster> TakeClusters() = 0;
  // Number of clusters so far.
  virtual size_t num_clusters() const = 0;
};

// Factory for the configured method. Never fails (options are clamped).
std::unique_ptr<ReadClusterer> MakeReadClusterer(const ClusterOptions& options);

// For each query, the index of the closest target within the clustering
// edit-distance threshold of `options` (candidates from shared sketch k-mers,
// up to max_candidates verified; ties: the target sharing more k-mers, then
// the lower index), or -1. Used to fold small clusters (whose consensus is
// little better than a read) into large ones. Parallel on the caller's TBB
// arena; deterministic.
std::vector<int64_t> MatchToTargets(const std::vector<std::string_view>& targets,
                                    const std::vector<std::string_view>& queries,
                                    const ClusterOptions& options);

// The smallest hash of the k-mers of seq (k-mers with N skipped; the hash
// the sketches use), UINT64_MAX when it has none: a key that noisy copies of
// one sequence mostly share (partitioned clustering).
uint64_t MinimizerHash(std::string_view seq, int k);

// Bounded edit distance (Levenshtein) between a and b: the distance when it is
// <= max_edits, else -1. Thread-safe.
int BoundedEditDistance(std::string_view a, std::string_view b, int max_edits);

// Cost of the best alignment of a and b with no indel (equal lengths: their
// Hamming distance) or exactly one (lengths differ by one): an upper bound on
// their edit distance, exact when they differ by substitutions and at most one
// indel. Returns a value > limit as soon as it exceeds limit, and when the
// lengths differ by more than one. `indel_pos` (optional) receives the index,
// in the longer sequence, of its extra base in the best alignment (the
// leftmost on ties, so gaps in a run land at its start), or -1 for equal
// lengths. O(length), no allocation up to 1 kb. Thread-safe.
int OneIndelDistance(std::string_view a, std::string_view b, int limit, int* indel_pos = nullptr);

}  // namespace dnastore
