// The I/O seam (leveldb's Env is the model): every system call of the file
// layer that moves data or changes a name goes through the current IoEnv, so
// a test can install one that fails the Nth write with ENOSPC, makes a write
// short, fails a read with EIO, or fails a rename or a sync, in-process.
//
// Covered: core/file_util.cpp (InputFile and the spooling of pipes,
// AtomicOutput, ScratchFile, TemporaryName, FileWriter) and SeqWriter
// (core/seq_io.cpp), which writes plain and BGZF output through FileWriter.
// Not covered: reads that HTSlib makes itself (SeqReader: FASTA, FASTQ, SAM,
// BAM), and metadata queries (stat, lstat, access, realpath, pathconf).
//
// Every method has the POSIX call's contract: it returns what the call
// returns and sets errno the same way. The default environment calls POSIX;
// the cost of the seam is one indirect call per system call.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>

namespace dnastore {

class IoEnv {
 public:
  virtual ~IoEnv() = default;
  // open(2); `mode` is used with O_CREAT.
  virtual int Open(const char* path, int flags, mode_t mode);
  // mkostemps(3): creates a file from `pattern` (its XXXXXX replaced in
  // place), exclusively, mode 0600.
  virtual int CreateTemp(char* pattern, int suffix_len, int flags);
  virtual ssize_t Read(int fd, void* buf, size_t n);
  virtual ssize_t PRead(int fd, void* buf, size_t n, off_t offset);
  virtual ssize_t Write(int fd, const void* buf, size_t n);
  virtual ssize_t PWrite(int fd, const void* buf, size_t n, off_t offset);
  // fsync(2), for files and directories.
  virtual int Sync(int fd);
  virtual int Truncate(int fd, off_t size);
  virtual int Chmod(int fd, mode_t mode);
  virtual int Stat(int fd, struct stat* st);
  // renameat2(2) relative to the current directory; flags 0 is rename(2).
  virtual int Rename(const char* from, const char* to, unsigned flags);
  virtual int Unlink(const char* path);
  virtual int Close(int fd);
};

// The environment of this process: the POSIX one unless a test installed
// another. Thread-safe.
IoEnv& Io();

// Installs `env` (not owned) for the whole process while it lives and puts
// the previous one back on destruction. Install it before the run starts
// its threads and keep it until they are done; scopes nest.
class ScopedIoEnv {
 public:
  explicit ScopedIoEnv(IoEnv* env);
  ~ScopedIoEnv();
  ScopedIoEnv(const ScopedIoEnv&) = delete;
  ScopedIoEnv& operator=(const ScopedIoEnv&) = delete;

 private:
  IoEnv* previous_;
};

}  // namespace dnastore
