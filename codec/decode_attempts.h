// The decoder's attempt policy. The ways of reading the input that are
// tried are a list of values (DecodeAttempt), planned by PlanAttempts from
// the options and what the first records showed; RunDecodeAttempts runs them
// in order, each with fresh state (its own slot store and report part), and
// keeps one result:
//
//   header in the first records, and they are designed oligos:
//       1. strands (every record decoded directly)   provisional
//       2. reads with the header's geometry           (replaces 1. when it does better)
//   header in the first records, sequencer reads:     reads with the header's geometry
//   no header found (or reads forced):
//       for primers in [--primers,] built-in, inferred
//         for collapse in [TdT-like?, not]            reads, header looked for in the strands
//           (then again without the payload-length estimate, when header strands were
//            seen but the length never settled)
//
// An attempt that finds no archive hands over to the next one. One that
// found the archive is final whatever the outcome, and so is an error
// (unreadable input, I/O), except that a provisional attempt's unrecoverable
// result waits for the next attempts. A later one replaces it when it
// succeeds, fails with another kind of error, writes a partial file or
// (without --partial) names the missing bytes; otherwise the provisional
// slots are decoded again, now writing the partial file --partial asks for.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "codec/header_probe.h"
#include "codec/payload_source.h"
#include "dnastore/archive.h"
#include "dnastore/decoder.h"
#include "dnastore/status.h"

namespace dnastore {

struct DecodeAttempt {
  enum class Source : uint8_t {
    kStrands,  // every record is a designed oligo: cut by the header's geometry
    kReads,    // sequencer reads: the read front end (clusters, consensus)
  };
  Source source = Source::kReads;
  // The archive's parameters when the first records gave them (then the
  // primers, collapse and payload length below are the header's).
  std::optional<ArchiveParams> header;
  std::string fwd_primer, rev_primer;  // reads: primers to trim; both empty = infer them
  bool collapse_runs = false;          // reads: collapse homopolymer runs (transition mapping)
  // reads: the reads are payloads, their primers removed by a lab pipeline
  // (FrontEndOptions::primers_removed); the primers above are the archive's.
  bool primers_removed = false;
  int payload_nt = 0;               // reads: payload length, 0 = unknown
  bool estimate_payload_nt = true;  // reads without header: start from the length estimate
  // Run only when the attempt run just before saw header strands but the
  // payload length never settled (the estimate may be what spoiled them).
  bool only_if_header_unsettled = false;
  // An unrecoverable result is kept only when no later attempt does better;
  // meanwhile it writes no partial file.
  bool provisional = false;
  // The header was chosen among the archives of a mixed input: the attempt
  // decodes it whatever else it sees.
  bool archive_chosen = false;
  // Decodes another archive of a mixed input only to learn its frames
  // (written nowhere), so that the chosen archive's decode can set them
  // aside.
  bool donor = false;
};

// The archive to decode among those whose headers were assembled from the
// input (`found`, best-supported first) and `current` (the one an attempt
// decodes, whose header may have come from the first records alone):
// `wanted` (DecodeOptions::archive) if given, else the best supported.
// Errors: kUnrecoverable when `wanted` matches none (naming those present),
// kUsage when it matches several.
Result<AssembledHeader> ChooseArchive(const std::vector<AssembledHeader>& found,
                                      const ArchiveParams& current, const std::string& wanted);

// The attempts for these options, given what the first records showed.
std::vector<DecodeAttempt> PlanAttempts(const DecodeOptions& options,
                                        const FirstBatchFindings& first);

// What the driver hands over: the options (standard input already spooled
// to a path that can be read again), the inputs' names for messages, and
// the first records of the first input.
struct DecodeInput {
  DecodeOptions options;
  std::string names;
  FirstRecords first;
  uint64_t input_bytes = 0;  // total size of the input files (as stored: compressed or not)
  // The inputs as the caller named them, standard input as /dev/stdin (the
  // spooled copies in `options` have other identities): what an output named
  // by the archive must not be.
  std::vector<std::string> original_inputs;
};

// Probes the first records, plans the attempts and runs them; fills *report
// from the result kept (the front-end passes and seconds count every pass up
// to it). Errors: as DecodeFile.
Status RunDecodeAttempts(DecodeInput input, const DecodeProgressFn& progress, DecodeReport* report);

}  // namespace dnastore
