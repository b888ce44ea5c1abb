// `dnastore bench`: throughput against tape-archive targets and coding power
// measured the dt4dds-benchmark way. Lives in bench/ because it drives both
// the codec and the channel; cli/bench_cmd.cpp only translates.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dnastore/status.h"

namespace dnastore::bench {

struct BenchOptions {
  bool quick = false;      // < 1 minute on 2 cores
  int runs_per_point = 0;  // seeded runs per error rate (0 = 1 quick, 20 full)
  int threads = 1;         // "all threads" figure; 1-thread figures are always measured
  uint64_t seed = 1;
  std::string work_dir;                         // scratch space (large files in full mode)
  std::function<void(const std::string&)> log;  // progress lines (may be empty)
};

struct ThroughputRow {
  std::string what;  // "encode", "decode (clean pool)", "simulate (illumina)", ...
  int threads = 1;
  uint64_t input_bytes = 0;
  double seconds = 0;
  double mb_per_s = 0;       // file MB/s (encode, decode)
  double nt_per_s = 0;       // oligo nt written per second (encode)
  double reads_per_s = 0;    // reads/s (simulate, decode of reads)
  uint64_t peak_rss_kb = 0;  // peak RSS of the process during the step (VmHWM window)
};

struct ThresholdRow {
  std::string preset;      // density preset
  double bits_per_nt = 0;  // net density (payload region)
  std::string error_type;  // substitution, deletion, insertion
  double max_rate = 0;     // highest tested rate with >= 95% success
  int runs_per_rate = 0;
  std::vector<std::pair<double, double>> success;  // (rate, success fraction)
};

struct CoverageRow {
  std::string channel;      // simulate preset
  double min_coverage = 0;  // lowest tested mean coverage with full recovery in every seeded
                            // run (3, or 1 with --quick; 0 = none)
  std::vector<std::pair<double, bool>> tried;
};

struct BenchReport {
  std::string machine;  // CPU model, cores
  std::string date;
  bool quick = false;
  double memory_bandwidth_gb_s = 0;  // measured memcpy bandwidth (roofline)
  std::vector<ThroughputRow> throughput;
  std::vector<ThresholdRow> thresholds;
  std::vector<CoverageRow> coverage;
  double seconds = 0;
};

// Targets the report compares against (DESIGN.md §1).
inline constexpr double kTapeDriveMBps = 400.0;           // LTO-9/LTO-10/TS1170 native
inline constexpr double kWriterNtPerSecond = 2e9;         // DNA writer to compete with tape
inline constexpr double kNovaSeqReadsPerSecond = 0.54e6;  // NovaSeq X 25B flow cell

// Runs the benchmark. Errors: kIo for scratch files.
Result<BenchReport> RunBench(const BenchOptions& options);

// Renderings of a report.
std::string ReportJson(const BenchReport& report);
std::string ReportMarkdown(const BenchReport& report);
// SVG plot of success fraction vs error rate (one line per preset and type).
std::string ThresholdSvg(const BenchReport& report);
// SVG plot of recovery (0/1) vs mean coverage, one line per channel preset.
std::string CoverageSvg(const BenchReport& report);

}  // namespace dnastore::bench
