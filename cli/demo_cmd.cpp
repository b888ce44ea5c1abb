#include "cli/commands.h"

namespace dnastore::cli {

void RegisterDemo(CLI::App& app, RunFn& run) {
  auto* cmd = app.add_subcommand("demo", "(not yet available)");
  cmd->callback([&run] { run = [] { return ReportError("demo", InternalError("not implemented yet")); }; });
}

}  // namespace dnastore::cli
