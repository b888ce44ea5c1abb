// The `dnastore` executable: the process around RunCommandLine (cli/app.cpp):
// signal handling, and its result as the exit status.
#include <csignal>

#include "cli/commands.h"
#include "core/file_util.h"

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
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) std::signal(sig, OnTerminate);
  std::signal(SIGPIPE, SIG_IGN);
  return dnastore::cli::RunCommandLine(argc, argv);
}
