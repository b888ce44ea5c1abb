// Shared helpers for the `dnastore` subcommands: error reporting, exit codes,
// progress display. No algorithms live in cli/.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/file_util.h"
#include "dnastore/status.h"

namespace dnastore::cli {

// Options every subcommand shares.
struct CommonOptions {
  int threads = 0;  // 0 = all hardware threads
  uint64_t seed = 1;
  bool quiet = false;
  bool force = false;  // replace existing outputs
};

// Adds -f/--force (replace existing outputs) to a subcommand that writes files.
void AddForceOption(CLI::App* cmd, CommonOptions& opts);

// Adds --threads, --seed (if with_seed) and --quiet to a subcommand.
void AddCommonOptions(CLI::App* cmd, CommonOptions& opts, bool with_seed);

// Option validators: finite numbers in [lo, hi] (NaN and infinities are
// refused), or in (lo, hi) when `open`; unsigned 64-bit integers written in
// decimal digits only (no sign, no overflow).
CLI::Validator FiniteIn(double lo, double hi, bool open = false);
CLI::Validator UnsignedIn(uint64_t lo, uint64_t hi);
extern const CLI::Validator kUnsigned64;

// Resolves threads == 0 to the number of hardware threads.
int ResolveThreads(int threads);

// Prints "dnastore <cmd>: error: <message>" to stderr and returns the exit code.
int ReportError(const std::string& cmd, const Status& st);

// A subcommand registers itself with the app and returns the function that
// runs it after parsing (returning the process exit code).
using RunFn = std::function<int()>;

// Progress bar on stderr, shown only when stderr is a terminal and not quiet.
// Thread-compatible: call Update from one thread.
class Progress {
 public:
  Progress(std::string label, uint64_t total, bool quiet);
  ~Progress();
  void Update(uint64_t done);
  // A named stage: a bar when `total` is known, else a running count.
  void Update(const std::string& stage, uint64_t done, uint64_t total);
  void Finish();

 private:
  std::string label_;
  uint64_t total_;
  bool enabled_;
  bool finished_ = false;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_, last_;
  bool Due();  // enabled, running for over a second, not drawn in the last 200 ms
};

// The files of one command run. Prepare checks every input and output before
// any work (core's CheckRunFiles: exists, readable, not clobbered without
// --force, no output that is an input or another output). Each output is then
// written under a temporary name (Stage) and all are renamed into place
// together by CommitAll, so a failed or interrupted run leaves none of them.
class RunFiles {
 public:
  static Result<RunFiles> Prepare(const std::vector<std::string>& inputs,
                                  const std::vector<std::string>& outputs, bool force);
  // Where to write `output` (one of the prepared outputs): a new temporary
  // file next to it, or `output` itself for standard output and devices.
  Result<std::string> Stage(const std::string& output);
  // Drops a staged output: it will not be committed (its temporary is removed).
  void Discard(const std::string& output);
  // Syncs every staged output, then renames each into place, in the order
  // they were staged (core's CommitTogether). Without --force an output that
  // appeared meanwhile is not replaced (kIo). When a rename or a directory
  // sync fails, the outputs already renamed are taken back (new ones
  // removed, replaced ones restored), so a failed run changes none.
  Status CommitAll();
  // `st` with every temporary name in its message replaced by the output's
  // own name (errors of writers that were handed a staged path).
  Status Explain(const Status& st) const;

 private:
  std::vector<std::pair<std::string, std::unique_ptr<TemporaryName>>> staged_;
  bool force_ = false;
};

// Writes `text` to `path` ("-" = standard output) through core's FileWriter
// (and so the I/O seam), checking every step so that a full disk or a closed
// pipe is an I/O error naming the file and the system's reason (kIo), never
// silent.
Status WriteTextFile(const std::string& path, const std::string& text);

// Parses "--primers FWD,REV" (both 5'->3', min_nt..max_nt of A, C, G, T)
// into fwd and rev; kUsage otherwise.
Status ParsePrimerPair(const std::string& text, std::string* fwd, std::string* rev, size_t min_nt,
                       size_t max_nt);

// `text` safe for a terminal: control characters (C0, DEL, and C1 written as
// UTF-8) and backslashes become \xNN; other UTF-8 stays readable. Names from
// an archive header or a read file are untrusted.
std::string Printable(const std::string& text);

// Parses a byte count for --memory: a number (decimals allowed) and an
// optional unit K, M, G or T (powers of 1024; "KiB", "KB", "k" alike) or B.
// kUsage naming `option` otherwise (and for 0 or more than 2^62 bytes).
Result<uint64_t> ParseByteSize(const std::string& text, const std::string& option);

// Human-readable byte count ("1.5 MiB").
std::string HumanBytes(double bytes);

// The peak resident memory of this process so far, in bytes (getrusage).
uint64_t PeakRssBytes();

}  // namespace dnastore::cli
