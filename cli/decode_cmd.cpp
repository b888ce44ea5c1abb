#include "cli/commands.h"

namespace dnastore::cli {

void RegisterDecode(CLI::App& app, RunFn& run) {
  auto* cmd = app.add_subcommand("decode", "(not yet available)");
  cmd->callback([&run] { run = [] { return ReportError("decode", InternalError("not implemented yet")); }; });
}

}  // namespace dnastore::cli
