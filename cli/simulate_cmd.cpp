#include "cli/commands.h"

namespace dnastore::cli {

void RegisterSimulate(CLI::App& app, RunFn& run) {
  auto* cmd = app.add_subcommand("simulate", "(not yet available)");
  cmd->callback([&run] { run = [] { return ReportError("simulate", InternalError("not implemented yet")); }; });
}

}  // namespace dnastore::cli
