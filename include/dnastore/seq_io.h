// Sequence file input and output (FASTA, FASTQ, SAM, BAM; plain, gzip or
// bgzf), through HTSlib. No HTSlib type appears in this header.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dnastore/status.h"

namespace dnastore {

// One sequence record. `qual` is Phred+33 text, empty when the source has no
// qualities (FASTA). Bases are kept as read (upper-cased); callers decide what
// to do with N and other non-ACGT characters.
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
  // Opens `path`. Errors: kIo (missing, unreadable, a directory),
  // kBadInput (not a sequence file).
  static Result<std::unique_ptr<SeqReader>> Open(const std::string& path);
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
// BGZF (gzip-compatible) with `threads` compression threads; "-" writes to
// standard output. Errors (disk full, closed pipe) surface as kIo from
// Write or Close, never as a crash.
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
