// Using dnastore as a library, wet lab included: encode a file, simulate
// Twist-like synthesis, PCR and Illumina sequencing of the pool at 10x, and
// decode the file back from the noisy reads.
// Run: simulate_decode_example INPUT WORKDIR (exit 0 when the file came back).
#include <cstdio>
#include <string>

#include "dnastore/channel.h"
#include "dnastore/decoder.h"
#include "dnastore/encoder.h"

namespace {

int Fail(const char* step, const dnastore::Status& st) {
  std::fprintf(stderr, "%s: %s\n", step, st.message().c_str());
  return dnastore::ExitCodeFor(st.code());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s INPUT WORKDIR\n", argv[0]);
    return 1;
  }
  const std::string input = argv[1], dir = argv[2];
  const std::string pool_path = dir + "/sim_pool.fasta", reads_path = dir + "/sim_reads.fastq";
  dnastore::Status st = dnastore::EncodeFile(input, pool_path, {}, nullptr, nullptr);
  if (!st.ok()) return Fail("encode", st);

  auto pool = dnastore::channel::LoadPool(pool_path);
  if (!pool.ok()) return Fail("load pool", pool.status());
  auto config = dnastore::channel::PresetConfig("illumina");
  if (!config.ok()) return Fail("preset", config.status());
  config->sampling.coverage_x = 10;
  auto sim = dnastore::channel::ChannelSimulator::Create(std::move(*pool), *config, /*seed=*/7);
  if (!sim.ok()) return Fail("simulate", sim.status());
  dnastore::channel::SimulateOutput out;
  out.reads_path = reads_path;
  auto stats = (*sim)->Run(out);
  if (!stats.ok()) return Fail("simulate", stats.status());
  std::printf("%llu reads, substitution rate %.4f\n", (unsigned long long)stats->reads,
              stats->SubstitutionRate());

  dnastore::DecodeOptions dec;
  dec.inputs = {reads_path};
  dec.output_path = dir + "/sim_decoded";
  dec.force = true;
  dnastore::DecodeReport report;
  st = dnastore::DecodeFile(dec, nullptr, &report);
  if (!st.ok()) return Fail("decode", st);
  std::printf("decoded %s from %llu clusters, hash verified: %s\n", report.output_path.c_str(),
              (unsigned long long)report.clusters, report.hash_ok ? "yes" : "no");
  return report.hash_ok ? 0 : 3;
}
