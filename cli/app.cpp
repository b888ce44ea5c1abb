// RunCommandLine: the whole command line of `dnastore` but the process
// (signals, exit): parse, dispatch to one subcommand, map its Status to the
// documented exit code.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "dnastore/version.h"

namespace dnastore::cli {

int RunCommandLine(int argc, char** argv) {
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

}  // namespace dnastore::cli
