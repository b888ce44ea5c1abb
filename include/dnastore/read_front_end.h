// The decoder's read front end: raw sequencer reads -> reconstructed strands.
//
//   reads -> [pair merge] -> orient + trim primers (primer_trim.h)
//         -> [collapse homopolymers] -> cluster (read_cluster.h)
//         -> consensus per cluster (read_consensus.h) -> Strand
//
// Reads stream through in batches of `batch_reads`; memory grows with the
// number of clusters (oligos), not reads. Results are deterministic for a
// given input, options and batch_reads, at any thread count. The library
// never prints; problems come back as a Status. See docs/front_end.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dnastore/seq_io.h"
#include "dnastore/status.h"

namespace dnastore {

struct Strand;

// The pluggable stages' choices (factories in reads/).
enum class ClusterMethod {
  kSketchGreedy,  // streaming MinHash candidates + edlib verification (default)
};

enum class ConsensusMethod {
  kAlignVote,  // iterative align-to-draft + weighted vote (default; fast)
  kSpoa,       // spoa partial-order alignment draft + one vote pass
};

// Paired-end mate merging (ReconstructStrandsPaired).
struct PairMergeOptions {
  int min_overlap_nt = 12;             // shortest overlap accepted
  double max_mismatch_fraction = 0.1;  // mismatches / overlap length accepted
};

struct FrontEndOptions {
  std::string fwd_primer;  // 5'->3'; empty (with rev_primer empty) = infer from the first batch
  std::string rev_primer;  // 5'->3' (the oligo ends with its reverse complement)
  int payload_nt = 0;      // expected payload length in nt (after collapsing); 0 = unknown
  // The reads carry no primers (removed by a lab pipeline): each is taken
  // whole, as itself or its reverse complement, whichever is smaller
  // (PrimerTrimOptions::primers_removed); strands may then be the reverse
  // complements of designed payloads. Primers are neither searched nor
  // inferred, and the error rate is not estimated from them.
  bool primers_removed = false;
  bool collapse_homopolymers = false;  // TdT transition pools: collapse runs after trimming
  int threads = 1;                     // worker threads (>= 1)
  size_t batch_reads = 1 << 16;        // reads per batch (part of the determinism key)

  // Primer search (see PrimerTrimOptions).
  double max_primer_error_fraction = 0.25;    // edits allowed per primer nt
  int primer_search_slack_nt = 24;            // adapter bases tolerated before a primer
  double max_payload_length_deviation = 0.3;  // payloads outside payload_nt * (1 +- this) are junk
  // Primer length assumed when inferring primers; 0 = find it (16-32 nt,
  // from how far the reads' ends are conserved).
  int infer_primer_nt = 20;

  // Per-base read error rate: 0 = estimate from the first batch: the larger
  // of the primers' edit rate and the payloads' rate against the consensus
  // of reads that share a minimizer (FrontEndStats::payload_*_rate).
  double error_rate = 0;
  double cluster_max_edit_fraction = 0;  // 0 = ClusterEditFraction(error_rate)
  // Reads kept per cluster for consensus (the best by expected errors); 0 =
  // auto: 16 when the error rate is at most 1% (more add nothing to a
  // consensus of near-perfect reads but memory and time), else 32.
  int max_reads_per_cluster = 0;
  ClusterMethod cluster_method = ClusterMethod::kSketchGreedy;
  ConsensusMethod consensus_method = ConsensusMethod::kAlignVote;
  uint32_t min_cluster_reads = 1;  // clusters with fewer reads produce no strand
  // Clusters with fewer reads than this whose consensus lies within the
  // clustering distance of a larger cluster's consensus are folded into it
  // (their reads count there; no strand of their own). 0 or 1 = never.
  uint32_t fold_below_reads = 3;

  PairMergeOptions pair_merge;  // ReconstructStrandsPaired only

  // Single-pass decoding of pools whose payload length is only known from
  // their own content (a header strand). When payload_nt is 0 and this is
  // set, the first batch gives an estimate of the payload length (reads'
  // mean payload length corrected by the net indel rate in the primers;
  // not with collapse_homopolymers) used for trimming, clustering and
  // consensus; consensus runs on clusters in order, chunk by chunk, and after
  // each chunk its strands (plus, where the length fix changed one, the
  // strand before the fix) are offered here: returning > 0 sets payload_nt
  // (when it differs from the estimate, every strand is rebuilt with it), 0
  // asks for the next chunk, < 0 stops asking. `fwd_primer` and
  // `rev_primer` are the primers the reads were trimmed with.
  std::function<int(const std::vector<Strand>& chunk, const std::string& fwd_primer,
                    const std::string& rev_primer)>
      resolve_payload_nt;
  // Reads the caller can place without clustering (a decoder: payloads that
  // are valid frames): called on every trimmed payload (forward
  // orientation, after collapsing), concurrently from worker threads;
  // returning true takes the read, which is then counted (reads_taken) but
  // not clustered. Null = every read is clustered.
  std::function<bool(std::string_view payload)> take_read;
  // Reads the caller can tell apart once every read was seen (a decoder:
  // noisy copies of frames it placed): when set, and take_read took at
  // least 10% of the first batch's reads, the reads not taken are clustered
  // only after the whole input was read, and this is called on each of them
  // first (concurrently); returning true drops the read (counted in
  // reads_dropped). Null = no second look.
  std::function<bool(std::string_view payload)> drop_before_clustering;
  // Called once, after the last take_read and before the first
  // drop_before_clustering (on a thread of the front end's TBB arena: it may
  // run parallel work there). Null = nothing to prepare.
  std::function<void()> all_reads_offered;
  // The reads waiting for that look are packed (one byte per base) and,
  // past `deferred_memory_bytes` of them (0 = no limit), spilled in order to
  // an unlinked scratch file in `scratch_dir` ("" = $TMPDIR) and read back
  // in order: the result is the same spilled or not.
  uint64_t deferred_memory_bytes = 0;
  std::string scratch_dir;
  // Clustering within a memory budget (`--memory` of consensus and decode).
  // When > 0, reads are not clustered as they
  // are read (nor, with drop_before_clustering, as they come out of that
  // look): each is packed (one byte per base) into
  // one of kClusterPartitions partitions by the minimizer of its payload,
  // spilled to `scratch_dir` past a quarter of this, and after the input the
  // partitions are clustered group by group, each group as many consecutive
  // partitions as fit in what this leaves after the partitions still held
  // and the strands built (by kClusterBytesPerRead/PerNt; at least an
  // eighth of it).
  // Small clusters are folded across groups as usual (fold_below_reads); a
  // read whose minimizer an error changed may still start a cluster of its
  // own in another group. With one group the result is the unbudgeted
  // run's, but for what packing changes (DeferredReads: qualities capped at
  // Q62, bases other than ACGT read back as N of Q2). Progress of
  // "consensus" then counts clusters with no total. With
  // resolve_payload_nt, the groups' strands are offered in turn until an
  // answer comes; only the first group's can be rebuilt with a length other
  // than the estimate (after it, FrontEndStats::payload_nt stays the
  // estimate, so the caller can tell and read again). 0 = no budget:
  // clusters grow with the reads held.
  uint64_t cluster_memory_bytes = 0;
  // Progress: (stage, done, total). Stage "reads": reads taken so far, total 0
  // (unknown), after each batch; stage "consensus": clusters done of total
  // (total 0 with cluster_memory_bytes: unknown until the last group).
  // Called never concurrently, possibly from a worker thread; must not throw.
  // Null = no progress.
  std::function<void(const std::string& stage, uint64_t done, uint64_t total)> progress;
  bool estimate_payload_nt = true;       // false: resolve_payload_nt mode without the estimate
  size_t resolve_chunk_clusters = 4096;  // clusters per chunk offered to resolve_payload_nt
};

// Partitioned clustering (FrontEndOptions::cluster_memory_bytes): the
// partitions reads are spread over, and the memory clustering is assumed to
// take per read and per base it holds (measured, sketches and consensus
// included: ~750 B per 150-nt Illumina read, ~620 B per nanopore read).
inline constexpr size_t kClusterPartitions = 256;
inline constexpr uint64_t kClusterBytesPerRead = 160, kClusterBytesPerNt = 4;

// Wall-clock seconds per stage of the front end (not deterministic, for
// reports only). `input` is the whole streaming pass over the input:
// reading, trimming (`trim`, which includes pair merging, summed over the
// batches trimmed at once), take_read and clustering as they overlap it;
// `drop` the drop_before_clustering look after it; `cluster` the clustering
// during and after the pass; `consensus` the strands' consensus.
struct FrontEndSeconds {
  double input = 0, trim = 0, drop = 0, cluster = 0, consensus = 0;
  FrontEndSeconds& operator+=(const FrontEndSeconds& o) {
    input += o.input;
    trim += o.trim;
    drop += o.drop;
    cluster += o.cluster;
    consensus += o.consensus;
    return *this;
  }
};

// One reconstructed payload.
struct Strand {
  std::string seq;     // ACGT payload (primers removed, forward orientation)
  std::string qual;    // Phred+33 per-base confidence, same length as seq
  uint32_t reads = 0;  // reads in the cluster
};

struct FrontEndStats {
  uint64_t reads_total = 0;      // reads seen (a merged pair counts once, an unmerged pair twice)
  uint64_t reads_used = 0;       // reads whose primers were found (clustered)
  uint64_t reads_junk = 0;       // reads without a matching primer pair or plausible payload
  uint64_t reads_taken = 0;      // of reads_used, those take_read took (not clustered)
  uint64_t reads_dropped = 0;    // of reads_used, those drop_before_clustering dropped
  uint64_t clusters = 0;         // clusters found (including those below min_cluster_reads)
  uint64_t clusters_folded = 0;  // small clusters folded into a larger one (fold_below_reads)
  uint64_t reads_forward = 0;    // used reads of the forward strand
  uint64_t reads_reverse = 0;    // used reads of the reverse strand
  uint64_t pairs_total = 0;      // read pairs seen (paired mode)
  uint64_t pairs_merged = 0;     // pairs merged into one read
  uint64_t strands = 0;          // strands returned
  uint64_t strands_expected_length = 0;  // of those, with length payload_nt
  double error_rate = 0;                 // per-base error rate used (given or estimated)
  // Error profile measured on the primers of the first batch (per base; all
  // 0 with collapse_homopolymers); steers consensus alignment costs.
  double primer_sub_rate = 0, primer_ins_rate = 0, primer_del_rate = 0;
  // Error profile measured on the payloads of the first batch: reads against
  // the consensus of their minimizer group (0 when fewer than 20 groups had
  // 3 reads). error_rate is the larger of the primers' and this one, and
  // consensus takes the shares of the larger: primers attached after
  // synthesis carry none of its errors.
  double payload_sub_rate = 0, payload_ins_rate = 0, payload_del_rate = 0;
  uint64_t payload_profile_groups = 0;
  int payload_nt = 0;            // payload length used by consensus (given or resolved)
  int payload_nt_estimated = 0;  // estimate from the first batch (resolve_payload_nt mode)
  std::string fwd_primer;        // primers used (inferred when not given)
  std::string rev_primer;
  bool primers_inferred = false;
  FrontEndSeconds seconds;
  uint64_t reads_deferred = 0;       // reads that waited for drop_before_clustering
  uint64_t deferred_peak_bytes = 0;  // their packed bytes held in memory at once
  uint64_t bytes_spilled = 0;        // and written to scratch (deferred_memory_bytes and
                                     // cluster_memory_bytes)
  // cluster_memory_bytes: groups of partitions clustered one after another
  // (0 = clustered as read), and the partitioned reads' packed bytes held in
  // memory at once (their peak, summed over partitions).
  uint32_t partition_groups = 0;
  uint64_t partitioned_peak_bytes = 0;
  // coverage_histogram[c] = clusters (after folding) with c reads; the last bin
  // (kCoverageBins - 1) counts clusters with at least that many reads.
  static constexpr size_t kCoverageBins = 101;
  std::vector<uint64_t> coverage_histogram;
};

// Streams reads from all `paths` (FASTA/FASTQ/SAM/BAM, plain or gzip/bgzf;
// "-" = stdin) through core::SeqReader, orients, trims, clusters and builds a
// consensus per cluster. `strands` is replaced, ordered by each cluster's
// first read. `stats` may be null. Errors: kUsage (bad options: threads < 1,
// batch_reads == 0, bad primers), kIo / kBadInput from reading (naming the
// file), kBadInput when primers must be inferred and cannot be. Junk reads are
// counted, never fatal. No read is usable -> Ok with no strands.
Status ReconstructStrands(const std::vector<std::string>& paths, const FrontEndOptions& options,
                          std::vector<Strand>* strands, FrontEndStats* stats);

// Same, on reads already in memory (tests, fuzzing). Batches are taken as
// consecutive slices of `reads` of options.batch_reads.
Status ReconstructStrandsFromReads(const std::vector<SeqRecord>& reads,
                                   const FrontEndOptions& options, std::vector<Strand>* strands,
                                   FrontEndStats* stats);

// Paired-end variant: R1 and R2 files are read in lockstep (same number of
// records, mates in the same order); mates are merged where they overlap
// (MergePair), otherwise both are used as single reads.
// Errors: as ReconstructStrands, plus kBadInput when the files have different
// numbers of records.
Status ReconstructStrandsPaired(const std::string& r1, const std::string& r2,
                                const FrontEndOptions& options, std::vector<Strand>* strands,
                                FrontEndStats* stats);

}  // namespace dnastore
