// The content hash an archive header carries (XXH3-128): decode writes a
// file only when the bytes it recovered hash to it. HashHex, its text form
// for reports, is declared in the public dnastore/archive.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "dnastore/archive.h"

namespace dnastore {

// Hash of file content (XXH3-128), big-endian bytes. Owns its xxHash state:
// movable, not copyable. Not thread-safe.
class ContentHasher {
 public:
  ContentHasher();
  ~ContentHasher();
  ContentHasher(ContentHasher&&) noexcept;
  ContentHasher& operator=(ContentHasher&&) noexcept;
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;
  void Update(const uint8_t* data, size_t size);
  std::array<uint8_t, 16> Digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dnastore
