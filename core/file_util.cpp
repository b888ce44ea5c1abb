#include "core/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/io_env.h"

namespace dnastore {
namespace {

std::string Errno() { return std::strerror(errno); }

// Registry of live temporary outputs, readable from a signal handler: a slot
// is claimed (used), its path written, and only then published (ready), so a
// handler never sees a half-written path.
constexpr int kMaxTemps = 64;
char g_temp_paths[kMaxTemps][4096];
std::atomic<bool> g_temp_used[kMaxTemps];
std::atomic<bool> g_temp_ready[kMaxTemps];

int RegisterTemp(const std::string& path) {
  for (int i = 0; i < kMaxTemps; ++i) {
    bool expected = false;
    if (g_temp_used[i].compare_exchange_strong(expected, true)) {
      std::snprintf(g_temp_paths[i], sizeof g_temp_paths[i], "%s", path.c_str());
      g_temp_ready[i].store(true, std::memory_order_release);
      return i;
    }
  }
  return -1;
}

void UnregisterTemp(const std::string& path) {
  for (int i = 0; i < kMaxTemps; ++i) {
    if (g_temp_ready[i].load(std::memory_order_acquire) && path == g_temp_paths[i]) {
      g_temp_ready[i].store(false, std::memory_order_release);
      g_temp_used[i].store(false, std::memory_order_release);
    }
  }
}

Status WriteFully(int fd, uint64_t offset, const uint8_t* data, size_t n, const std::string& name) {
  while (n > 0) {
    ssize_t w = Io().PWrite(fd, data, n, static_cast<off_t>(offset));
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
    ssize_t r = Io().PRead(fd, buf + got, n - got, static_cast<off_t>(offset + got));
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
  int fd = Io().CreateTemp(buf.data(), 0, O_CLOEXEC);
  if (fd >= 0) Io().Unlink(buf.data());
  return fd;
}

// The process's umask, read once before any thread starts (umask() can only
// be read by setting it).
const mode_t g_umask = [] {
  const mode_t m = umask(022);
  umask(m);
  return m;
}();

}  // namespace

bool IsStreamOutput(const std::string& path) {
  if (path == "-" || DescriptorAlias(path) >= 0) return true;
  struct stat st;
  return stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

namespace {

// Where an output is really written: a symlink's target (so the rename
// replaces the file it names, not the link), else the path itself.
std::string ResolveOutput(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
  char* real = realpath(path.c_str(), nullptr);
  if (!real) return path;  // a dangling link: replaced (CheckRunFiles asks for --force)
  std::string out = real;
  std::free(real);
  return out;
}

// Creates a temporary file next to `final_path`, exclusively (O_EXCL: never
// through a planted link), mode 0600, with an unpredictable name that keeps
// the final name's last extension and fits the file system's name limit.
// Returns the descriptor and sets *temp_path, or -1 with errno set.
int CreateTempNextTo(const std::string& final_path, std::string* temp_path) {
  const std::string dir = DirName(final_path), base = BaseName(final_path);
  const size_t dot = base.find_last_of('.');
  const std::string ext =
      dot != std::string::npos && dot > 0 && base.size() - dot <= 8 ? base.substr(dot) : "";
  long name_max = pathconf(dir.c_str(), _PC_NAME_MAX);
  if (name_max <= 0) name_max = 255;
  const std::string tag = ".dnastore-XXXXXX";
  const size_t room = static_cast<size_t>(name_max) - 1 - tag.size() - ext.size();
  std::string name = "." + base.substr(0, std::min(room, base.size())) + tag + ext;
  std::string full = (final_path.find('/') == std::string::npos ? "" : dir + "/") + name;
  std::vector<char> buf(full.begin(), full.end());
  buf.push_back(0);
  int fd = Io().CreateTemp(buf.data(), static_cast<int>(ext.size()), O_CLOEXEC);
  if (fd >= 0) *temp_path = buf.data();
  return fd;
}

// Gives a finished temporary file its permissions (a replaced file's own, or
// those a new file would have had) and makes it durable.
Status SyncTemp(int fd, const std::string& final_path) {
  // A replaced file keeps its permissions; a new one gets the usual ones.
  struct stat st;
  const mode_t mode = stat(final_path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? st.st_mode & 07777
                                                                                : 0666 & ~g_umask;
  if (Io().Chmod(fd, mode) != 0) return IoError(final_path + ": chmod failed: " + Errno());
  if (Io().Sync(fd) != 0 && errno != EINVAL)
    return IoError(final_path + ": sync failed: " + Errno());
  return Status::Ok();
}

// Puts `temp` at `final_path`; without `replace`, atomically refuses when
// `final_path` appeared since the run's checks (another run, the user). A
// replaced file is exchanged with the temporary (RENAME_EXCHANGE), so that
// until FinishPlace the old file lives on under the temporary name and
// UndoPlace can put it back.
Result<Placement> PlaceTemp(const std::string& temp, const std::string& final_path, bool replace) {
  const char *from = temp.c_str(), *to = final_path.c_str();
  const std::string appeared =
      final_path +
      ": appeared while this run was writing it; not replaced (use --force to "
      "overwrite)";
  if (replace) {
    if (Io().Rename(from, to, RENAME_EXCHANGE) == 0) return Placement::kExchanged;
    if (errno != ENOENT && errno != EINVAL && errno != ENOSYS && errno != EPERM)
      return IoError(final_path + ": rename failed: " + Errno());
    // Nothing to exchange with, or no RENAME_EXCHANGE here: a plain rename.
    const bool existed = errno != ENOENT;
    if (Io().Rename(from, to, 0) != 0) return IoError(final_path + ": rename failed: " + Errno());
    return existed ? Placement::kReplaced : Placement::kNew;
  }
  if (Io().Rename(from, to, RENAME_NOREPLACE) == 0) return Placement::kNew;
  if (errno == EEXIST) return IoError(appeared);
  if (errno != EINVAL && errno != ENOSYS && errno != EPERM)
    return IoError(final_path + ": rename failed: " + Errno());
  // No RENAME_NOREPLACE here (file system, kernel or seccomp filter): the
  // best that remains is to look just before renaming.
  struct stat st;
  if (lstat(to, &st) == 0) return IoError(appeared);
  if (Io().Rename(from, to, 0) != 0) return IoError(final_path + ": rename failed: " + Errno());
  return Placement::kNew;
}

// Takes back what PlaceTemp did, as far as it can: a new file is removed, an
// exchanged one swapped back (the new bytes return to the temporary name,
// which its owner removes); a plain replace cannot be undone.
void UndoPlace(const std::string& temp, const std::string& final_path, Placement placed) {
  if (placed == Placement::kNew) Io().Unlink(final_path.c_str());
  if (placed == Placement::kExchanged)
    Io().Rename(temp.c_str(), final_path.c_str(), RENAME_EXCHANGE);
}

// Once every output of a run is in place: the replaced file is let go.
void FinishPlace(const std::string& temp, Placement placed) {
  if (placed == Placement::kExchanged) Io().Unlink(temp.c_str());
}

Status SyncDir(const std::string& final_path) {
  const int dir = Io().Open(DirName(final_path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir >= 0) {
    const int rc = Io().Sync(dir);
    const int err = errno;
    Io().Close(dir);
    if (rc != 0 && err != EINVAL)
      return IoError(final_path + ": directory sync failed: " + std::strerror(err));
  }
  return Status::Ok();
}

// Makes a finished temporary file durable, then puts it at `final_path` and
// syncs the directory, so that a rename that returned survives a crash. On
// any failure the final name is left as it was (see UndoPlace).
Status PublishTemp(int fd, const std::string& temp, const std::string& final_path, bool replace) {
  DNASTORE_RETURN_IF_ERROR(SyncTemp(fd, final_path));
  auto placed = PlaceTemp(temp, final_path, replace);
  if (!placed.ok()) return placed.status();
  if (Status st = SyncDir(final_path); !st.ok()) {
    UndoPlace(temp, final_path, *placed);
    return st;
  }
  FinishPlace(temp, *placed);
  return Status::Ok();
}

// Copies `size` bytes of `from` (from offset 0) to the descriptor `to`.
Status CopyToStream(int from, uint64_t size, int to, const std::string& name) {
  std::vector<uint8_t> chunk(1 << 20);
  for (uint64_t off = 0; off < size;) {
    auto got = ReadFully(from, off, chunk.data(), std::min<uint64_t>(chunk.size(), size - off),
                         "staged output");
    if (!got.ok()) return got.status();
    if (*got == 0) return IoError(name + ": staged output shrank");
    for (size_t done = 0; done < *got;) {
      const ssize_t w = Io().Write(to, chunk.data() + done, *got - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        return IoError(name + ": write failed: " + Errno());
      }
      done += static_cast<size_t>(w);
    }
    off += *got;
  }
  return Status::Ok();
}

// Copies everything readable from `from` into a new anonymous file in
// $TMPDIR; returns its descriptor and size.
Status SpoolToScratch(int from, const std::string& name, int* fd, uint64_t* size) {
  *fd = CreateUnlinkedFile(TempDir() + "/dnastore-input-XXXXXX");
  if (*fd < 0) return IoError("cannot create a temporary file for " + name + ": " + Errno());
  std::vector<uint8_t> chunk(1 << 20);
  uint64_t off = 0;
  while (true) {
    const ssize_t r = Io().Read(from, chunk.data(), chunk.size());
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoError(name + ": read failed: " + Errno());
    }
    if (r == 0) break;
    DNASTORE_RETURN_IF_ERROR(
        WriteFully(*fd, off, chunk.data(), static_cast<size_t>(r), "temporary copy of " + name));
    off += static_cast<uint64_t>(r);
  }
  *size = off;
  return Status::Ok();
}

// A file seen by CheckRunFiles: its name and identity (dev 0 = does not exist).
struct SeenFile {
  std::string path;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string canonical;  // for files that do not exist yet: real directory + name
};

std::string CanonicalNew(const std::string& path) {
  char* real = realpath(DirName(path).c_str(), nullptr);
  if (!real) return path;
  std::string out = std::string(real) + "/" + BaseName(path);
  std::free(real);
  return out;
}

bool SameFile(const SeenFile& a, const SeenFile& b) {
  if (a.dev != 0 && b.dev != 0) return a.dev == b.dev && a.ino == b.ino;
  return a.dev == 0 && b.dev == 0 && a.canonical == b.canonical;
}

Status CheckInput(const std::string& path, std::vector<SeenFile>* seen) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return IoError(path + ": cannot open: " + Errno());
  if (S_ISDIR(st.st_mode)) return IoError(path + ": is a directory");
  if (access(path.c_str(), R_OK) != 0) return IoError(path + ": cannot read: " + Errno());
  seen->push_back({path, st.st_dev, st.st_ino, ""});
  return Status::Ok();
}

Status CheckOutput(const std::string& path, bool force, std::vector<SeenFile>* seen) {
  if (!path.empty() && path.back() == '/') return IoError(path + ": is a directory");
  SeenFile f{path, 0, 0, ""};
  struct stat st;
  const bool exists = stat(path.c_str(), &st) == 0;
  struct stat lst;
  if (!exists && lstat(path.c_str(), &lst) == 0 && !force)  // a dangling symlink
    return IoError(path + ": already exists (a symlink; use --force to overwrite)");
  if (exists) {
    if (S_ISDIR(st.st_mode)) return IoError(path + ": is a directory");
    f.dev = st.st_dev;
    f.ino = st.st_ino;
  } else {
    const std::string dir = DirName(path);
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return IoError(path + ": output directory '" + dir + "' does not exist");
    if (access(dir.c_str(), W_OK) != 0)
      return IoError(path + ": cannot write in directory '" + dir + "': " + Errno());
    f.canonical = CanonicalNew(path);
  }
  for (const SeenFile& other : *seen)
    if (SameFile(f, other))
      return UsageError("output '" + path + "' is the same file as '" + other.path + "'");
  if (exists && S_ISREG(st.st_mode) && !force)
    return IoError(path + ": already exists (use --force to overwrite)");
  seen->push_back(std::move(f));
  return Status::Ok();
}

}  // namespace

int DescriptorAlias(const std::string& path) {
  if (path == "-" || path == "/dev/stdout") return STDOUT_FILENO;
  if (path == "/dev/stderr") return STDERR_FILENO;
  for (const char* prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    const std::string p = prefix;
    if (!path.starts_with(p) || path.size() == p.size()) continue;
    int fd = 0;
    const char* end = path.data() + path.size();
    auto [ptr, ec] = std::from_chars(path.data() + p.size(), end, fd);
    if (ec == std::errc() && ptr == end) return fd;
  }
  return -1;
}

void RemoveTemporaryOutputs() {
  for (int i = 0; i < kMaxTemps; ++i)
    if (g_temp_ready[i].load(std::memory_order_acquire)) unlink(g_temp_paths[i]);
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

Status CheckRunFiles(const std::vector<std::string>& inputs,
                     const std::vector<std::string>& outputs, bool force) {
  std::vector<SeenFile> seen;
  int stdin_uses = 0, stdout_uses = 0;
  for (const std::string& in : inputs) {
    if (in.empty()) continue;
    if (in == "-") {
      if (++stdin_uses > 1) return UsageError("standard input ('-') is given as input twice");
      continue;
    }
    DNASTORE_RETURN_IF_ERROR(CheckInput(in, &seen));
  }
  for (const std::string& out : outputs) {
    if (out.empty()) continue;
    // Standard output by any name ("-", /dev/stdout, /proc/self/fd/1) once;
    // other inherited descriptors and character devices (/dev/null) are
    // written into and never replaced.
    const int fd = DescriptorAlias(out);
    if (fd == STDOUT_FILENO) {
      if (++stdout_uses > 1) return UsageError("two outputs are standard output ('" + out + "')");
      continue;
    }
    if (fd >= 0) continue;
    struct stat st;
    if (stat(out.c_str(), &st) == 0 && S_ISCHR(st.st_mode)) continue;
    DNASTORE_RETURN_IF_ERROR(CheckOutput(out, force, &seen));
  }
  return Status::Ok();
}

Result<InputFile> InputFile::Open(const std::string& path) {
  InputFile f;
  f.path_ = path == "-" ? "standard input" : path;
  int fd = STDIN_FILENO;
  if (path != "-") {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return IoError(path + ": cannot open: " + Errno());
    if (S_ISDIR(st.st_mode)) return IoError(path + ": is a directory");
    fd = Io().Open(path.c_str(), O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return IoError(path + ": cannot open: " + Errno());
    f.fd_ = fd;  // closed by f's destructor from here on
  }
  struct stat st;
  if (Io().Stat(fd, &st) != 0) return IoError(f.path_ + ": cannot stat: " + Errno());
  if (path != "-" && S_ISREG(st.st_mode)) {
    f.size_ = static_cast<uint64_t>(st.st_size);
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return f;
  }
  // A pipe, FIFO, device or standard input: the size the OS reports means
  // nothing, so the bytes are spooled and counted.
  int spooled = -1;
  Status st_spool = SpoolToScratch(fd, f.path_, &spooled, &f.size_);
  if (f.fd_ >= 0) Io().Close(f.fd_);
  f.fd_ = spooled;
  if (!st_spool.ok()) return st_spool;
  return f;
}

InputFile::InputFile(InputFile&& o) noexcept
    : fd_(o.fd_), size_(o.size_), path_(std::move(o.path_)) {
  o.fd_ = -1;
}
InputFile::~InputFile() {
  if (fd_ >= 0) Io().Close(fd_);
}

Result<size_t> InputFile::ReadAt(uint64_t offset, uint8_t* buf, size_t n) const {
  return ReadFully(fd_, offset, buf, n, path_);
}

TemporaryName::TemporaryName(const std::string& path, bool replace)
    : given_(path), final_(path), temp_(path), replace_(replace) {
  if (IsStreamOutput(path)) {
    // Written directly: nothing to rename or remove. Standard output by any
    // name is "-", so that writers use the inherited descriptor instead of
    // reopening (and truncating) what it points to.
    if (DescriptorAlias(path) == STDOUT_FILENO) temp_ = "-";
    committed_ = true;
    return;
  }
  final_ = ResolveOutput(path);
  const int fd = CreateTempNextTo(final_, &temp_);
  if (fd < 0) {
    status_ = IoError(path + ": cannot create a temporary file next to it: " + Errno());
    temp_.clear();
    committed_ = true;
    return;
  }
  Io().Close(fd);
  RegisterTemp(temp_);
}

TemporaryName::~TemporaryName() {
  if (!committed_) {
    Io().Unlink(temp_.c_str());
    UnregisterTemp(temp_);
  }
}

Status TemporaryName::Sync() {
  if (!status_.ok()) return status_;
  if (committed_ || synced_) return Status::Ok();
  const int fd = Io().Open(temp_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0) return IoError(final_ + ": cannot reopen the temporary file: " + Errno());
  Status st = SyncTemp(fd, final_);
  Io().Close(fd);
  synced_ = st.ok();
  return st;
}

Status TemporaryName::Explain(const Status& st) const {
  if (temp_.empty() || temp_ == given_ || temp_ == "-") return st;
  std::string m = st.message();
  for (size_t at = m.find(temp_); at != std::string::npos; at = m.find(temp_, at + given_.size()))
    m.replace(at, temp_.size(), given_);
  return Status(st.code(), m);
}

Status TemporaryName::Place() {
  if (committed_) return Status::Ok();
  auto placed = PlaceTemp(temp_, final_, replace_);
  if (!placed.ok()) return placed.status();
  placed_ = *placed;
  return Status::Ok();
}

Status TemporaryName::SyncDirectory() const {
  return placed_ == Placement::kNone ? Status::Ok() : SyncDir(final_);
}

void TemporaryName::Undo() {
  UndoPlace(temp_, final_, placed_);
  placed_ = Placement::kNone;
}

void TemporaryName::Finish() {
  if (placed_ == Placement::kNone) return;
  FinishPlace(temp_, placed_);
  committed_ = true;
  UnregisterTemp(temp_);
}

Status TemporaryName::Commit() { return CommitTogether({this}); }

Status CommitTogether(const std::vector<TemporaryName*>& temps) {
  // Everything that can fail slowly (permissions, fsync) first, for every
  // output; then only the renames, back to back; then the directories.
  for (TemporaryName* t : temps) DNASTORE_RETURN_IF_ERROR(t->Sync());
  Status st;
  size_t placed = 0;
  while (st.ok() && placed < temps.size()) {
    st = temps[placed]->Place();
    if (st.ok()) ++placed;
  }
  for (size_t i = 0; st.ok() && i < placed; ++i) st = temps[i]->SyncDirectory();
  if (!st.ok()) {
    while (placed > 0) temps[--placed]->Undo();
    return st;
  }
  for (TemporaryName* t : temps) t->Finish();
  return Status::Ok();
}

Result<AtomicOutput> AtomicOutput::Create(const std::string& given, bool force) {
  AtomicOutput out;
  out.path_ = given;
  out.replace_ = force;
  if (IsStreamOutput(given)) {
    out.fd_ = CreateUnlinkedFile(TempDir() + "/dnastore-output-XXXXXX");
    if (out.fd_ < 0) return IoError(given + ": cannot create a staging file: " + Errno());
    return out;
  }
  const std::string path = ResolveOutput(given);
  out.path_ = path;
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return IoError(path + ": is a directory");
    if (!force) return IoError(path + ": already exists (use --force to overwrite)");
  }
  std::string dir = DirName(path);
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return IoError(path + ": output directory '" + dir + "' does not exist");
  out.fd_ = CreateTempNextTo(path, &out.temp_);
  if (out.fd_ < 0) return IoError(path + ": cannot create: " + Errno());
  RegisterTemp(out.temp_);
  return out;
}

AtomicOutput::AtomicOutput(AtomicOutput&& o) noexcept
    : fd_(o.fd_),
      path_(std::move(o.path_)),
      temp_(std::move(o.temp_)),
      append_pos_(o.append_pos_),
      replace_(o.replace_),
      committed_(o.committed_) {
  o.fd_ = -1;
  o.committed_ = true;
}

AtomicOutput::~AtomicOutput() {
  if (fd_ >= 0) Io().Close(fd_);
  if (!committed_ && !temp_.empty()) {
    Io().Unlink(temp_.c_str());
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
  if (Io().Truncate(fd_, static_cast<off_t>(size)) != 0)
    return IoError(path_ + ": truncate failed: " + Errno());
  return Status::Ok();
}
Result<size_t> AtomicOutput::ReadAt(uint64_t offset, uint8_t* buf, size_t n) const {
  return ReadFully(fd_, offset, buf, n, path_);
}

Status AtomicOutput::Commit() {
  if (committed_) return Status::Ok();
  if (temp_.empty()) {  // a stream destination: copy the staged bytes into it
    struct stat st;
    if (Io().Stat(fd_, &st) != 0)
      return IoError(path_ + ": cannot stat the staged output: " + Errno());
    // An inherited descriptor is written as it is (appending where it was
    // opened to append); a device or FIFO is opened for writing.
    const int alias = DescriptorAlias(path_);
    const int to = alias >= 0 ? alias : Io().Open(path_.c_str(), O_WRONLY | O_CLOEXEC, 0);
    if (to < 0) return IoError(path_ + ": cannot open: " + Errno());
    Status s = CopyToStream(fd_, static_cast<uint64_t>(st.st_size), to,
                            alias == STDOUT_FILENO ? "standard output" : path_);
    if (alias < 0 && Io().Close(to) != 0 && s.ok())
      s = IoError(path_ + ": close failed: " + Errno());
    if (!s.ok()) return s;
    committed_ = true;
    return Status::Ok();
  }
  DNASTORE_RETURN_IF_ERROR(PublishTemp(fd_, temp_, path_, replace_));
  committed_ = true;
  UnregisterTemp(temp_);
  return Status::Ok();
}

Result<ScratchFile> ScratchFile::Create(const std::string& dir, bool or_tmpdir) {
  ScratchFile f;
  const std::string where = dir.empty() ? TempDir() : dir;
  f.fd_ = CreateUnlinkedFile(where + "/.dnastore-scratch-XXXXXX");
  if (f.fd_ < 0 && or_tmpdir) f.fd_ = CreateUnlinkedFile(TempDir() + "/dnastore-scratch-XXXXXX");
  if (f.fd_ < 0) return IoError(where + ": cannot create a scratch file: " + Errno());
  return f;
}
Status ScratchFile::CheckDir(const std::string& dir) {
  struct stat st;
  if (!dir.empty() && (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
    return IoError(dir + ": no such directory (for scratch files)");
  return Status::Ok();
}
ScratchFile::ScratchFile(ScratchFile&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
ScratchFile::~ScratchFile() {
  if (fd_ >= 0) Io().Close(fd_);
}
Status ScratchFile::WriteAt(uint64_t offset, const uint8_t* data, size_t n) {
  return WriteFully(fd_, offset, data, n, "scratch file");
}
Result<size_t> ScratchFile::ReadAt(uint64_t offset, uint8_t* buf, size_t n) const {
  return ReadFully(fd_, offset, buf, n, "scratch file");
}

Result<FileWriter> FileWriter::Open(const std::string& path) {
  FileWriter w;
  w.name_ = path == "-" ? "standard output" : path;
  if (path == "-") {
    std::fflush(stdout);  // whatever stdio holds goes first
    w.fd_ = STDOUT_FILENO;
    return w;
  }
  w.fd_ = Io().Open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (w.fd_ < 0) return IoError(path + ": cannot create: " + Errno());
  w.owned_ = true;
  return w;
}

FileWriter::FileWriter(FileWriter&& o) noexcept
    : fd_(o.fd_), owned_(o.owned_), name_(std::move(o.name_)) {
  o.fd_ = -1;
}

FileWriter::~FileWriter() {
  if (fd_ >= 0 && owned_) Io().Close(fd_);
}

Status FileWriter::Write(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    const ssize_t w = Io().Write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return IoError(name_ + ": write failed: " + Errno());
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status FileWriter::Close() {
  const int fd = fd_;
  fd_ = -1;
  if (fd < 0 || !owned_) return Status::Ok();
  if (Io().Close(fd) != 0) return IoError(name_ + ": close failed: " + Errno());
  return Status::Ok();
}

Status WriteWholeFile(const std::string& path, const std::string& text) {
  auto w = FileWriter::Open(path);
  if (!w.ok()) return w.status();
  DNASTORE_RETURN_IF_ERROR(w->Write(text.data(), text.size()));
  return w->Close();
}

}  // namespace dnastore
