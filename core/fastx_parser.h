// FASTA and FASTQ records straight from the byte stream HTSlib opened (plain,
// gzip or BGZF), with every limit enforced while reading: a record longer
// than the limit is skipped as it streams past, never held in memory.
// Private to core (SeqReader uses it; SAM/BAM stay with HTSlib).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dnastore/seq_io.h"

namespace dnastore {

class FastxParser {
 public:
  // Reads up to `size` bytes into `buf`: the count, 0 at end of input, < 0 on
  // a read or decompression error.
  using ReadFn = std::function<long(char* buf, size_t size)>;

  FastxParser(ReadFn read, bool fastq, size_t max_read_nt);

  enum class Outcome { kRecord, kTooLong, kEnd, kMalformed, kReadError };
  // Parses the next record into `rec` (its buffers are reused). kTooLong: a
  // record whose sequence exceeds max_read_nt was skipped (rec is unchanged).
  Outcome Next(SeqRecord& rec);

 private:
  // The next line without its terminator ('\n', and a '\r' before it),
  // appended to `out` when `keep`, at most `max_keep` bytes of it kept (the
  // rest is consumed). Returns its full length, or -1 at end of input (or
  // on a read error: error_ is set).
  long ReadLine(std::string* out, bool keep, size_t max_keep);
  bool Fill();
  Outcome NextFastq(SeqRecord& rec);
  Outcome NextFasta(SeqRecord& rec);
  void SetName(const std::string& header_line, SeqRecord& rec) const;

  ReadFn read_;
  bool fastq_;
  size_t max_read_nt_;
  // Not zeroed: only [pos_, end_) is ever read. capacity_ grows up to 1 MiB
  // (a zeroed 1 MiB per file opened was most of the cost of a small file).
  std::unique_ptr<char[]> buf_;
  size_t capacity_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false, error_ = false;
  std::string line_, header_;  // FASTA: the header line read ahead
  bool have_header_ = false;
};

}  // namespace dnastore
