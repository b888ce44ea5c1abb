#include "cli/commands.h"

namespace dnastore::cli {

void RegisterEncode(CLI::App& app, RunFn& run) {
  auto* cmd = app.add_subcommand("encode", "(not yet available)");
  cmd->callback([&run] { run = [] { return ReportError("encode", InternalError("not implemented yet")); }; });
}

}  // namespace dnastore::cli
