// A fault-injecting I/O environment for tests (core/io_env.h): counts the
// calls of each kind made on files under a directory and fails the k-th one
// the way a disk does. Install it with dnastore::ScopedIoEnv.
//   writes:  ENOSPC from the k-th write on (the k-th writes half, its
//            retry and every later write fail: the disk stays full), or
//            only the k-th write short (no error);
//   reads:   EIO on the k-th read;
//   renames: EIO on the k-th rename;
//   syncs:   EIO on the k-th fsync (files and directories).
// Thread-safe (a mutex per call: for tests only).
#pragma once

#include <fcntl.h>

#include <cerrno>
#include <map>
#include <mutex>
#include <string>

#include "core/io_env.h"

namespace dnastore::testing {

class FaultIoEnv : public IoEnv {
 public:
  enum Op { kWrite, kRead, kRename, kSync, kOps };
  enum class Fault { kNone, kNoSpace, kShortWrite, kIoError };

  // Only files whose path starts with `prefix` count (others pass through).
  explicit FaultIoEnv(std::string prefix) : prefix_(std::move(prefix)) {}

  // Fails (or, for kShortWrite, shortens) the k-th call (1-based) of `op`.
  void Arm(Op op, int k, Fault fault) {
    std::lock_guard<std::mutex> lock(mu_);
    op_ = op;
    k_ = k;
    fault_ = fault;
  }
  int count(Op op) const {
    std::lock_guard<std::mutex> lock(mu_);
    return counts_[op];
  }
  bool fired() const {
    std::lock_guard<std::mutex> lock(mu_);
    return fired_;
  }
  // The file the fault hit (a directory for a directory sync).
  std::string fault_path() const {
    std::lock_guard<std::mutex> lock(mu_);
    return fault_path_;
  }

  int Open(const char* path, int flags, mode_t mode) override {
    const int fd = IoEnv::Open(path, flags, mode);
    Remember(fd, path);
    return fd;
  }
  int CreateTemp(char* pattern, int suffix_len, int flags) override {
    const int fd = IoEnv::CreateTemp(pattern, suffix_len, flags);
    Remember(fd, pattern);
    return fd;
  }
  int Close(int fd) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      paths_.erase(fd);
    }
    return IoEnv::Close(fd);
  }
  ssize_t Write(int fd, const void* buf, size_t n) override {
    size_t allow = n;
    if (!WriteAllowed(fd, &allow)) return -1;
    return IoEnv::Write(fd, buf, allow);
  }
  ssize_t PWrite(int fd, const void* buf, size_t n, off_t offset) override {
    size_t allow = n;
    if (!WriteAllowed(fd, &allow)) return -1;
    return IoEnv::PWrite(fd, buf, allow, offset);
  }
  ssize_t Read(int fd, void* buf, size_t n) override {
    if (Hit(kRead, PathOf(fd))) return Fail(EIO);
    return IoEnv::Read(fd, buf, n);
  }
  ssize_t PRead(int fd, void* buf, size_t n, off_t offset) override {
    if (Hit(kRead, PathOf(fd))) return Fail(EIO);
    return IoEnv::PRead(fd, buf, n, offset);
  }
  int Rename(const char* from, const char* to, unsigned flags) override {
    if (Hit(kRename, to)) return Fail(EIO);
    return IoEnv::Rename(from, to, flags);
  }
  int Sync(int fd) override {
    if (Hit(kSync, PathOf(fd))) return Fail(EIO);
    return IoEnv::Sync(fd);
  }

 private:
  static int Fail(int err) {
    errno = err;
    return -1;
  }
  void Remember(int fd, const std::string& path) {
    if (fd < 0) return;
    std::lock_guard<std::mutex> lock(mu_);
    paths_[fd] = path;
  }
  std::string PathOf(int fd) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = paths_.find(fd);
    return it == paths_.end() ? std::string() : it->second;
  }
  // Counts a call of `op` on `path`; whether it is the armed one.
  bool Hit(Op op, const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    if (path.empty() || path.rfind(prefix_, 0) != 0) return false;
    if (++counts_[op] != k_ || op != op_ || fault_ == Fault::kNone) return false;
    fired_ = true;
    fault_path_ = path;
    return true;
  }
  // A write: false (errno ENOSPC) once the disk is full; *allow shortened
  // for the armed call.
  bool WriteAllowed(int fd, size_t* allow) {
    const std::string path = PathOf(fd);
    const bool hit = Hit(kWrite, path);
    std::lock_guard<std::mutex> lock(mu_);
    if (disk_full_ && !path.empty() && path.rfind(prefix_, 0) == 0) {
      errno = ENOSPC;
      return false;
    }
    if (!hit) return true;
    if (fault_ == Fault::kNoSpace) disk_full_ = true;  // the caller's retry of the rest fails
    if (*allow > 1) {
      *allow /= 2;
      return true;
    }
    errno = ENOSPC;
    return fault_ != Fault::kNoSpace;
  }

  const std::string prefix_;
  mutable std::mutex mu_;
  std::map<int, std::string> paths_;
  int counts_[kOps] = {};
  Op op_ = kWrite;
  int k_ = 0;
  Fault fault_ = Fault::kNone;
  bool fired_ = false, disk_full_ = false;
  std::string fault_path_;
};

}  // namespace dnastore::testing
