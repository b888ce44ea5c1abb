// File handling for every command: one input layer (InputFile, CheckRunFiles)
// and one output layer (AtomicOutput, TemporaryName). The rules they keep:
//  - every input and output of a run is checked before any work starts;
//  - no output is an input or another output (same path, symlink, hard link);
//  - an existing output is replaced only with `force`;
//  - outputs are written under a temporary name created exclusively (never
//    following a planted link), unpredictable, mode 0600, next to the output,
//    then synced and renamed, with the directory synced: exit 0 means the
//    file survives a crash; a failed or interrupted run leaves nothing;
//  - standard output, devices and FIFOs are written into, never replaced.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dnastore/status.h"

namespace dnastore {

// Checks the files of one run before it starts: every input (empty strings
// are skipped) exists, is
// readable and is not a directory ("-" = standard input, taken once); every
// output (empty strings are skipped; "-" = standard output) is not a
// directory, has an existing directory, does not exist unless `force` (or is
// standard output, a device or a FIFO), and is neither an input nor another
// output. Errors: kIo naming the file (kUsage for two outputs or an output
// and an input that are the same file, naming both).
Status CheckRunFiles(const std::vector<std::string>& inputs,
                     const std::vector<std::string>& outputs, bool force);

// The descriptor an output name stands for: 1 for "-", /dev/stdout,
// /dev/fd/1 and /proc/self/fd/1; 2 for /dev/stderr; N for /dev/fd/N and
// /proc/self/fd/N; -1 for every other name. Such outputs are written to the
// inherited descriptor, never reopened or replaced.
int DescriptorAlias(const std::string& path);
// Whether an output is written into rather than replaced: a descriptor alias,
// or an existing file that is not a regular file or a directory (a device,
// a FIFO, a socket).
bool IsStreamOutput(const std::string& path);

// A readable file, opened for reading at any offset.
class InputFile {
 public:
  // Regular files are read in place. Standard input ("-"), pipes, FIFOs,
  // process substitutions and devices are first spooled into an anonymous
  // temporary file (in $TMPDIR), so the size is exact and the bytes can be
  // read twice; memory stays bounded. Errors: kIo (missing, unreadable, a
  // directory, a full scratch disk).
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
// into place on Commit; removed on destruction unless committed. Standard
// output ("-"), devices and FIFOs are staged in an anonymous file in $TMPDIR
// and copied to the destination on Commit (never replaced by a rename).
class AtomicOutput {
 public:
  // Fails with kIo when the destination exists and !force, is a directory,
  // or its directory is missing or not writable.
  static Result<AtomicOutput> Create(const std::string& path, bool force);
  AtomicOutput(AtomicOutput&& other) noexcept;
  AtomicOutput& operator=(AtomicOutput&&) = delete;
  ~AtomicOutput();
  Status WriteAt(uint64_t offset, const uint8_t* data, size_t n);
  Status Append(const uint8_t* data, size_t n);
  Status Truncate(uint64_t size);
  Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) const;
  // Syncs, gives the file the usual permissions (0666 & ~umask), renames it
  // to the final name and syncs the directory; or copies the staged bytes to
  // a stream destination.
  Status Commit();
  const std::string& temp_path() const { return temp_; }

 private:
  AtomicOutput() = default;
  int fd_ = -1;
  std::string path_, temp_;  // temp_ empty: staged in an anonymous file (stream destination)
  uint64_t append_pos_ = 0;
  bool replace_ = false;
  bool committed_ = false;
};

// Scratch file (unlinked at once) for large temporary state.
class ScratchFile {
 public:
  // In `dir` ("" = $TMPDIR); when that fails and `or_tmpdir`, in $TMPDIR.
  // Errors: kIo naming the directory.
  static Result<ScratchFile> Create(const std::string& dir, bool or_tmpdir = true);
  // Checks, before any work, that `dir` ("" = $TMPDIR: not checked) is a
  // directory. Errors: kIo "DIR: no such directory (for scratch files)".
  static Status CheckDir(const std::string& dir);
  ScratchFile(ScratchFile&& other) noexcept;
  ScratchFile& operator=(ScratchFile&&) = delete;
  ~ScratchFile();
  Status WriteAt(uint64_t offset, const uint8_t* data, size_t n);
  Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) const;

 private:
  ScratchFile() = default;
  int fd_ = -1;
};

// How a finished temporary file was put at its final name (file_util.cpp
// PlaceTemp): not yet; as a new file; exchanged with the file it replaces
// (which lives on under the temporary name until the run is done, so a
// failure can put it back); or by a plain rename over it (no
// RENAME_EXCHANGE on this file system: cannot be undone).
enum class Placement { kNone, kNew, kExchanged, kReplaced };

class TemporaryName;
// Commits `temps` together: syncs each, puts each at its final name, syncs
// their directories; on any failure every one already placed is taken back
// (a new file removed, a replaced one restored), so that either all are in
// place or none changed (except after a plain rename, see Placement). The
// first error, kIo naming the output.
Status CommitTogether(const std::vector<TemporaryName*>& temps);

// A temporary name next to `path` for writers that open files by name (e.g.
// SeqWriter). The file is created at once, exclusively, mode 0600; its name
// keeps the final name's extension (".gz" still means gzip) and fits the
// file system's name limit. Standard output, devices and FIFOs are written
// directly (path() is `path`). The temporary file is removed on destruction
// unless committed, and is registered for removal by RemoveTemporaryOutputs
// (signal handlers).
class TemporaryName {
 public:
  // Without `replace`, Commit refuses (kIo) when the final name exists by
  // then, even if it appeared after the run's checks. A symlink at `path` is
  // followed: its target is replaced, not the link.
  explicit TemporaryName(const std::string& path, bool replace = true);
  // kIo when the temporary file could not be created (then path() is empty).
  const Status& status() const { return status_; }
  ~TemporaryName();
  TemporaryName(const TemporaryName&) = delete;
  TemporaryName& operator=(const TemporaryName&) = delete;
  const std::string& path() const { return temp_; }
  // `st` with the temporary's name in its message replaced by the output's
  // (errors of writers that were handed path()).
  Status Explain(const Status& st) const;
  // Gives the temporary file its permissions (a replaced file's own, or the
  // usual 0666 & ~umask) and syncs it; Commit does it when it was not done.
  Status Sync();
  // Renames the temporary file to the final name and syncs the directory
  // (CommitTogether of this one file).
  Status Commit();

 private:
  friend Status CommitTogether(const std::vector<TemporaryName*>& temps);
  Status Place();
  Status SyncDirectory() const;
  void Undo();
  void Finish();
  std::string given_, final_, temp_;
  Status status_;
  Placement placed_ = Placement::kNone;
  bool replace_ = true;
  bool synced_ = false;
  bool committed_ = false;
};

// A file written from its start, in order, through the I/O seam
// (core/io_env.h): "-" is standard output (written into, never closed); any
// other name is opened for writing, created (0666 & ~umask) or truncated.
// Errors are kIo naming the file ("standard output" for "-") and the
// system's reason. Thread-compatible.
class FileWriter {
 public:
  static Result<FileWriter> Open(const std::string& path);
  FileWriter(FileWriter&& other) noexcept;
  FileWriter& operator=(FileWriter&&) = delete;
  ~FileWriter();  // closes without reporting: call Close to see its error
  // Writes all `n` bytes, going on after short writes.
  Status Write(const void* data, size_t n);
  Status Close();
  const std::string& name() const { return name_; }

 private:
  FileWriter() = default;
  int fd_ = -1;
  bool owned_ = false;  // false for standard output
  std::string name_;
};

// Writes `text` to `path` with a FileWriter ("-" = standard output).
Status WriteWholeFile(const std::string& path, const std::string& text);

// Base name of a path ("a/b/c.txt" -> "c.txt").
std::string BaseName(const std::string& path);
std::string DirName(const std::string& path);

// Paths of temporary outputs that exist right now, for a signal handler to
// remove (async-signal-safe read: fixed-size array of C strings).
void RemoveTemporaryOutputs();

}  // namespace dnastore
