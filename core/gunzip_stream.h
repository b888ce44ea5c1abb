// Plain gzip (one or more members) inflated by ISA-L's igzip, about three
// times as fast as zlib, from a source of compressed bytes. SeqReader uses it
// for plain gzip regular files (BGZF stays with HTSlib, whose threads inflate
// its blocks in parallel). Private to core.
#pragma once

#include <isa-l/igzip_lib.h>

#include <memory>

#include "core/fastx_parser.h"

namespace dnastore {

class GunzipStream {
 public:
  static constexpr size_t kInputBytes = 1 << 20;

  // `compressed` gives the file's bytes from its first (FastxParser::ReadFn
  // semantics).
  explicit GunzipStream(FastxParser::ReadFn compressed);

  // FastxParser::ReadFn semantics: up to `size` inflated bytes, 0 at the end
  // of the last member, < 0 on a read error, a corrupt stream (bad header,
  // block or checksum) or input that ends inside a member (truncated); once
  // < 0, always < 0. (A `size` of 0 returns 0.)
  long Read(char* buf, size_t size);

 private:
  long Inflate(char* buf, size_t size);  // Read, before the error is made to stick
  bool Refill();  // false at the end of input or on a read error (error_)

  FastxParser::ReadFn compressed_;
  std::unique_ptr<inflate_state> state_;
  std::unique_ptr<uint8_t[]> in_;
  bool member_done_ = false, eof_ = false, error_ = false;
};

}  // namespace dnastore
