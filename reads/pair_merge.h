// Paired-end read merging: joins an R1/R2 mate pair into one read where the
// mates overlap (the insert is shorter than the two reads together).
#pragma once

#include "dnastore/read_front_end.h"
#include "dnastore/seq_io.h"

namespace dnastore {

// Merges `r1` with the reverse complement of `r2` (both as sequenced,
// Phred+33 qualities optional). Overlaps are scored without indels; among
// overlaps within max_mismatch_fraction, the one maximising length - 5 *
// mismatches wins (ties: the smallest offset of R2 in R1).
// Mates that read through into the adapter (insert shorter than a read) are
// handled: the merged read is then the insert only. In the overlap, equal
// bases get the higher quality (+ up to 10, capped at Phred 60); at a
// disagreement the base with the higher quality wins and its quality drops
// by the loser's. Returns true and fills `merged` (name = r1's) when an
// overlap was found; false otherwise (then use the mates as single reads).
// Pure function: thread-safe and deterministic.
bool MergePair(const SeqRecord& r1, const SeqRecord& r2, const PairMergeOptions& options,
               SeqRecord* merged);

}  // namespace dnastore
