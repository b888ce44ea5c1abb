// Helpers shared by the tests: a scratch directory per test process, file
// read/write, and the one runner of the built `dnastore` binary that every
// CLI test uses (arguments, optional stdin, exit code, stdout, stderr).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/rng.h"

namespace dnastore::testing {

// A scratch directory unique to this test process, created on first use and
// removed when the process exits normally (kept after a crash, for a look).
// ctest runs every test in a process of its own, and other checkouts may run
// the same tests at the same time, so nothing is shared through fixed names
// in the temporary directory.
inline const std::string& ScratchDir() {
  // Never destroyed, so the atexit handler can still read it.
  static const std::string& dir = *new std::string([] {
    std::string d = ::testing::TempDir() + "/dnastore_test_" + std::to_string(getpid());
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(ScratchDir(), ec);
    });
    return d;
  }());
  return dir;
}

// `name` inside ScratchDir().
inline std::string ScratchPath(const std::string& name) { return ScratchDir() + "/" + name; }

// A directory of the running test's own inside ScratchDir(), `Suite.Test`
// (with '/' of parameterized names replaced), created if needed.
inline std::string TestScratchDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "no_test";
  for (char& c : name)
    if (c == '/') c = '_';
  std::string d = ScratchPath(name);
  std::filesystem::create_directories(d);
  return d;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `content` to `path` (replacing it); returns `path`.
// n pseudo-random bytes of Rng(seed, 0): the same for the same seed.
inline std::string RandomBytes(size_t n, uint64_t seed) {
  Rng rng(seed, 0);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng.Next());
  return s;
}

inline std::string WriteText(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

struct CliOptions {
  std::optional<std::string> stdin_data;  // fed to stdin; without it stdin is /dev/null
  std::string stdout_path;  // when set, stdout goes to this file (e.g. /dev/full), not captured
  int signal = 0;           // when set, sent `signal_after_ms` after the start (if still running)
  int signal_after_ms = 0;
};

inline CliOptions WithStdin(std::string data) {
  CliOptions o;
  o.stdin_data = std::move(data);
  return o;
}
inline CliOptions StdoutTo(std::string path) {
  CliOptions o;
  o.stdout_path = std::move(path);
  return o;
}
inline CliOptions SignalAfter(int signal, int after_ms) {
  CliOptions o;
  o.signal = signal;
  o.signal_after_ms = after_ms;
  return o;
}

struct CliResult {
  int code = -1;    // exit code; 128 + N when killed by signal N; 127 when the binary could
                    // not be run; -1 when fork or wait failed
  std::string out;  // everything written to stdout (empty with CliOptions::stdout_path)
  std::string err;  // everything written to stderr
};

// Runs the built `dnastore` (DNASTORE_BINARY) with `args` as its argv, no
// shell in between, in the current directory; waits for it to finish.
inline CliResult RunDnastore(const std::vector<std::string>& args, const CliOptions& opt = {}) {
  static int run = 0;
  const std::string tag = ScratchPath("run" + std::to_string(run++));
  const std::string in_path =
      opt.stdin_data ? WriteText(tag + ".in", *opt.stdin_data) : "/dev/null";
  const std::string out_path = opt.stdout_path.empty() ? tag + ".out" : opt.stdout_path;
  const std::string err_path = tag + ".err";
  std::vector<std::string> argv_s = {DNASTORE_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  CliResult r;
  const pid_t pid = fork();
  if (pid < 0) return r;
  if (pid == 0) {
    auto redirect = [](const std::string& path, int flags, int fd) {
      int f = open(path.c_str(), flags, 0644);
      if (f < 0 || dup2(f, fd) < 0) _exit(127);
      if (f != fd) close(f);
    };
    redirect(in_path, O_RDONLY, STDIN_FILENO);
    redirect(out_path, O_WRONLY | O_CREAT | O_TRUNC, STDOUT_FILENO);
    redirect(err_path, O_WRONLY | O_CREAT | O_TRUNC, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  pid_t done = 0;
  if (opt.signal != 0) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(opt.signal_after_ms);
    while ((done = waitpid(pid, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (done == 0) kill(pid, opt.signal);
  }
  while (done == 0 || (done < 0 && errno == EINTR)) done = waitpid(pid, &status, 0);
  if (done < 0) return r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (opt.stdout_path.empty()) r.out = ReadText(out_path);
  r.err = ReadText(err_path);
  return r;
}

// The same with `args` split at spaces: a convenience for the many tests that
// build a command line from paths without spaces. No shell: no quoting, no
// redirection (use CliOptions for stdin and stdout).
inline CliResult RunDnastore(const std::string& args, const CliOptions& opt = {}) {
  std::vector<std::string> v;
  std::istringstream in(args);
  for (std::string a; in >> a;) v.push_back(a);
  return RunDnastore(v, opt);
}

}  // namespace dnastore::testing
