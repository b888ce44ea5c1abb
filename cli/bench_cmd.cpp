#include "cli/commands.h"

namespace dnastore::cli {

void RegisterBench(CLI::App& app, RunFn& run) {
  auto* cmd = app.add_subcommand("bench", "(not yet available)");
  cmd->callback([&run] { run = [] { return ReportError("bench", InternalError("not implemented yet")); }; });
}

}  // namespace dnastore::cli
