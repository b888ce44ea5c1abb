// Channel simulator throughput: simulated reads per second written as
// uncompressed FASTQ to /dev/null (the `dnastore simulate` hot path).
// Target: >= 2 M reads/s for the illumina preset on 2 threads.
//   build-channel/bench/channel_bench --benchmark_filter=Illumina
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/rng.h"
#include "dnastore/channel.h"
#include "dnastore/channel_config.h"

namespace {

using namespace dnastore;
using namespace dnastore::channel;

std::vector<PoolOligo> BenchPool(size_t n, size_t len) {
  std::vector<PoolOligo> pool(n);
  Rng rng(2024, 1);
  for (size_t i = 0; i < n; ++i) {
    pool[i].id = std::to_string(i);
    for (size_t j = 0; j < len; ++j) pool[i].seq.push_back("ACGT"[rng.Below(4)]);
  }
  return pool;
}

void RunPreset(benchmark::State& state, const char* preset, size_t len) {
  auto cfg = *PresetConfig(preset);
  cfg.sampling.coverage_x = 30;
  auto sim = std::move(*ChannelSimulator::Create(BenchPool(50000, len), cfg, 1));
  SimulateOutput out;
  out.reads_path = "/dev/null";
  out.threads = static_cast<int>(state.range(0));
  uint64_t reads = 0, nt = 0;
  for (auto _ : state) {
    auto st = sim->Run(out);
    if (!st.ok()) state.SkipWithError(st.status().message().c_str());
    reads += st->reads;
    nt += st->read_nt;
  }
  state.SetItemsProcessed(static_cast<int64_t>(reads));
  state.counters["nt/s"] = benchmark::Counter(static_cast<double>(nt), benchmark::Counter::kIsRate);
}

void BM_Illumina(benchmark::State& s) { RunPreset(s, "illumina", 150); }
void BM_Worstcase(benchmark::State& s) { RunPreset(s, "worstcase", 150); }
void BM_NanoporeR10(benchmark::State& s) { RunPreset(s, "nanopore", 150); }
void BM_Tdt(benchmark::State& s) { RunPreset(s, "tdt", 150); }

BENCHMARK(BM_Illumina)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Worstcase)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NanoporeR10)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Tdt)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
