// Sequence file input and output (FASTA, FASTQ, SAM, BAM; plain, gzip or
// bgzf). Library dnastore::core. FASTA and FASTQ are parsed as they stream
// (bounded memory per record); SAM/BAM go through HTSlib. No HTSlib type
// appears in this header.
//
// Thread-safety: one reader or writer per thread; distinct objects may be
// used concurrently. Neither ever prints or exits.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dnastore/status.h"

namespace dnastore {

// One sequence record. `name` is the header's first word; `qual` is Phred+33
// text of seq's length, empty when the source has no qualities (FASTA).
// Bases are upper-cased IUPAC codes, anything else 'N'; callers decide what
// to do with N and other non-ACGT codes. SAM/BAM records on the reverse
// strand are returned as sequenced (reverse-complemented back).
struct SeqRecord {
  std::string name;
  std::string seq;
  std::string qual;
};

using ReadBatch = std::vector<SeqRecord>;

// Streams records from one file. Format and compression are detected from the
// content, not the name. `-` reads standard input. Not thread-safe.
class SeqReader {
 public:
  // Opens `path` ("-" = standard input; pipes and FIFOs are read once, as
  // they stream). Errors: kIo (missing, unreadable, a directory), kBadInput
  // (empty, or not a sequence file). The reader owns the open file.
  // `threads` > 1: BGZF input (what bgzip, samtools and our simulate write;
  // BAM) is decompressed on that many threads of HTSlib's own; a plain gzip
  // stream, which cannot be split, is inflated (by ISA-L, for a regular
  // file) on one extra thread, ahead of the parsing.
  static Result<std::unique_ptr<SeqReader>> Open(const std::string& path, int threads = 1);
  ~SeqReader();
  SeqReader(const SeqReader&) = delete;
  SeqReader& operator=(const SeqReader&) = delete;

  // Replaces `batch` with up to `max_records` records (their string buffers
  // are reused). Returns Ok with an empty batch at end of file; kBadInput
  // naming the file and record number for malformed or truncated input.
  // Records longer than kMaxReadNt are skipped and counted
  // (records_too_long), never held in memory: FASTA and FASTQ are parsed as
  // they stream, so memory stays bounded whatever a record claims.
  Status Next(ReadBatch& batch, size_t max_records);

  // Number of records returned so far.
  uint64_t records_read() const { return records_; }
  // Records skipped because they were longer than kMaxReadNt.
  uint64_t records_too_long() const { return too_long_; }
  // Detected format, e.g. "FASTQ", "FASTA", "SAM", "BAM".
  const std::string& format_name() const { return format_; }

  static constexpr size_t kMaxReadNt = 1 << 20;

 private:
  SeqReader() = default;
  Status NextFastx(ReadBatch& batch, size_t max_records);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  std::string format_;
  uint64_t records_ = 0;
  uint64_t too_long_ = 0;
};

// Convenience: reads every record of a file (small inputs, tests).
Result<std::vector<SeqRecord>> ReadAllRecords(const std::string& path);

enum class SeqFormat { kFasta, kFastq };

// Buffered sequence writer. A name ending in ".gz" or ".bgz" is written as
// BGZF (gzip-compatible) with `threads` (>= 1) compression threads; "-"
// writes to standard output. It writes `path` directly: callers that need an
// all-or-nothing file write to a temporary name and rename it (the CLI does).
// Errors (disk full, closed pipe) surface as kIo from Write or Close, never
// as a crash; the destructor closes without reporting.
class SeqWriter {
 public:
  static Result<std::unique_ptr<SeqWriter>> Open(const std::string& path, SeqFormat format,
                                                 int threads = 1);
  ~SeqWriter();
  SeqWriter(const SeqWriter&) = delete;
  SeqWriter& operator=(const SeqWriter&) = delete;

  Status Write(const SeqRecord& rec);
  // Writes preformatted text as is (for callers that format in parallel).
  Status WriteRaw(const char* data, size_t size);
  // Flushes and closes; must be called to see write errors.
  Status Close();

 private:
  SeqWriter() = default;
  Status Flush();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  SeqFormat format_ = SeqFormat::kFasta;
  std::string buf_;
};

// Appends one FASTA or FASTQ record to `out`.
void FormatRecord(const SeqRecord& rec, SeqFormat format, std::string& out);

}  // namespace dnastore
