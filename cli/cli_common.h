// Shared helpers for the `dnastore` subcommands: error reporting, exit codes,
// progress display. No algorithms live in cli/.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "dnastore/status.h"

namespace dnastore::cli {

// Options every subcommand shares.
struct CommonOptions {
  int threads = 0;  // 0 = all hardware threads
  uint64_t seed = 1;
  bool quiet = false;
};

// Adds --threads, --seed (if with_seed) and --quiet to a subcommand.
void AddCommonOptions(CLI::App* cmd, CommonOptions& opts, bool with_seed);

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
  void Finish();

 private:
  std::string label_;
  uint64_t total_;
  bool enabled_;
  bool finished_ = false;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

// Writes `text` to `path` ("-" = standard output), checking every step so
// that a full disk or a closed pipe is an I/O error naming the file and the
// system's reason (kIo), never silent.
Status WriteTextFile(const std::string& path, const std::string& text);

// Parses "--primers FWD,REV" (both 5'->3', non-empty) into fwd and rev.
Status ParsePrimerPair(const std::string& text, std::string* fwd, std::string* rev);

// Human-readable byte count ("1.5 MiB").
std::string HumanBytes(double bytes);

}  // namespace dnastore::cli
