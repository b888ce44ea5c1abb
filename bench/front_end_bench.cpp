// Throughput of the read front end (orient + trim + cluster + consensus) in
// reads per second, on synthetic pools with Illumina-like and nanopore-like
// errors, from memory and end to end from a gzip FASTQ file.
//
//   build-*/bench/front_end_bench --benchmark_filter=Illumina
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "dnastore/read_front_end.h"
#include "reads/read_consensus.h"
#include "tests/front_end_test_util.h"

using namespace dnastore;
using namespace dnastore::testing;

namespace {

const SyntheticPool& Pool(bool nanopore) {
  static std::map<bool, SyntheticPool> cache;
  auto it = cache.find(nanopore);
  if (it != cache.end()) return it->second;
  PoolSpec spec;
  if (nanopore) {
    spec.oligos = 4000;
    spec.mean_coverage = 25;
    spec.errors = {0.025, 0.015, 0.025};  // ~6.5% per base, R10.4.1-like
  } else {
    spec.oligos = 30000;
    spec.mean_coverage = 10;
    spec.errors = {0.002, 0.0003, 0.0005};  // Illumina-like
  }
  spec.seed = 99;
  return cache.emplace(nanopore, MakePool(spec)).first->second;
}

FrontEndOptions Options(int threads) {
  FrontEndOptions o;
  o.fwd_primer = kTestFwd;
  o.rev_primer = kTestRev;
  o.payload_nt = 150;
  o.threads = threads;
  return o;
}

void Run(benchmark::State& state, bool nanopore) {
  const SyntheticPool& pool = Pool(nanopore);
  FrontEndOptions o = Options(static_cast<int>(state.range(0)));
  std::vector<Strand> strands;
  FrontEndStats st;
  for (auto _ : state) {
    Status s = ReconstructStrandsFromReads(pool.reads, o, &strands, &st);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pool.reads.size()));
  state.counters["strands"] = static_cast<double>(strands.size());
  state.counters["reads"] = static_cast<double>(pool.reads.size());
  state.counters["s_trim"] = st.seconds.trim;
  state.counters["s_cluster"] = st.seconds.cluster;
  state.counters["s_consensus"] = st.seconds.consensus;
}

void BM_FrontEndIllumina(benchmark::State& state) { Run(state, false); }
void BM_FrontEndNanopore(benchmark::State& state) { Run(state, true); }

// End to end from a gzip FASTQ file (parsing + decompression included).
void BM_FrontEndIlluminaFile(benchmark::State& state) {
  const SyntheticPool& pool = Pool(false);
  const std::string path =
      (std::filesystem::temp_directory_path() / "dnastore_front_end_bench.fastq.gz").string();
  {
    auto w = SeqWriter::Open(path, SeqFormat::kFastq, 2);
    if (!w.ok()) {
      state.SkipWithError("cannot write temp FASTQ");
      return;
    }
    for (const auto& r : pool.reads) (void)(*w)->Write(r);
    (void)(*w)->Close();
  }
  FrontEndOptions o = Options(static_cast<int>(state.range(0)));
  std::vector<Strand> strands;
  FrontEndStats st;
  for (auto _ : state) {
    Status s = ReconstructStrands({path}, o, &strands, &st);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pool.reads.size()));
  std::filesystem::remove(path);
}

// Consensus alone: clusters of `reads` reads of a 150-nt payload.
void BM_Consensus(benchmark::State& state) {
  const bool nanopore = state.range(0) != 0;
  const int n_reads = static_cast<int>(state.range(1));
  ErrorRates e = nanopore ? ErrorRates{0.025, 0.015, 0.025} : ErrorRates{0.002, 0.0003, 0.0005};
  std::vector<std::vector<std::string>> seqs(64), quals(64);
  std::vector<std::string> truths;
  for (int c = 0; c < 64; ++c) {
    Rng rng(5, c);
    std::string truth = RandomBases(rng, 150);
    truths.push_back(truth);
    seqs[c].resize(n_reads);
    quals[c].resize(n_reads);
    for (int r = 0; r < n_reads; ++r) Mutate(rng, truth, e, &seqs[c][r], &quals[c][r]);
  }
  ConsensusOptions o;
  o.payload_nt = 150;
  o.error_rate = nanopore ? 0.065 : 0.003;
  if (state.range(2) > 0) o.max_iterations = static_cast<int>(state.range(2));
  if (state.range(3) > 0) o.method = ConsensusMethod::kSpoa;
  auto engine = MakeConsensusEngine(o);
  ConsensusResult res;
  std::vector<ConsensusRead> in;
  size_t c = 0;
  int exact = 0, total = 0;
  for (auto _ : state) {
    in.clear();
    for (int r = 0; r < n_reads; ++r) in.push_back({seqs[c][r], quals[c][r]});
    engine->Consensus(in, &res);
    benchmark::DoNotOptimize(res);
    exact += res.seq == truths[c];
    ++total;
    c = (c + 1) % 64;
  }
  state.counters["exact"] = total ? static_cast<double>(exact) / total : 0;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * n_reads);
}

}  // namespace

// Args: nanopore?, reads per cluster, max iterations (0 = default), spoa?
BENCHMARK(BM_Consensus)
    ->Args({0, 10, 0, 0})
    ->Args({1, 25, 0, 0})
    ->Args({1, 25, 1, 0})
    ->Args({1, 25, 2, 0})
    ->Args({1, 25, 0, 1})
    ->Args({1, 10, 0, 0})
    ->Args({1, 10, 1, 0})
    ->Args({1, 6, 0, 0})
    ->Args({1, 6, 1, 0});
BENCHMARK(BM_FrontEndIllumina)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FrontEndNanopore)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FrontEndIlluminaFile)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
