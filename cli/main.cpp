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

// jemalloc (cmake/dnastore_dependencies.cmake) keeps freed pages for 10 s by
// default; a decode frees large buffers stage after stage, and those pages
// counted against its memory budget (48 MB archive at 5x, --memory 600M:
// peak 726 MB with the default, 584 MB with this, time within noise).
// Ignored by any other allocator. MALLOC_CONF still overrides it.
extern "C" const char* malloc_conf;
const char* malloc_conf = "dirty_decay_ms:300,muzzy_decay_ms:0";

int main(int argc, char** argv) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) std::signal(sig, OnTerminate);
  std::signal(SIGPIPE, SIG_IGN);
  return dnastore::cli::RunCommandLine(argc, argv);
}
