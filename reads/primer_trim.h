// Primer finding, read orientation and trimming: the first stage of the read
// front end (reads -> payloads). See docs/front_end.md.
//
// An oligo is FWD primer + payload + ReverseComplement(REV primer). A read of
// the forward strand starts with FWD and ends with RC(REV); a read of the
// reverse strand starts with REV and ends with RC(FWD). The trimmer searches
// each primer only near its read end (edlib infix alignment, bounded edit
// distance), picks the orientation whose two primers match with fewer edits,
// and returns the payload in forward orientation with its qualities.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dnastore/seq_io.h"
#include "dnastore/status.h"

namespace dnastore {

struct PrimerTrimOptions {
  std::string fwd_primer;  // 5'->3', ACGT
  std::string rev_primer;  // 5'->3', ACGT; the oligo ends with its reverse complement
  // A primer matches when its edit distance to the read is at most
  // floor(max_primer_error_fraction * primer length + 0.5).
  double max_primer_error_fraction = 0.25;
  // Each primer is searched in the first (last) primer_length + slack bases of
  // the read: reads may carry a few adapter bases before the primer.
  int primer_search_slack_nt = 24;
  // Expected payload length in nt (0 = unknown). When known, payloads shorter
  // than (1 - max_payload_length_deviation) * payload_nt or longer than
  // (1 + max_payload_length_deviation) * payload_nt are junk (primer dimers,
  // chimeras). When unknown, payloads shorter than min_payload_nt are junk.
  int payload_nt = 0;
  double max_payload_length_deviation = 0.3;
  int min_payload_nt = 8;
  // Payloads longer than this are junk whatever payload_nt says (bounds the
  // cost of clustering and consensus on runaway reads).
  int max_payload_nt = 10000;
  // The reads are payloads already (a lab pipeline removed the primers;
  // the primers above may then be empty): each read is taken whole, in
  // canonical orientation (the lexicographically smaller of it and its
  // reverse complement), so that reads of both strands of one molecule give
  // one sequence. Its orientation to the design is then unknown: a payload
  // may be the reverse complement of the designed one.
  bool primers_removed = false;
};

enum class ReadOrientation : uint8_t { kJunk = 0, kForward = 1, kReverse = 2 };

// One trimmed read. `seq` and `qual` are the payload in forward (design)
// orientation; `qual` is empty when the read had no qualities.
struct TrimmedRead {
  std::string seq;
  std::string qual;
  ReadOrientation orientation = ReadOrientation::kJunk;
  int16_t start_primer_edits = -1;  // edits in the primer found at the read's start
  int16_t end_primer_edits = -1;    // edits in the primer found at the read's end
  bool taken = false;               // the read front end's caller took it (take_read)
};

// Finds primers and trims reads. Construction validates options; Trim is
// const and thread-safe (any number of threads may share one trimmer).
// Deterministic: the result depends only on the read and the options.
class PrimerTrimmer {
 public:
  // Errors: kUsage when a primer is empty, contains non-ACGT characters, or a
  // fraction is out of [0, 1).
  static Result<PrimerTrimmer> Create(const PrimerTrimOptions& options);

  // Trims one read (`qual` may be empty; otherwise it has seq's length).
  // Returns true and fills `out` when both primers of one orientation were
  // found and the payload length is plausible; otherwise returns false and
  // sets out->orientation = kJunk. Never fails on odd input (N, lower case,
  // empty reads are simply junk or kept as N).
  bool Trim(std::string_view seq, std::string_view qual, TrimmedRead* out) const;

  const PrimerTrimOptions& options() const { return options_; }
  int max_edits_fwd() const { return max_edits_fwd_; }
  int max_edits_rev() const { return max_edits_rev_; }

 private:
  PrimerTrimmer() = default;
  // Best match of `primer` within window [begin, end) of `read`: edit distance
  // (or -1 when above max_edits) and the match's [start, end) in the read.
  struct Hit {
    int edits = -1;
    int start = 0;
    int end = 0;
  };
  Hit FindAtStart(std::string_view read, const std::string& primer, int max_edits) const;
  Hit FindAtEnd(std::string_view read, const std::string& primer, int max_edits) const;
  bool PlausibleLength(size_t n) const;
  // PrimerTrimOptions::primers_removed: the read whole, canonically oriented.
  bool TakeWhole(std::string_view seq, std::string_view qual, TrimmedRead* out) const;

  PrimerTrimOptions options_;
  std::string fwd_rc_;  // ReverseComplement(fwd)
  std::string rev_rc_;  // ReverseComplement(rev)
  int max_edits_fwd_ = 0;
  int max_edits_rev_ = 0;
};

// Collapses every homopolymer run of `seq` to one base (TdT transition pools).
// The quality of a collapsed base is the highest quality in its run. `qual`
// may be empty (then out_qual is empty). In-place use (out_seq == &seq's
// owner) is not allowed.
void CollapseHomopolymers(std::string_view seq, std::string_view qual, std::string* out_seq,
                          std::string* out_qual);

// Error profile of reads measured on their primers: substitutions,
// insertions and deletions per primer base, from the primer at the start of
// up to 4096 of `reads` (the forward primer, or the reverse one for reads of
// the other strand; adapter bases before it are skipped; reads whose primer
// is not found within `max_error_fraction` edits per base are not counted).
// Only the primer's interior is counted (3 bases in from each end, where an
// indel and a substitution cost the same to a local alignment); estimates
// are within ~20% of the truth on simulated reads, and callers must tolerate
// that. All zero when no primer was found. Thread-safe.
struct PrimerErrorProfile {
  double sub = 0, ins = 0, del = 0;
  uint64_t bases = 0;  // primer bases measured
  // Reads are longer than their molecule by this fraction on average: it
  // turns the mean payload length of reads into the designed one.
  double net_indel() const { return ins - del; }
};
PrimerErrorProfile EstimatePrimerErrors(const SeqRecord* reads, size_t n,
                                        const std::string& fwd_primer,
                                        const std::string& rev_primer, double max_error_fraction,
                                        int slack_nt);

// Primers guessed from reads by InferPrimers.
struct InferredPrimers {
  std::string fwd_primer;  // 5'->3'
  std::string rev_primer;  // 5'->3' (reads of the forward strand end with its RC)
  uint64_t reads_examined = 0;
  uint64_t reads_supporting = 0;  // reads that start and end with this pair (either strand)
  uint64_t reads_forward = 0;     // of those, reads starting with fwd_primer
};

// Guesses the primer pair from a sample of reads: counts (prefix, suffix)
// pairs of `primer_length` nt at the read ends, folds each pair with its
// reverse-complement mirror (the other strand), and returns the most common.
// When under 5% of the reads support that pair (noisy reads, adapters before
// the primers), primers are looked for anywhere within primer_length + 24 nt
// of the read ends instead (first 20,000 reads).
// Orientation: fwd_primer is the primer that starts more reads of the sample
// (ties: the lexicographically smaller one), so the inferred orientation may be
// the reverse of the designer's; payloads are then reverse complements of the
// designed ones. Deterministic; thread-compatible.
// Errors: kUsage when primer_length < 8; kBadInput when fewer than 3 reads
// (or under 1% of the sample) share the best pair.
Result<InferredPrimers> InferPrimersOfLength(const std::vector<SeqRecord>& sample,
                                             int primer_length);

inline constexpr int kMinInferredPrimerNt = 16;

// Primers of unknown length (16 to 32 nt): the pair of kMinInferredPrimerNt
// nt found as InferPrimersOfLength does, each then grown while 90% of the
// reads carrying it agree on the next base. A primer grown this way may
// also take the first payload bases when they are conserved too (dnastore's
// constraint seeds are small numbers: the payload's first base or two);
// callers that can check payloads give those back (codec/header_probe.h).
// `primer_length` > 0: InferPrimersOfLength. Errors: as InferPrimersOfLength.
Result<InferredPrimers> InferPrimers(const std::vector<SeqRecord>& sample, int primer_length);

}  // namespace dnastore
