// Reads (or clean strands) -> the original file, verified. Library
// dnastore::codec (it uses dnastore::reads for sequencer reads).
//
//   DecodeOptions opts;
//   opts.inputs = {"reads.fastq.gz"};
//   opts.output_path = "photo.jpg";
//   DecodeReport report;
//   Status st = DecodeFile(opts, nullptr, &report);  // st.ok(): the file is there, verified
//
// Nothing but the reads is needed: the archive's own header strands give the
// parameters. Clean designed oligos are decoded record by record; sequencer
// reads go through the read front end (trim, cluster, consensus) first.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dnastore/archive.h"
#include "dnastore/read_front_end.h"
#include "dnastore/status.h"

namespace dnastore {

struct DecodeOptions {
  std::vector<std::string> inputs;   // FASTA/FASTQ/SAM/BAM, gz; "-" = stdin
  std::string paired_r1, paired_r2;  // paired-end mates (merged where they overlap)
  // Destination; empty = the file name stored in the archive, in the current
  // directory; "-" = standard output (written only after verification).
  std::string output_path;
  bool force = false;    // overwrite an existing output
  bool partial = false;  // on failure, still write what was recovered
  int threads = 1;
  // Primers to look for when the archive header cannot be found directly
  // (custom primers in noisy reads). Empty = built-in, then inferred.
  std::string fwd_primer, rev_primer;
  // Treat the input as reads even when it looks like clean designed oligos.
  bool force_reads_mode = false;
  // Per-base read error rate that sets clustering and consensus; 0 = measure
  // it on the primers of the first reads (which says nothing when primers
  // were attached after synthesis, or removed: then give it).
  double error_rate = 0;
  // Bases before a primer (adapters) tolerated at each read end; < 0 = the
  // front end's default (FrontEndOptions::primer_search_slack_nt).
  int primer_search_slack_nt = -1;
  // Reads of several archives mixed: the archive to decode, by its id (a
  // prefix of 4 or more hex digits of DecodeReport::archive_id) or its
  // stored file name. Empty = the archive with the most reads (measured by
  // its header frames per header oligo).
  std::string archive;
  // Other files of the caller's run (a report, say) that the output must not
  // be, checked with the inputs when the output's name comes from the archive
  // (output_path empty): kUsage naming both, even with `force`.
  std::vector<std::string> other_files;
  // Memory budget for the decode (0 = DefaultMemoryBudget()). Reads mode
  // with index placement keeps what it holds per oligo (about
  // IndexVotes's bytes) plus kDecodeMemoryReserve and spills the reads
  // that wait for their second look to `tmp_dir` beyond that (kUsage when
  // the archive's oligos alone need more than the budget); the reads left
  // for clustering are clustered by minimizer partition within the same
  // share (FrontEndOptions::cluster_memory_bytes), also when none could be
  // placed (nanopore), and while the archive header is looked for among the
  // strands. Not bounded yet: the strands held (about 0.4 KB per cluster).
  uint64_t memory_bytes = 0;
  std::string tmp_dir;  // scratch for spilled reads ("" = $TMPDIR)
  // Packed bytes of waiting reads held in memory before they are spilled;
  // 0 = what memory_bytes leaves (a smaller value spills sooner, e.g. to
  // keep memory for other work; the result does not change).
  uint64_t spill_after_bytes = 0;
};

// The default memory budget: the smaller of 4 GiB and half the physical
// memory.
uint64_t DefaultMemoryBudget();
// Smallest budget accepted (below it, kUsage), and the share of any budget
// held back for what decode does not count (batches in flight, tables,
// the outer decode).
inline constexpr uint64_t kMinMemoryBudget = uint64_t{256} << 20;
inline constexpr uint64_t kDecodeMemoryReserve = uint64_t{256} << 20;
// The least memory left for the reads that wait for a second look.
inline constexpr uint64_t kMinDeferredBytes = uint64_t{16} << 20;
// What a budget leaves for the reads once the reserve is held back (at
// least kMinDeferredBytes).
inline constexpr uint64_t WithoutReserve(uint64_t budget) {
  return budget > kDecodeMemoryReserve + kMinDeferredBytes ? budget - kDecodeMemoryReserve
                                                           : kMinDeferredBytes;
}

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Another archive whose header frames were among the reads.
struct OtherArchive {
  std::string id;  // as DecodeReport::archive_id
  std::string file_name;
  uint64_t file_size = 0;
  uint64_t header_frames = 0;
};

struct DecodeReport {
  std::string mode;  // "strands" (clean oligos) or "reads" (clustered + consensus)
  bool header_found = false;
  ArchiveParams params;
  // The archive decoded: 16 hex digits that identify its header (file and
  // parameters); what DecodeOptions::archive selects.
  std::string archive_id;
  // Other archives seen in the reads (v1 data frames carry no archive tag:
  // another archive's data oligos of the same geometry compete for the same
  // indices, and the outer code corrects what they displace).
  std::vector<OtherArchive> other_archives;
  uint64_t records = 0;     // input records seen
  uint64_t strands = 0;     // payloads decoded (records or consensus strands)
  uint64_t reads_junk = 0;  // reads without primers (reads mode)
  // Reads whose payload was a valid data frame, placed by its index without
  // clustering (reads mode, archive known before the pass); the others
  // were clustered.
  uint64_t reads_placed = 0;
  // Of the others, noisy copies of frames placed by index (their index
  // field and most data bytes agree), not clustered either.
  uint64_t reads_dropped = 0;
  uint64_t clusters = 0;         // clusters (reads mode)
  uint64_t header_frames = 0;    // valid header frames seen
  uint64_t data_frames = 0;      // valid data frames (CRC ok)
  uint64_t frames_repaired = 0;  // of those, strands repaired from their consensus confidences
  uint64_t frames_rejected = 0;  // payloads whose CRC or shape did not check out
  uint64_t duplicate_frames = 0;
  // Data frames set aside as another archive's (mixed archives: those of
  // the others that decoded, recognised by what they hold at their index).
  uint64_t frames_other_archives = 0;
  uint64_t oligos_expected = 0;      // data + parity oligos in the design
  uint64_t oligos_present = 0;       // distinct indices recovered with a valid CRC
  uint64_t suspect_frames_used = 0;  // slots filled by CRC-failed frames (outer code checks them)
  uint64_t erasures = 0;             // missing oligos filled by the outer code
  // v1: RS codeword groups (blocks of a stripe); v2: product blocks.
  uint64_t codewords = 0;
  uint64_t codewords_failed = 0;
  // v1: codewords that needed error correction; v2: row and column
  // codewords that had errors.
  uint64_t columns_with_errors = 0;
  // Min over blocks of (parity - erasures); v2: slot parity minus the
  // erasures of the worst row before the columns help, 0 when failed.
  int min_parity_margin = 0;
  std::vector<uint64_t> coverage_histogram;  // reads per cluster (reads mode)
  bool hash_ok = false;
  std::vector<ByteRange> missing;  // byte ranges not recovered
  std::string output_path;         // where the file was written ("" if not)
  double seconds = 0;
  // Reads mode: passes of the front end over the reads (1 when the header
  // was found during the first; more when primers or the mapping had to be
  // guessed again) and wall-clock seconds per stage, summed over passes.
  int front_end_passes = 0;
  int payload_nt_estimated = 0;  // first-batch estimate of the payload length (0 = not made)
  // Reads mode: the per-base read error rate the front end worked with (the
  // larger of the primers' edit rate and the payloads' rate against their
  // group consensus), and both measures (per base; the payload profile is 0
  // when too few reads of one oligo were in the first batch).
  double read_error_rate = 0, primer_error_rate = 0;
  double payload_sub_rate = 0, payload_ins_rate = 0, payload_del_rate = 0;
  FrontEndSeconds front_end_seconds;
  // Memory: the budget applied; reads that waited for a second look (after
  // every read was seen), the peak of their packed bytes in memory and the
  // bytes of them spilled to scratch.
  uint64_t memory_budget_bytes = 0;
  uint64_t reads_deferred = 0, deferred_peak_bytes = 0, bytes_spilled = 0;
  // Groups of minimizer partitions clustered in turn (0: clustered as read;
  // the most of any pass).
  uint32_t partition_groups = 0;
  // Wall-clock seconds after the front end, in the attempt reported: placing
  // the voted frames and the strands into the archive's slots, and the
  // outer decode (with writing the output).
  double seconds_place = 0, seconds_outer = 0;
};

// Progress callback: (stage name such as "reading", "clustering", "decoding";
// units done; total, 0 when unknown; the front end's "reads" and "consensus"
// stages included). Called never concurrently, possibly from a worker
// thread; it must not throw.
using DecodeProgressFn =
    std::function<void(const std::string& stage, uint64_t done, uint64_t total)>;

// Decodes the archive found in the inputs. Writes the file only when its
// hash verifies (or, with `partial`, writes the recovered bytes and lists the
// missing ranges in the report), atomically (temporary name + rename).
// Errors: kIo / kBadInput for unreadable or malformed input and outputs that
// exist without `force`; kUnrecoverable when no archive is found or the data
// cannot be recovered (the report says what is missing). `progress` and
// `report` may be null; the report is reset first and filled on success and
// on failure alike. Deterministic: the same inputs and options give the same
// file and report (timings aside) at any thread count. Never writes a file
// whose hash does not verify, unless `partial` asks for it.
Status DecodeFile(const DecodeOptions& options, const DecodeProgressFn& progress,
                  DecodeReport* report);

}  // namespace dnastore
