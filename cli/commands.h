// One Register function per subcommand (one file each: cli/<name>_cmd.cpp).
// Each adds its subcommand to `app` and, when that subcommand is chosen, sets
// `run` to the function that executes it.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_common.h"

namespace dnastore::cli {

void RegisterEncode(CLI::App& app, RunFn& run);
void RegisterDecode(CLI::App& app, RunFn& run);
void RegisterSimulate(CLI::App& app, RunFn& run);
void RegisterConsensus(CLI::App& app, RunFn& run);
void RegisterBench(CLI::App& app, RunFn& run);

// The `dnastore` command line (argv[0] is the program name): parses it, runs
// the chosen subcommand and returns the exit code (0 ok, 1 usage, 2 bad input
// or I/O, 3 not recoverable, 70 internal). Messages go to stderr, outputs
// where the options say. Installs no signal handlers (main.cpp does), so
// tests can call it in-process.
int RunCommandLine(int argc, char** argv);

inline void RegisterCommands(CLI::App& app, RunFn& run) {
  RegisterEncode(app, run);
  RegisterDecode(app, run);
  RegisterSimulate(app, run);
  RegisterConsensus(app, run);
  RegisterBench(app, run);
}

}  // namespace dnastore::cli
