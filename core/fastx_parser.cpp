#include "core/fastx_parser.h"

#include <htslib/hts.h>

#include <algorithm>
#include <cstring>

namespace dnastore {
namespace {

// The read buffer starts small and grows (x4) while reads fill it, up to
// 1 MiB: a small file costs no 1 MiB allocation, a large one few reads.
constexpr size_t kFirstBufferBytes = size_t{1} << 16;
constexpr size_t kBufferBytes = size_t{1} << 20;

// Bases as HTSlib stores them (IUPAC upper case, anything else 'N'), so that
// FASTA/FASTQ records read the same as through its parser.
struct BaseTable {
  char to[256];
  BaseTable() {
    for (int c = 0; c < 256; ++c) to[c] = seq_nt16_str[seq_nt16_table[c]];
  }
};
const BaseTable kBases;

void NormalizeInPlace(std::string& seq, size_t from) {
  for (size_t i = from; i < seq.size(); ++i) seq[i] = kBases.to[static_cast<unsigned char>(seq[i])];
}

}  // namespace

FastxParser::FastxParser(ReadFn read, bool fastq, size_t max_read_nt)
    : read_(std::move(read)),
      fastq_(fastq),
      max_read_nt_(max_read_nt),
      buf_(std::make_unique_for_overwrite<char[]>(kFirstBufferBytes)),
      capacity_(kFirstBufferBytes) {}

bool FastxParser::Fill() {
  if (eof_ || error_) return false;
  // Called only once the buffer is consumed (pos_ == end_): nothing to keep.
  if (end_ == capacity_ && capacity_ < kBufferBytes) {
    capacity_ = std::min(kBufferBytes, 4 * capacity_);
    buf_ = std::make_unique_for_overwrite<char[]>(capacity_);
  }
  const long n = read_(buf_.get(), capacity_);
  if (n < 0) error_ = true;
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  pos_ = 0;
  end_ = static_cast<size_t>(n);
  return true;
}

long FastxParser::ReadLine(std::string* out, bool keep, size_t max_keep) {
  size_t length = 0;
  bool any = false;
  char last = 0;  // the line's last byte, across buffer refills
  const size_t kept_before = keep ? out->size() : 0;
  while (true) {
    if (pos_ == end_ && !Fill()) break;
    any = true;
    const char* start = buf_.get() + pos_;
    const void* nl = std::memchr(start, '\n', end_ - pos_);
    const size_t take =
        nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) : end_ - pos_;
    if (keep && length < max_keep) out->append(start, std::min(take, max_keep - length));
    if (take > 0) last = start[take - 1];
    length += take;
    pos_ += take;
    if (nl) {
      ++pos_;
      break;
    }
  }
  if (!any || error_) return -1;
  if (last == '\r') {  // CRLF: the '\r' is no part of the line, kept or not
    if (keep && out->size() > kept_before && length <= max_keep) out->pop_back();
    --length;
  }
  return static_cast<long>(length);
}

void FastxParser::SetName(const std::string& line, SeqRecord& rec) const {
  const size_t end = line.find_first_of(" \t\r", 1);
  rec.name.assign(line, 1, end == std::string::npos ? std::string::npos : end - 1);
}

FastxParser::Outcome FastxParser::Next(SeqRecord& rec) {
  return fastq_ ? NextFastq(rec) : NextFasta(rec);
}

FastxParser::Outcome FastxParser::NextFastq(SeqRecord& rec) {
  long n;
  do {  // blank lines between records
    line_.clear();
    n = ReadLine(&line_, true, 64 * 1024);
  } while (n == 0);
  if (n < 0) return error_ ? Outcome::kReadError : Outcome::kEnd;
  if (line_.empty() || line_[0] != '@') return Outcome::kMalformed;
  SetName(line_, rec);
  // Sequence lines up to the '+' line; a sequence over the limit is skipped.
  rec.seq.clear();
  size_t seq_nt = 0;
  bool too_long = false;
  while (true) {
    const size_t before = rec.seq.size();
    const size_t room = too_long ? 0 : max_read_nt_ + 1 - before;
    n = ReadLine(&rec.seq, !too_long, room);
    if (n < 0) return error_ ? Outcome::kReadError : Outcome::kMalformed;
    if (!too_long && rec.seq.size() > before && rec.seq[before] == '+') {
      rec.seq.resize(before);
      break;
    }
    seq_nt += static_cast<size_t>(n);
    if (!too_long && rec.seq.size() > max_read_nt_) {
      too_long = true;
      rec.seq.clear();
    }
    if (too_long) {
      // Past the limit the '+' line is found by peeking at the next byte.
      if (pos_ == end_ && !Fill()) return error_ ? Outcome::kReadError : Outcome::kMalformed;
      if (buf_[pos_] == '+') {
        ReadLine(nullptr, false, 0);
        break;
      }
    }
  }
  // Quality lines until they cover the sequence.
  rec.qual.clear();
  size_t qual_nt = 0;
  while (qual_nt < seq_nt || seq_nt == 0) {
    n = ReadLine(&rec.qual, !too_long, too_long ? 0 : seq_nt - qual_nt + 1);
    if (n < 0) return error_ ? Outcome::kReadError : Outcome::kMalformed;
    qual_nt += static_cast<size_t>(n);
    if (seq_nt == 0) break;
  }
  if (qual_nt != seq_nt) return Outcome::kMalformed;
  if (too_long) return Outcome::kTooLong;
  NormalizeInPlace(rec.seq, 0);
  return Outcome::kRecord;
}

FastxParser::Outcome FastxParser::NextFasta(SeqRecord& rec) {
  if (!have_header_) {
    long n;
    do {
      header_.clear();
      n = ReadLine(&header_, true, 64 * 1024);
    } while (n == 0);
    if (n < 0) return error_ ? Outcome::kReadError : Outcome::kEnd;
    if (header_[0] != '>') return Outcome::kMalformed;
  }
  have_header_ = false;
  SetName(header_, rec);
  rec.seq.clear();
  rec.qual.clear();
  bool too_long = false;
  while (true) {
    if (pos_ == end_ && !Fill()) {
      if (error_) return Outcome::kReadError;
      break;
    }
    if (buf_[pos_] == '>') {
      header_.clear();
      ReadLine(&header_, true, 64 * 1024);
      have_header_ = true;
      break;
    }
    const size_t before = rec.seq.size();
    const long n = ReadLine(&rec.seq, !too_long, too_long ? 0 : max_read_nt_ + 1 - before);
    if (n < 0) return error_ ? Outcome::kReadError : Outcome::kMalformed;
    if (!too_long && rec.seq.size() > max_read_nt_) {
      too_long = true;
      rec.seq.clear();
    }
  }
  if (too_long) return Outcome::kTooLong;
  NormalizeInPlace(rec.seq, 0);
  return Outcome::kRecord;
}

}  // namespace dnastore
