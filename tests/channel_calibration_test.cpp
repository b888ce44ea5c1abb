// Calibration regression: the `worstcase` preset must stay within the
// documented tolerances of the measured dt4dds worstcase pool
// (docs/channel_calibration.md): per-type error rates within 20%, coverage
// CV and zero-read fraction at 30x within 25%. Skips without ../shared/data.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "dnastore/channel.h"
#include "dnastore/channel_config.h"

namespace dnastore::channel {
namespace {

const std::string kData = DNASTORE_SHARED_DATA_DIR;

std::map<std::string, double> ReadRates(const std::string& path) {
  std::map<std::string, double> r;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("r_", 0) != 0) continue;
    auto colon = line.find(':');
    r[line.substr(0, colon)] = std::stod(line.substr(colon + 1));
  }
  return r;
}

TEST(ChannelCalibration, WorstcasePresetMatchesDt4ddsWorstcase) {
  const std::string base = kData + "/real/dt4dds-pool";
  const std::string design = base + "/design_padded_indexed.fasta.gz";
  const std::string stats = base + "/error_analysis/worstcase/fw.global.mapped_high.stats";
  const std::string coverage = base + "/error_analysis/worstcase/coverage.tsv";
  if (!std::filesystem::exists(design) || !std::filesystem::exists(stats) ||
      !std::filesystem::exists(coverage))
    GTEST_SKIP() << "shared calibration data not found under " << base;
  auto pool = LoadPool(design);
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  // Measured coverage, thinned to 30x (expected values, as bench/channel_calibrate.py).
  std::map<std::string, double> reads_by_name;
  {
    std::ifstream f(coverage);
    std::string line;
    while (std::getline(f, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ss(line);
      std::string name, field;
      std::getline(ss, name, '\t');
      for (int i = 1; i <= 7; ++i) std::getline(ss, field, '\t');
      reads_by_name[name] = std::stod(field);
    }
  }
  std::vector<double> counts;
  for (const auto& o : *pool) {
    auto it = reads_by_name.find(o.id);
    counts.push_back(it == reads_by_name.end() ? 0.0 : it->second);
  }
  double mean = 0;
  for (double c : counts) mean += c;
  mean /= counts.size();
  const double p = 30.0 / mean;
  double var = 0, zero = 0;
  for (double c : counts) {
    var += (p * c - 30.0) * (p * c - 30.0) + p * (1 - p) * c;
    zero += std::pow(1 - p, c);
  }
  const double real_cv = std::sqrt(var / counts.size()) / 30.0;
  const double real_zero = zero / counts.size();

  auto cfg = *PresetConfig("worstcase");
  cfg.sampling.coverage_x = 30;
  auto sim = ChannelSimulator::Create(std::move(*pool), cfg, 1);
  ASSERT_TRUE(sim.ok()) << sim.status().message();
  // A 100k-read sample is plenty for rates of 1e-3..1e-2 per nt over 13 M nt.
  SimulateStats st = (*sim)->Measure(0, 100000, 2);
  auto real = ReadRates(stats);
  ASSERT_GT(real["r_substitutions"], 0);
  EXPECT_NEAR(st.SubstitutionRate(), real["r_substitutions"], 0.2 * real["r_substitutions"]);
  EXPECT_NEAR(st.InsertionRate(), real["r_insertions"], 0.2 * real["r_insertions"]);
  EXPECT_NEAR(st.DeletionRate(), real["r_deletions"], 0.2 * real["r_deletions"]);
  EXPECT_NEAR(st.coverage_cv, real_cv, 0.25 * real_cv);
  EXPECT_NEAR(st.dropout_fraction, real_zero, 0.25 * real_zero);
}

}  // namespace
}  // namespace dnastore::channel
