// Helpers shared by the fuzz targets: per-process scratch files, a small
// deterministic byte reader over the fuzzer input, and a trap that reports
// a violated property (turned into a crash so libFuzzer saves the input).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace dnastore_fuzz {

// Where scratch files go: $TMPDIR when set, else /dev/shm when it is a
// writable directory (tmpfs: a decode creates, syncs, renames and removes
// files, 18% of a small decode on a disk), else /tmp.
inline std::string ScratchRoot() {
  const char* t = std::getenv("TMPDIR");
  if (t && *t) return t;
  if (access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  return "/tmp";
}

// A scratch directory unique to this process (fuzz jobs may run in parallel),
// removed at exit.
inline const std::string& ScratchDir() {
  // Never destroyed, so the atexit handler can still read it.
  static const std::string& dir = *new std::string([] {
    std::string d = ScratchRoot() + "/dnastore_fuzz_" + std::to_string(getpid());
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(ScratchDir(), ec);
    });
    return d;
  }());
  return dir;
}

inline std::string ScratchPath(const std::string& name) { return ScratchDir() + "/" + name; }

inline void WriteFile(const std::string& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Consumes the fuzzer input front to back; returns zeros when exhausted.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  uint8_t U8() { return n_ ? (--n_, *p_++) : 0; }
  uint16_t U16() { return static_cast<uint16_t>(U8() << 8 | U8()); }
  // Uniform-ish integer in [lo, hi].
  int Range(int lo, int hi) { return lo + static_cast<int>(U16() % (hi - lo + 1)); }
  bool Bool() { return U8() & 1; }
  size_t remaining() const { return n_; }
  const uint8_t* data() const { return p_; }
  void Skip(size_t k) {
    k = k < n_ ? k : n_;
    p_ += k;
    n_ -= k;
  }

 private:
  const uint8_t* p_;
  size_t n_;
};

// A property the code promises did not hold: print and abort (libFuzzer and
// the replay runner both treat the abort as a failure).
[[noreturn]] inline void Violation(const char* what, const std::string& detail) {
  std::fprintf(stderr, "PROPERTY VIOLATED: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace dnastore_fuzz
