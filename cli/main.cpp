// The `dnastore` executable: parses arguments, dispatches to one subcommand,
// maps its Status to the documented exit code.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <exception>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "core/file_util.h"
#include "dnastore/version.h"

namespace {

// SIGINT, SIGTERM, SIGHUP, SIGQUIT: remove temporary outputs, then die of the
// same signal so the parent sees the usual status (128 + signal). SIGPIPE is
// ignored instead: a closed pipe becomes a write error (exit 2), and the
// error path removes the temporaries.
void OnTerminate(int sig) {
  dnastore::RemoveTemporaryOutputs();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dnastore::cli;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) std::signal(sig, OnTerminate);
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "dnastore: store files in synthetic DNA and read them back.\n"
      "Exit codes: 0 ok, 1 usage, 2 bad input or I/O, 3 data not recoverable, 70 internal."};
  app.set_version_flag("-V,--version", std::string("dnastore ") + dnastore::kVersion);
  app.require_subcommand(1);
  app.fallthrough();
  RunFn run;
  RegisterCommands(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 1;
  }
  try {
    return run ? run() : 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "dnastore: error: out of memory\n");
    return 70;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dnastore: internal error: %s\n", e.what());
    return 70;
  }
}
