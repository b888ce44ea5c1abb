// `dnastore bench`: throughput against tape-archive targets and coding power.
#include <cstdio>
#include <memory>

#include "bench/bench_suite.h"
#include "cli/commands.h"

namespace dnastore::cli {
namespace {

struct BenchCliOptions {
  bool quick = false;
  int runs = 0;
  std::string json_path, markdown_path, svg_path, coverage_svg_path, work_dir;
  CommonOptions common;
};

int RunBenchCmd(const BenchCliOptions& o) {
  bench::BenchOptions opts;
  opts.quick = o.quick;
  opts.runs_per_point = o.runs;
  opts.threads = ResolveThreads(o.common.threads);
  opts.seed = o.common.seed;
  opts.work_dir = o.work_dir;
  if (!o.common.quiet)
    opts.log = [](const std::string& line) { std::fprintf(stderr, "bench: %s\n", line.c_str()); };
  auto report = bench::RunBench(opts);
  if (!report.ok()) return ReportError("bench", report.status());
  const std::string md = bench::ReportMarkdown(*report);
  std::fputs(md.c_str(), stdout);
  std::fflush(stdout);
  for (auto [path, text] :
       {std::pair{o.json_path, bench::ReportJson(*report)}, std::pair{o.markdown_path, md},
        std::pair{o.svg_path, bench::ThresholdSvg(*report)},
        std::pair{o.coverage_svg_path, bench::CoverageSvg(*report)}}) {
    if (path.empty()) continue;
    Status st = WriteTextFile(path, text);
    if (!st.ok()) return ReportError("bench", st);
  }
  return 0;
}

}  // namespace

void RegisterBench(CLI::App& app, RunFn& run) {
  auto o = std::make_shared<BenchCliOptions>();
  auto* cmd = app.add_subcommand(
      "bench",
      "Measure throughput (vs tape drives, DNA writers, sequencers) and coding power "
      "(error thresholds at 30x, minimum coverage). Reports; never judges.");
  cmd->add_flag("--quick", o->quick, "Small sizes and coarse grids: under a minute on 2 cores");
  cmd->add_option("--runs", o->runs, "Seeded runs per error rate (default 1 quick, 20 full)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--json", o->json_path, "Write the results as JSON");
  cmd->add_option("--markdown", o->markdown_path, "Write the markdown report to FILE too");
  cmd->add_option("--svg", o->svg_path, "Write a success-vs-error-rate plot (SVG)");
  cmd->add_option("--svg-coverage", o->coverage_svg_path,
                  "Write a recovery-vs-coverage plot (SVG)");
  cmd->add_option("--work-dir", o->work_dir, "Scratch directory (default: a new one in TMPDIR)");
  AddCommonOptions(cmd, o->common, true);
  cmd->callback([&run, o] { run = [o] { return RunBenchCmd(*o); }; });
}

}  // namespace dnastore::cli
