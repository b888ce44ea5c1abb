#include "codec/content_hash.h"

#include <xxhash.h>

#include <cstring>
#include <string>

namespace dnastore {

// The xxHash state behind ContentHasher (XXH3_state_t is opaque to callers).
struct ContentHasher::State {
  State() : xxh(XXH3_createState()) { XXH3_128bits_reset(xxh); }
  ~State() { XXH3_freeState(xxh); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  XXH3_state_t* xxh;
};

ContentHasher::ContentHasher() : state_(std::make_unique<State>()) {}
ContentHasher::~ContentHasher() = default;
ContentHasher::ContentHasher(ContentHasher&&) noexcept = default;
ContentHasher& ContentHasher::operator=(ContentHasher&&) noexcept = default;
void ContentHasher::Update(const uint8_t* data, size_t size) {
  XXH3_128bits_update(state_->xxh, data, size);
}
std::array<uint8_t, 16> ContentHasher::Digest() const {
  XXH128_hash_t h = XXH3_128bits_digest(state_->xxh);
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, h);
  std::array<uint8_t, 16> out;
  std::memcpy(out.data(), c.digest, 16);
  return out;
}

std::string HashHex(const std::array<uint8_t, 16>& hash) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (uint8_t b : hash) {
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

}  // namespace dnastore
