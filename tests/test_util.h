// Helpers shared by the tests that run the built `dnastore` binary or work on
// scratch files: a per-process scratch directory, file read/write, and a CLI
// runner that captures stderr and the exit code.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace dnastore::testing {

// A scratch directory unique to this test process, created on first use.
inline std::string ScratchDir(const std::string& prefix) {
  static std::string dir = [&] {
    std::string d = ::testing::TempDir() + "/" + prefix + std::to_string(getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string WriteText(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

struct CliResult {
  int code = -1;    // exit code (128 when killed by a signal)
  std::string err;  // everything written to stderr
};

// Runs `dnastore <args>` through the shell (args may redirect stdout);
// stderr is captured in `err_file`.
inline CliResult RunDnastore(const std::string& args, const std::string& err_file) {
  std::string cmd = std::string(DNASTORE_BINARY) + " " + args + " 2> " + err_file;
  int status = std::system(cmd.c_str());
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  r.err = ReadText(err_file);
  return r;
}

}  // namespace dnastore::testing
