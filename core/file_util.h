// Small POSIX file helpers shared by the encoder and decoder.
#pragma once

#include <cstdint>
#include <string>

#include "dnastore/status.h"

namespace dnastore {

// A readable regular file, opened for sequential reading.
class InputFile {
 public:
  // "-" spools standard input into an anonymous temporary file first, so the
  // size is known. Errors: kIo (missing, unreadable, a directory).
  static Result<InputFile> Open(const std::string& path);
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&&) = delete;
  ~InputFile();
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // A path that reopens this file (/proc/self/fd/N), valid while it lives.
  std::string ReopenPath() const { return "/proc/self/fd/" + std::to_string(fd_); }
  // Reads exactly n bytes at `offset` (fewer only at end of file).
  Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) const;

 private:
  InputFile() = default;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string path_;
};

// Output written to a temporary name next to the destination and renamed
// into place on Commit; removed on destruction unless committed.
class AtomicOutput {
 public:
  // Fails with kIo when the destination exists and !force, or the directory
  // is missing or not writable.
  static Result<AtomicOutput> Create(const std::string& path, bool force);
  AtomicOutput(AtomicOutput&& other) noexcept;
  AtomicOutput& operator=(AtomicOutput&&) = delete;
  ~AtomicOutput();
  Status WriteAt(uint64_t offset, const uint8_t* data, size_t n);
  Status Append(const uint8_t* data, size_t n);
  Status Truncate(uint64_t size);
  Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) const;
  // fsync + rename to the final name.
  Status Commit();
  const std::string& temp_path() const { return temp_; }

 private:
  AtomicOutput() = default;
  int fd_ = -1;
  std::string path_, temp_;
  uint64_t append_pos_ = 0;
  bool committed_ = false;
};

// Scratch file (unlinked at once) for large temporary state.
class ScratchFile {
 public:
  static Result<ScratchFile> Create(const std::string& dir_hint);
  ScratchFile(ScratchFile&& other) noexcept;
  ScratchFile& operator=(ScratchFile&&) = delete;
  ~ScratchFile();
  Status WriteAt(uint64_t offset, const uint8_t* data, size_t n);
  Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) const;

 private:
  ScratchFile() = default;
  int fd_ = -1;
};

// A temporary name next to `path` for writers that cannot use AtomicOutput
// (e.g. SeqWriter). Standard output, devices and pipes are written directly.
// The temporary file is removed on destruction unless committed, and is
// registered for removal by RemoveTemporaryOutputs (signal handlers).
class TemporaryName {
 public:
  explicit TemporaryName(const std::string& path);
  ~TemporaryName();
  TemporaryName(const TemporaryName&) = delete;
  TemporaryName& operator=(const TemporaryName&) = delete;
  const std::string& path() const { return temp_; }
  // Renames the temporary file to the final name.
  Status Commit();

 private:
  std::string final_, temp_;
  bool committed_ = false;
};

// Base name of a path ("a/b/c.txt" -> "c.txt").
std::string BaseName(const std::string& path);
std::string DirName(const std::string& path);

// Paths of temporary outputs that exist right now, for a signal handler to
// remove (async-signal-safe read: fixed-size array of C strings).
void RemoveTemporaryOutputs();

}  // namespace dnastore
