// A byte stream read ahead on its own thread: the producer calls the inner
// read function into a few fixed chunks while the consumer parses the chunk
// before. SeqReader puts plain gzip behind it, whose inflate cannot be split
// across threads (BGZF goes to HTSlib's pool instead), so that inflating
// overlaps parsing. Private to core.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/fastx_parser.h"

namespace dnastore {

class ReadAhead {
 public:
  // Chunks of `chunk_bytes`, at most `chunks` of them filled ahead.
  static constexpr size_t kChunkBytes = 1 << 20, kChunks = 4;

  // `inner` is called from the producer thread only, until it returns 0 or
  // an error, or until this object is destroyed.
  explicit ReadAhead(FastxParser::ReadFn inner, size_t chunk_bytes = kChunkBytes,
                     size_t chunks = kChunks);
  ~ReadAhead();  // stops the producer (between two calls of `inner`) and joins it
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // FastxParser::ReadFn semantics: up to `size` bytes, 0 at the end, < 0 once
  // the inner function failed (after the bytes it delivered before failing).
  long Read(char* buf, size_t size);

 private:
  struct Chunk {
    std::vector<char> bytes;
    long got = 0;  // inner's return: bytes, 0 = end, < 0 = error
  };
  void Produce();

  FastxParser::ReadFn inner_;
  size_t chunk_bytes_, max_chunks_;
  std::mutex mu_;
  std::condition_variable filled_, drained_;
  std::deque<Chunk> ready_;              // filled, in order
  std::vector<std::vector<char>> free_;  // buffers to reuse
  bool stop_ = false;
  Chunk current_;  // consumer's chunk
  size_t pos_ = 0;
  bool done_ = false;  // consumer saw the end or an error (current_.got says which)
  std::thread producer_;
};

}  // namespace dnastore
