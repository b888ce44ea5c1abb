// The wet-lab channel simulator: designed oligo pool -> sequencing reads.
//
// Stages (parameters in dnastore/channel_config.h; one source file per stage
// in channel/):
//   synthesis -> decay -> PCR -> sampling -> sequencing
// Per-oligo effects (copy number, PCR efficiency, strand-break survival,
// dropout, truncated products) set each oligo's share of the final pool; the
// number of reads per oligo is then drawn from a multinomial, so dropout and
// coverage skew arise from the model. Each read independently receives the
// synthesis, decay, PCR and sequencing errors of one molecule.
//
// Determinism: read k (in output order) is a pure function of (pool, config,
// seed, k); every random decision is drawn from core/rng.h streams keyed by
// (stage, oligo index) or (stage, read index). Output is byte-identical at any
// thread count. Different seeds give different output.
//
// Memory is O(pool size): reads are generated in bounded batches and never
// all held at once. Output order is a seeded pseudo-random permutation of the
// reads (a real FASTQ is unordered; a decoder must not learn from order).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dnastore/channel_config.h"
#include "dnastore/status.h"

namespace dnastore::channel {

// One designed oligo.
struct PoolOligo {
  std::string id;   // FASTA name (first word)
  std::string seq;  // upper-case ACGT
};

// Loads a FASTA/FASTQ pool (plain or gzip). Errors: kIo (unreadable),
// kBadInput (empty pool, non-ACGT base naming the record, oligo longer than
// 100000 nt).
Result<std::vector<PoolOligo>> LoadPool(const std::string& path);

// Kind of one difference between a read and its source.
enum class EditType : uint8_t { kSubstitution, kInsertion, kDeletion };

// One edit, in coordinates of the reference it applies to (see SimulatedRead).
// Substitution: reference base at `pos` becomes bases[0].
// Insertion: `bases` inserted before reference position `pos` (pos may equal
// the reference length: appended). Deletion: `length` bases removed from `pos`.
struct Edit {
  EditType type;
  uint32_t pos;
  uint32_t length;    // deletion length; insertion length == bases.size()
  std::string bases;  // substituted / inserted bases
};

// One simulated read (or read pair) with its ground truth.
//
// Single-end: seq = Orient(ApplyEdits(oligo, edits)), where Orient reverse-
// complements when `reverse`. `edits` are in forward oligo coordinates and
// include every stage (synthesis, PCR, decay, sequencing).
//
// Paired-end: the fragment is ApplyEdits(oligo, edits) (synthesis, PCR and
// decay only). Mate 1 template = Orient(fragment) + adapter_r1; mate 2
// template = ReverseComplement(Orient(fragment)) + adapter_r2; each template
// is then padded with 'G' (dark cycles of 2-colour chemistry) to at least
// read_length_nt + 32; each mate is ApplyEdits(template, edits_rN) cut to
// read_length_nt (sequencing errors, in template coordinates).
struct SimulatedRead {
  uint64_t read_index = 0;   // position in the output
  uint32_t oligo_index = 0;  // index into the pool
  bool reverse = false;      // read 1 is the reverse complement of the oligo
  std::string name;          // e.g. "r17" (mates: "r17/1", "r17/2")
  std::string seq, qual;     // Phred+33
  std::string seq2, qual2;   // mate 2 (paired mode only)
  std::vector<Edit> edits;
  std::vector<Edit> edits_r1, edits_r2;  // paired mode only
};

// Applies sorted, non-overlapping edits to `ref` (used by tests and tools).
// Returns kBadInput if an edit is out of range or inconsistent.
Result<std::string> ApplyEdits(const std::string& ref, const std::vector<Edit>& edits);

// Edits as text, e.g. "S12:A>G,D40:2,I57:TT" ("." when there are none).
std::string FormatEdits(const std::vector<Edit>& edits, const std::string& ref);

// What the simulator measured about its own output (no I/O, no printing).
struct SimulateStats {
  uint64_t oligos = 0;
  uint64_t reads = 0;         // reads (pairs count once)
  uint64_t read_nt = 0;       // bases written (both mates)
  uint64_t reference_nt = 0;  // reference bases the edits were counted over
  // Net edits between reads and their references (after all stages).
  uint64_t substitutions = 0;
  uint64_t insertions = 0;  // inserted bases
  uint64_t deletions = 0;   // deleted bases
  uint64_t insertion_events = 0;
  uint64_t deletion_events = 0;
  uint64_t error_free_reads = 0;
  // Injected error events per stage: [stage][type], stage 0 synthesis,
  // 1 PCR, 2 decay, 3 sequencing; type order = EditType.
  uint64_t stage_events[4][3] = {};
  // Net edits by reference position (forward oligo coordinates); index =
  // position, up to the longest oligo. In paired mode the fragment edits are
  // counted in oligo coordinates and each mate's sequencing edits in its
  // template coordinates (the totals above include both, and reference_nt
  // adds each mate's length); reference_nt_by_position covers oligos only.
  std::vector<uint64_t> substitutions_by_position, insertions_by_position, deletions_by_position,
      reference_nt_by_position;
  // coverage_histogram[c] = number of oligos with exactly c reads (the last
  // bin counts >= its index).
  std::vector<uint64_t> coverage_histogram;
  uint64_t zero_read_oligos = 0;
  double dropout_fraction = 0;  // zero_read_oligos / oligos
  // Physical redundancy (SamplingParams::physical_redundancy > 0): molecules
  // taken from the synthesized pool, and oligos of which none was taken
  // (lost before amplification; a subset of zero_read_oligos). 0 otherwise.
  uint64_t molecules = 0;
  uint64_t oligos_without_molecules = 0;
  double mean_coverage_x = 0;
  double coverage_cv = 0;  // sd / mean of reads per oligo
  double mean_phred = 0;   // mean quality over all written bases

  double SubstitutionRate() const;  // per reference nt
  double InsertionRate() const;
  double DeletionRate() const;
};

// Where and how to write.
struct SimulateOutput {
  std::string reads_path;   // FASTQ; ".gz"/".bgz" -> BGZF; "-" = stdout
  std::string reads2_path;  // mate 2 (paired mode; required then)
  std::string truth_path;   // optional TSV (columns: docs/channel_simulator.md, Outputs)
  int threads = 1;          // worker threads (>= 1); also BGZF compression threads
  // Called from the writing thread after each batch with (reads done, total).
  std::function<void(uint64_t, uint64_t)> progress;
};

// A prepared simulation: the pool, the configuration and every per-oligo
// decision (copy numbers, read counts). Immutable after Create; Generate and
// Run may be called from several threads concurrently.
class ChannelSimulator {
 public:
  // Validates `config` (kUsage naming the key), checks the pool (kBadInput),
  // then draws per-oligo copy numbers and the multinomial read counts
  // (O(pool) time and memory).
  static Result<std::unique_ptr<ChannelSimulator>> Create(std::vector<PoolOligo> pool,
                                                          const ChannelConfig& config,
                                                          uint64_t seed);
  ~ChannelSimulator();

  uint64_t read_count() const;
  const std::vector<PoolOligo>& pool() const;
  const ChannelConfig& config() const;
  // Reads drawn per oligo (pool order).
  const std::vector<uint32_t>& reads_per_oligo() const;

  // Generates reads [first, first + count) in output order into `out`
  // (replaced), with their truth. The same reads, byte for byte, as Run writes;
  // independent of how ranges are split. Single-threaded (call it from
  // several threads on disjoint ranges to parallelise).
  void Generate(uint64_t first, uint64_t count, std::vector<SimulatedRead>& out) const;

  // Generates every read and writes FASTQ (+ truth), in bounded batches on
  // `output.threads` threads. Returns the stats; kIo on write failure,
  // kUsage if paired mode lacks reads2_path.
  Result<SimulateStats> Run(const SimulateOutput& output) const;

  // Stats over reads [first, first + count) without writing anything (tests).
  SimulateStats Measure(uint64_t first, uint64_t count, int threads) const;

 private:
  ChannelSimulator();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dnastore::channel
