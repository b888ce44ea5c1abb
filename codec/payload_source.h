// Where a decode attempt's payloads come from: clean records (designed
// oligos, oriented and cut by the archive's exact geometry), or passes of the
// read front end over sequencer reads (consensus strands of read clusters).
#pragma once

#include <tbb/task_arena.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dnastore/archive.h"
#include "dnastore/decoder.h"
#include "dnastore/read_front_end.h"
#include "dnastore/seq_io.h"
#include "dnastore/status.h"

namespace dnastore {

// Records per batch when reading records directly.
inline constexpr size_t kRecordBatch = 1 << 15;

// The first records of the first input, read before any attempt to probe
// them (header_probe.h).
struct FirstRecords {
  ReadBatch batch;
  std::unique_ptr<SeqReader> reader;  // positioned after `batch`; null without single-end inputs
};

// Takes one batch of clean records: the payloads cut from them, the number
// of records, and how many of those had the wrong length (no payload).
using CleanBatchFn = std::function<Status(const std::vector<std::string_view>& payloads,
                                          size_t records, size_t wrong_length)>;

// Reads every record of `inputs`, `first` holding those already read from
// inputs[0] (an empty `first`, without a reader: read inputs[0] from the
// start); orients each by the primers of `geometry` (records of the
// oligo length that do not start and end as the forward strand are reverse
// complemented), cuts out its payload and hands batches to `consume`, in
// input order. Errors: those of reading and of `consume`.
Status ForEachCleanBatch(FirstRecords first, const std::vector<std::string>& inputs,
                         const OligoGeometry& geometry, tbb::task_arena& arena,
                         const CleanBatchFn& consume);

// Totals over the front-end passes of one decode (several when primers or
// the mapping had to be guessed), as the report shows them.
struct FrontEndTally {
  int passes = 0;
  int payload_nt_estimated = 0;  // the last estimate made (0 = none)
  FrontEndStats errors;          // the error measures of the last pass (rates only)
  FrontEndSeconds seconds;
  uint64_t bytes_spilled = 0, deferred_peak_bytes = 0;  // summed, and the peak, over passes
  uint32_t partition_groups = 0;                        // the most of any pass
  // Counts of the last pass that succeeded (have_counts: there was one).
  bool have_counts = false;
  uint64_t records = 0, reads_junk = 0, reads_dropped = 0, clusters = 0, reads_deferred = 0;
  std::vector<uint64_t> coverage_histogram;
  // Sets the report's front_end_* and seconds_* fields, and records,
  // reads_junk, reads_dropped, clusters and coverage_histogram when have_counts.
  void ApplyTo(DecodeReport* report) const;
};

// One pass of the read front end over the decode's inputs (the paired files
// first, then the single-end ones) -> strands and their stats; adds the pass
// to `tally`. Errors: those of the front end.
Status RunFrontEnd(const DecodeOptions& options, const FrontEndOptions& front_end,
                   std::vector<Strand>* strands, FrontEndStats* stats, FrontEndTally* tally);

}  // namespace dnastore
