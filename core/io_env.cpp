#include "core/io_env.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>

namespace dnastore {
namespace {

IoEnv g_posix;
std::atomic<IoEnv*> g_env{&g_posix};

}  // namespace

int IoEnv::Open(const char* path, int flags, mode_t mode) { return ::open(path, flags, mode); }
int IoEnv::CreateTemp(char* pattern, int suffix_len, int flags) {
  return ::mkostemps(pattern, suffix_len, flags);
}
ssize_t IoEnv::Read(int fd, void* buf, size_t n) { return ::read(fd, buf, n); }
ssize_t IoEnv::PRead(int fd, void* buf, size_t n, off_t offset) {
  return ::pread(fd, buf, n, offset);
}
ssize_t IoEnv::Write(int fd, const void* buf, size_t n) { return ::write(fd, buf, n); }
ssize_t IoEnv::PWrite(int fd, const void* buf, size_t n, off_t offset) {
  return ::pwrite(fd, buf, n, offset);
}
int IoEnv::Sync(int fd) { return ::fsync(fd); }
int IoEnv::Truncate(int fd, off_t size) { return ::ftruncate(fd, size); }
int IoEnv::Chmod(int fd, mode_t mode) { return ::fchmod(fd, mode); }
int IoEnv::Stat(int fd, struct stat* st) { return ::fstat(fd, st); }
int IoEnv::Rename(const char* from, const char* to, unsigned flags) {
  return flags == 0 ? ::rename(from, to) : ::renameat2(AT_FDCWD, from, AT_FDCWD, to, flags);
}
int IoEnv::Unlink(const char* path) { return ::unlink(path); }
int IoEnv::Close(int fd) { return ::close(fd); }

IoEnv& Io() { return *g_env.load(std::memory_order_acquire); }

ScopedIoEnv::ScopedIoEnv(IoEnv* env) : previous_(g_env.exchange(env, std::memory_order_acq_rel)) {}
ScopedIoEnv::~ScopedIoEnv() { g_env.store(previous_, std::memory_order_release); }

}  // namespace dnastore
