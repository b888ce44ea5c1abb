#include "cli/commands.h"

namespace dnastore::cli {

void RegisterConsensus(CLI::App& app, RunFn& run) {
  auto* cmd = app.add_subcommand("consensus", "(not yet available)");
  cmd->callback([&run] { run = [] { return ReportError("consensus", InternalError("not implemented yet")); }; });
}

}  // namespace dnastore::cli
