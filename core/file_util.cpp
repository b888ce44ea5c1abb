#include "core/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace dnastore {
namespace {

std::string Errno() { return std::strerror(errno); }

// Registry of live temporary outputs, readable from a signal handler.
constexpr int kMaxTemps = 16;
char g_temp_paths[kMaxTemps][4096];
std::atomic<bool> g_temp_used[kMaxTemps];

int RegisterTemp(const std::string& path) {
  for (int i = 0; i < kMaxTemps; ++i) {
    bool expected = false;
    if (g_temp_used[i].compare_exchange_strong(expected, true)) {
      std::snprintf(g_temp_paths[i], sizeof g_temp_paths[i], "%s", path.c_str());
      return i;
    }
  }
  return -1;
}

void UnregisterTemp(const std::string& path) {
  for (int i = 0; i < kMaxTemps; ++i)
    if (g_temp_used[i] && path == g_temp_paths[i]) g_temp_used[i] = false;
}

Status WriteFully(int fd, uint64_t offset, const uint8_t* data, size_t n, const std::string& name) {
  while (n > 0) {
    ssize_t w = pwrite(fd, data, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return IoError(name + ": write failed: " + Errno());
    }
    data += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return Status::Ok();
}

Result<size_t> ReadFully(int fd, uint64_t offset, uint8_t* buf, size_t n, const std::string& name) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(fd, buf + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoError(name + ": read failed: " + Errno());
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

std::string TempDir() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir && *tmpdir ? tmpdir : "/tmp";
}

// mkstemp on `pattern` (ending in XXXXXX), then unlink: the file lives as
// long as the descriptor. Returns -1 (errno set) on failure.
int CreateUnlinkedFile(const std::string& pattern) {
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back(0);
  int fd = mkstemp(buf.data());
  if (fd >= 0) unlink(buf.data());
  return fd;
}

}  // namespace

void RemoveTemporaryOutputs() {
  for (int i = 0; i < kMaxTemps; ++i)
    if (g_temp_used[i]) unlink(g_temp_paths[i]);
}

std::string BaseName(const std::string& path) {
  size_t pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

std::string DirName(const std::string& path) {
  size_t pos = path.find_last_of('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

Result<InputFile> InputFile::Open(const std::string& path) {
  InputFile f;
  f.path_ = path;
  if (path == "-") {
    f.fd_ = CreateUnlinkedFile(TempDir() + "/dnastore-stdin-XXXXXX");
    if (f.fd_ < 0) return IoError("cannot create a temporary file for standard input: " + Errno());
    std::vector<uint8_t> chunk(1 << 20);
    uint64_t off = 0;
    while (true) {
      ssize_t r = read(STDIN_FILENO, chunk.data(), chunk.size());
      if (r < 0) {
        if (errno == EINTR) continue;
        return IoError("standard input: read failed: " + Errno());
      }
      if (r == 0) break;
      DNASTORE_RETURN_IF_ERROR(
          WriteFully(f.fd_, off, chunk.data(), static_cast<size_t>(r), "temporary file"));
      off += static_cast<uint64_t>(r);
    }
    f.size_ = off;
    f.path_ = "stdin";
    return f;
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return IoError(path + ": cannot open: " + Errno());
  if (S_ISDIR(st.st_mode)) return IoError(path + ": is a directory");
  f.fd_ = open(path.c_str(), O_RDONLY);
  if (f.fd_ < 0) return IoError(path + ": cannot open: " + Errno());
  if (fstat(f.fd_, &st) != 0) return IoError(path + ": cannot stat: " + Errno());
  f.size_ = static_cast<uint64_t>(st.st_size);
  posix_fadvise(f.fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  return f;
}

InputFile::InputFile(InputFile&& o) noexcept
    : fd_(o.fd_), size_(o.size_), path_(std::move(o.path_)) {
  o.fd_ = -1;
}
InputFile::~InputFile() {
  if (fd_ >= 0) close(fd_);
}

Result<size_t> InputFile::ReadAt(uint64_t offset, uint8_t* buf, size_t n) const {
  return ReadFully(fd_, offset, buf, n, path_);
}

TemporaryName::TemporaryName(const std::string& path) : final_(path), temp_(path) {
  struct stat st;
  const bool special = path == "-" || (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode));
  if (special) {
    committed_ = true;  // nothing to rename or remove
    return;
  }
  temp_ = path + ".dnastore-tmp." + std::to_string(getpid());
  RegisterTemp(temp_);
}

TemporaryName::~TemporaryName() {
  if (!committed_) {
    unlink(temp_.c_str());
    UnregisterTemp(temp_);
  }
}

Status TemporaryName::Commit() {
  if (committed_) return Status::Ok();
  if (rename(temp_.c_str(), final_.c_str()) != 0)
    return IoError(final_ + ": rename failed: " + Errno());
  committed_ = true;
  UnregisterTemp(temp_);
  return Status::Ok();
}

Result<AtomicOutput> AtomicOutput::Create(const std::string& path, bool force) {
  AtomicOutput out;
  out.path_ = path;
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return IoError(path + ": is a directory");
    if (!force) return IoError(path + ": already exists (use --force to overwrite)");
  }
  std::string dir = DirName(path);
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return IoError(path + ": output directory '" + dir + "' does not exist");
  out.temp_ = path + ".dnastore-tmp." + std::to_string(getpid());
  out.fd_ = open(out.temp_.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (out.fd_ < 0) return IoError(path + ": cannot create: " + Errno());
  RegisterTemp(out.temp_);
  return out;
}

AtomicOutput::AtomicOutput(AtomicOutput&& o) noexcept
    : fd_(o.fd_),
      path_(std::move(o.path_)),
      temp_(std::move(o.temp_)),
      append_pos_(o.append_pos_),
      committed_(o.committed_) {
  o.fd_ = -1;
  o.committed_ = true;
}

AtomicOutput::~AtomicOutput() {
  if (fd_ >= 0) close(fd_);
  if (!committed_ && !temp_.empty()) {
    unlink(temp_.c_str());
    UnregisterTemp(temp_);
  }
}

Status AtomicOutput::WriteAt(uint64_t offset, const uint8_t* data, size_t n) {
  return WriteFully(fd_, offset, data, n, path_);
}
Status AtomicOutput::Append(const uint8_t* data, size_t n) {
  DNASTORE_RETURN_IF_ERROR(WriteFully(fd_, append_pos_, data, n, path_));
  append_pos_ += n;
  return Status::Ok();
}
Status AtomicOutput::Truncate(uint64_t size) {
  if (ftruncate(fd_, static_cast<off_t>(size)) != 0)
    return IoError(path_ + ": truncate failed: " + Errno());
  return Status::Ok();
}
Result<size_t> AtomicOutput::ReadAt(uint64_t offset, uint8_t* buf, size_t n) const {
  return ReadFully(fd_, offset, buf, n, path_);
}

Status AtomicOutput::Commit() {
  if (fsync(fd_) != 0 && errno != EINVAL) return IoError(path_ + ": sync failed: " + Errno());
  if (rename(temp_.c_str(), path_.c_str()) != 0)
    return IoError(path_ + ": rename failed: " + Errno());
  committed_ = true;
  UnregisterTemp(temp_);
  return Status::Ok();
}

Result<ScratchFile> ScratchFile::Create(const std::string& dir_hint) {
  ScratchFile f;
  f.fd_ = CreateUnlinkedFile(dir_hint + "/.dnastore-scratch-XXXXXX");
  if (f.fd_ < 0) f.fd_ = CreateUnlinkedFile(TempDir() + "/dnastore-scratch-XXXXXX");
  if (f.fd_ < 0) return IoError("cannot create a scratch file: " + Errno());
  return f;
}
ScratchFile::ScratchFile(ScratchFile&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
ScratchFile::~ScratchFile() {
  if (fd_ >= 0) close(fd_);
}
Status ScratchFile::WriteAt(uint64_t offset, const uint8_t* data, size_t n) {
  return WriteFully(fd_, offset, data, n, "scratch file");
}
Result<size_t> ScratchFile::ReadAt(uint64_t offset, uint8_t* buf, size_t n) const {
  return ReadFully(fd_, offset, buf, n, "scratch file");
}

}  // namespace dnastore
