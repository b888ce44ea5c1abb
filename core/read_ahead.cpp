#include "core/read_ahead.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace dnastore {

ReadAhead::ReadAhead(FastxParser::ReadFn inner, size_t chunk_bytes, size_t chunks)
    : inner_(std::move(inner)),
      chunk_bytes_(std::max<size_t>(chunk_bytes, 1)),
      max_chunks_(std::max<size_t>(chunks, 1)) {
  producer_ = std::thread([this] { Produce(); });
}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  drained_.notify_all();
  producer_.join();
}

void ReadAhead::Produce() {
  for (;;) {
    std::vector<char> buf;
    {
      std::unique_lock<std::mutex> lock(mu_);
      drained_.wait(lock, [this] { return stop_ || ready_.size() < max_chunks_; });
      if (stop_) return;
      if (!free_.empty()) {
        buf = std::move(free_.back());
        free_.pop_back();
      }
    }
    // Fill the chunk: short reads (a gzip member boundary, a pipe) are joined.
    // An exception (out of memory) ends the stream as a read error would.
    size_t n = 0;
    long got = 1;
    try {
      buf.resize(chunk_bytes_);
      while (n < buf.size() && (got = inner_(buf.data() + n, buf.size() - n)) > 0)
        n += static_cast<size_t>(got);
    } catch (...) {
      got = -1;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (n > 0) ready_.push_back({std::move(buf), static_cast<long>(n)});
      if (got <= 0) ready_.push_back({{}, got});  // the end, or the error after the bytes
    }
    filled_.notify_one();
    if (got <= 0) return;
  }
}

long ReadAhead::Read(char* buf, size_t size) {
  while (!done_ && pos_ == static_cast<size_t>(std::max<long>(current_.got, 0))) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!current_.bytes.empty()) free_.push_back(std::move(current_.bytes));
    filled_.wait(lock, [this] { return !ready_.empty(); });
    current_ = std::move(ready_.front());
    ready_.pop_front();
    pos_ = 0;
    done_ = current_.got <= 0;
    lock.unlock();
    drained_.notify_one();
  }
  if (done_) return current_.got;
  const size_t n = std::min(size, static_cast<size_t>(current_.got) - pos_);
  std::memcpy(buf, current_.bytes.data() + pos_, n);
  pos_ += n;
  return static_cast<long>(n);
}

}  // namespace dnastore
