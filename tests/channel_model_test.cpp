// Channel simulator: each model's measured rates match its parameters on a
// large seeded sample; zero-error settings reproduce the pool; the truth is
// consistent with the reads; output is deterministic across thread counts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "channel/molecules.h"
#include "core/dna.h"
#include "core/rng.h"
#include "dnastore/channel.h"
#include "dnastore/channel_config.h"
#include "tests/test_util.h"

namespace dnastore::channel {
namespace {

// Random oligos without homopolymers longer than `max_hp`.
std::vector<PoolOligo> RandomPool(size_t n, size_t len, uint64_t seed, int max_hp = 3) {
  std::vector<PoolOligo> pool(n);
  Rng rng(seed, 99);
  for (size_t i = 0; i < n; ++i) {
    pool[i].id = "oligo_" + std::to_string(i);
    std::string& s = pool[i].seq;
    while (s.size() < len) {
      char c = kBases[rng.Below(4)];
      int run = 0;
      for (size_t k = s.size(); k-- > 0 && s[k] == c;) ++run;
      if (run >= max_hp) continue;
      s.push_back(c);
    }
  }
  return pool;
}

ChannelConfig Preset(const std::string& name) {
  auto r = PresetConfig(name);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return *r;
}

// Perfect channel except for what the caller enables.
ChannelConfig Quiet() {
  ChannelConfig c = Preset("perfect");
  c.sampling.coverage_x = 30;
  return c;
}

std::unique_ptr<ChannelSimulator> Make(std::vector<PoolOligo> pool, const ChannelConfig& cfg,
                                       uint64_t seed = 7) {
  auto r = ChannelSimulator::Create(std::move(pool), cfg, seed);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(*r) : nullptr;
}

// Relative closeness with a binomial-noise-aware tolerance.
void ExpectRate(double measured, double expected, double rel_tol, const char* what) {
  EXPECT_NEAR(measured, expected, expected * rel_tol) << what;
}

TEST(ChannelModel, PerfectChannelReproducesPool) {
  auto pool = RandomPool(200, 100, 1);
  auto sim = Make(pool, Quiet());
  ASSERT_TRUE(sim);
  EXPECT_EQ(sim->read_count(), 6000u);
  std::vector<SimulatedRead> reads;
  sim->Generate(0, sim->read_count(), reads);
  size_t rev = 0;
  for (const auto& r : reads) {
    const std::string& o = pool[r.oligo_index].seq;
    EXPECT_EQ(r.seq, r.reverse ? ReverseComplement(o) : o);
    EXPECT_TRUE(r.edits.empty());
    EXPECT_EQ(r.qual, std::string(o.size(), 'I'));
    rev += r.reverse;
  }
  EXPECT_NEAR(static_cast<double>(rev) / reads.size(), 0.5, 0.03);
}

TEST(ChannelModel, TruthReproducesReads) {
  auto pool = RandomPool(100, 120, 2);
  for (const char* preset :
       {"illumina", "worstcase", "tdt", "tdt-terminator", "nanopore", "nanopore-r9"}) {
    ChannelConfig cfg = Preset(preset);
    cfg.sampling.coverage_x = 10;
    cfg.decay.halflives = 2;
    auto sim = Make(pool, cfg, 3);
    ASSERT_TRUE(sim);
    std::vector<SimulatedRead> reads;
    sim->Generate(0, sim->read_count(), reads);
    size_t with_edits = 0;
    for (const auto& r : reads) {
      const std::string& o = pool[r.oligo_index].seq;
      auto applied = ApplyEdits(o, r.edits);
      ASSERT_TRUE(applied.ok()) << preset << ": " << applied.status().message();
      std::string expect = r.reverse ? ReverseComplement(*applied) : *applied;
      ASSERT_EQ(r.seq, expect) << preset << " read " << r.name << " edits "
                               << FormatEdits(r.edits, o);
      ASSERT_EQ(r.qual.size(), r.seq.size());
      with_edits += !r.edits.empty();
    }
    EXPECT_GT(with_edits, 0u) << preset;
  }
}

TEST(ChannelModel, PairedTruthReproducesMates) {
  auto pool = RandomPool(50, 90, 3);
  ChannelConfig cfg = Preset("worstcase");
  cfg.sequencing.paired = true;
  cfg.sequencing.read_length_nt = 120;  // longer than the insert: adapter read-through
  cfg.sampling.coverage_x = 10;
  auto sim = Make(pool, cfg, 4);
  ASSERT_TRUE(sim);
  std::vector<SimulatedRead> reads;
  sim->Generate(0, sim->read_count(), reads);
  size_t with_adapter = 0;
  for (const auto& r : reads) {
    auto frag = ApplyEdits(pool[r.oligo_index].seq, r.edits);
    ASSERT_TRUE(frag.ok());
    std::string oriented = r.reverse ? ReverseComplement(*frag) : *frag;
    std::string t1 = oriented + cfg.sequencing.adapter_r1;
    std::string t2 = ReverseComplement(oriented) + cfg.sequencing.adapter_r2;
    t1.append(200, 'G');
    t2.append(200, 'G');
    auto m1 = ApplyEdits(t1, r.edits_r1);
    auto m2 = ApplyEdits(t2, r.edits_r2);
    ASSERT_TRUE(m1.ok() && m2.ok());
    EXPECT_EQ(r.seq, m1->substr(0, 120));
    EXPECT_EQ(r.seq2, m2->substr(0, 120));
    with_adapter += r.seq.find("AGATCGG") != std::string::npos;
  }
  EXPECT_GT(with_adapter, reads.size() * 9 / 10);  // adapter read-through
}

TEST(ChannelModel, TwistSynthesisDeletionRate) {
  ChannelConfig cfg = Quiet();
  ASSERT_TRUE(SetSynthesisModel(cfg, "twist").ok());
  cfg.sampling.coverage_x = 1000;
  auto sim = Make(RandomPool(200, 150, 4), cfg);
  ASSERT_TRUE(sim);
  SimulateStats st = sim->Measure(0, sim->read_count(), 2);
  // 30 M nt at 5.695e-4 deletion events/nt: ~17 k events, sd < 1%.
  ExpectRate(static_cast<double>(st.deletion_events) / st.reference_nt, 5.695e-4, 0.05,
             "twist deletion events");
  EXPECT_EQ(st.substitutions, 0u);
  EXPECT_EQ(st.insertions, 0u);
  // Adjacent deletions merge into one net event, rarely.
  EXPECT_NEAR(st.stage_events[0][2], st.deletion_events, st.deletion_events * 0.005);
  // 86% of deletion events are single-base (dt4dds deletion_repeat_bias).
  double mean_len = static_cast<double>(st.deletions) / st.deletion_events;
  EXPECT_NEAR(mean_len, 1.58, 0.12);
  // Copy numbers: log-normal sigma 0.30 -> coverage CV ~ sqrt(0.094 + 1/1000).
  EXPECT_NEAR(st.coverage_cv, 0.31, 0.04);
}

TEST(ChannelModel, ArrayLowQRates) {
  ChannelConfig cfg = Quiet();
  ASSERT_TRUE(SetSynthesisModel(cfg, "array-lowq").ok());
  cfg.synthesis.dropout_fraction = 0;
  cfg.sampling.coverage_x = 200;
  auto sim = Make(RandomPool(500, 120, 5), cfg);
  ASSERT_TRUE(sim);
  SimulateStats st = sim->Measure(0, sim->read_count(), 2);
  const auto& s = cfg.synthesis;
  double nt = static_cast<double>(st.reference_nt);
  ExpectRate(st.stage_events[0][0] / nt, s.substitution_rate, 0.05, "sub");
  ExpectRate(st.stage_events[0][1] / nt, s.insertion_rate, 0.08, "ins");
  ExpectRate(st.stage_events[0][2] / nt, s.deletion_rate, 0.05, "del");
  // Net substitutions are the injected ones minus the few on deleted bases.
  ExpectRate(st.SubstitutionRate(), s.substitution_rate, 0.06, "net sub");
}

TEST(ChannelModel, RateSigmaClustersErrorsKeepingRates) {
  ChannelConfig cfg = Quiet();
  ASSERT_TRUE(SetSequencingModel(cfg, "illumina").ok());
  cfg.sequencing.substitution_rate = 0.01;
  cfg.sampling.coverage_x = 300;
  auto pool = RandomPool(200, 100, 18);
  SimulateStats flat = Make(pool, cfg)->Measure(0, 60000, 2);
  cfg.sequencing.rate_sigma = 1.0;
  SimulateStats clustered = Make(pool, cfg)->Measure(0, 60000, 2);
  ExpectRate(clustered.SubstitutionRate(), flat.SubstitutionRate(), 0.05, "mean rate kept");
  // Same mean, more variance: more reads without any error.
  EXPECT_GT(clustered.error_free_reads, flat.error_free_reads * 1.1);
}

TEST(ChannelModel, DeletionExcessAtFivePrimeEnd) {
  ChannelConfig cfg = Quiet();
  cfg.synthesis.deletion_rate = 0.004;
  cfg.synthesis.deletion_5p_excess = 2.0;
  cfg.synthesis.deletion_5p_decay_nt = 4.0;
  cfg.sampling.coverage_x = 500;
  auto sim = Make(RandomPool(200, 120, 19), cfg);
  SimulateStats st = sim->Measure(0, sim->read_count(), 2);
  // The configured rate stays the mean over the oligo.
  ExpectRate(static_cast<double>(st.deletion_events) / st.reference_nt, 0.004, 0.05, "mean");
  double head = 0, mid = 0;
  for (int p = 0; p < 3; ++p) head += st.deletions_by_position[p];
  for (int p = 60; p < 63; ++p) mid += st.deletions_by_position[p];
  // 1 + 2 exp(-p/4) averaged over p = 0..2 is ~2.6x the middle.
  EXPECT_NEAR(head / mid, 2.6, 0.3);
}

TEST(ChannelModel, DropoutFromModel) {
  ChannelConfig cfg = Quiet();
  cfg.synthesis.dropout_fraction = 0.1;
  cfg.sampling.coverage_x = 30;
  auto sim = Make(RandomPool(5000, 40, 6), cfg);
  ASSERT_TRUE(sim);
  SimulateStats st = sim->Measure(0, 0, 1);
  EXPECT_NEAR(st.dropout_fraction, 0.1, 0.015);
  EXPECT_EQ(sim->read_count(), 150000u);  // exact total: multinomial
  uint64_t sum = 0;
  for (uint32_t c : sim->reads_per_oligo()) sum += c;
  EXPECT_EQ(sum, sim->read_count());
  // No copy-number skew: multinomial only, CV^2 ~ (1 + 0.1/0.9)/ (30 * 0.9)... just bounded.
  EXPECT_LT(st.coverage_cv, 0.45);
}

TEST(ChannelModel, PcrSubstitutionRateByFidelity) {
  for (const char* pol : {"taq", "hifi"}) {
    ChannelConfig cfg = Quiet();
    ASSERT_TRUE(SetPolymerase(cfg, pol).ok());
    cfg.sampling.coverage_x = 1000;
    auto sim = Make(RandomPool(200, 150, 7), cfg);
    ASSERT_TRUE(sim);
    SimulateStats st = sim->Measure(0, sim->read_count(), 2);
    double expected = 1.09e-4 / cfg.pcr.fidelity * 30 * 0.95 / 1.95;
    ExpectRate(st.SubstitutionRate(), expected, std::string(pol) == "taq" ? 0.03 : 0.12, pol);
    EXPECT_EQ(st.insertions + st.deletions, 0u);
  }
}

TEST(ChannelModel, DecayDeaminationAndStrandBreaks) {
  ChannelConfig cfg = Quiet();
  cfg.decay.halflives = 10;
  cfg.decay.substitution_bias = {};  // uniform -> check only the rate here
  cfg.sampling.coverage_x = 500;
  auto pool = RandomPool(200, 150, 8);
  auto sim = Make(pool, cfg);
  ASSERT_TRUE(sim);
  SimulateStats st = sim->Measure(0, sim->read_count(), 2);
  ExpectRate(st.SubstitutionRate(), 1.64e-3, 0.05, "decay sub");
  // Preset bias: C->T and G->A dominate (dt4dds aging.yaml: 76% of events).
  ChannelConfig biased = Quiet();
  biased.decay = Preset("illumina").decay;
  biased.decay.halflives = 20;
  auto sim_b = Make(pool, biased);
  std::vector<SimulatedRead> reads;
  sim_b->Generate(0, 3000, reads);
  double deam = 0, all = 0;
  for (const auto& r : reads)
    for (const auto& e : r.edits) {
      ASSERT_EQ(e.type, EditType::kSubstitution);
      char from = pool[r.oligo_index].seq[e.pos];
      all += 1;
      deam += (from == 'C' && e.bases == "T") || (from == 'G' && e.bases == "A");
    }
  ASSERT_GT(all, 500);
  EXPECT_NEAR(deam / all, 0.764, 0.05);
  // Strand breaks: G/A-rich oligos survive less and get fewer reads.
  std::vector<PoolOligo> two = {{"ga", std::string(100, 'G')}, {"ct", std::string(100, 'C')}};
  ChannelConfig d = Quiet();
  d.decay.halflives = 2;
  d.sampling.read_count = 100000;
  auto sim2 = Make(two, d);
  ASSERT_TRUE(sim2);
  EXPECT_LT(sim2->reads_per_oligo()[0], sim2->reads_per_oligo()[1] / 10);
}

TEST(ChannelModel, IlluminaRatesAndQualities) {
  ChannelConfig cfg = Quiet();
  ASSERT_TRUE(SetSequencingModel(cfg, "illumina").ok());
  cfg.sampling.coverage_x = 1000;
  auto pool = RandomPool(200, 150, 9);
  auto sim = Make(pool, cfg);
  ASSERT_TRUE(sim);
  SimulateStats st = sim->Measure(0, sim->read_count(), 2);
  const auto& q = cfg.sequencing;
  ExpectRate(st.SubstitutionRate(), q.substitution_rate, 0.05, "illumina sub");
  ExpectRate(static_cast<double>(st.insertion_events) / st.reference_nt, q.insertion_rate, 0.15,
             "illumina ins");
  ExpectRate(static_cast<double>(st.deletion_events) / st.reference_nt, q.deletion_rate, 0.12,
             "illumina del");
  // Higher at read ends than in the middle (both orientations average out
  // the reference coordinates, so compare ends to the middle).
  double mid = 0, ends = 0;
  for (int p = 60; p < 90; ++p) mid += st.substitutions_by_position[p];
  for (int p = 0; p < 15; ++p) ends += st.substitutions_by_position[p];
  for (int p = 135; p < 150; ++p) ends += st.substitutions_by_position[p];
  EXPECT_GT(ends, 1.3 * mid);
  // Qualities: substituted bases mostly low, correct bases mostly high.
  cfg.sequencing.insertion_rate = cfg.sequencing.deletion_rate = 0;
  auto sim2 = Make(pool, cfg, 11);
  std::vector<SimulatedRead> reads;
  sim2->Generate(0, 50000, reads);
  uint64_t err = 0, err_low = 0, ok = 0, ok_high = 0;
  for (const auto& r : reads) {
    std::string o = pool[r.oligo_index].seq;
    if (r.reverse) o = ReverseComplement(o);
    ASSERT_EQ(o.size(), r.seq.size());
    for (size_t i = 0; i < o.size(); ++i) {
      bool low = r.qual[i] - 33 < 30;
      if (o[i] != r.seq[i]) {
        ++err;
        err_low += low;
      } else {
        ++ok;
        ok_high += !low;
      }
    }
  }
  ASSERT_GT(err, 1000u);
  EXPECT_GT(static_cast<double>(err_low) / err, 0.85);
  EXPECT_GT(static_cast<double>(ok_high) / ok, 0.85);
  for (char c : reads[0].qual) {
    int qv = c - 33;
    EXPECT_TRUE(qv == 2 || qv == 12 || qv == 23 || qv == 37) << qv;  // binned
  }
}

TEST(ChannelModel, NanoporeRatesAndHomopolymers) {
  for (const char* model : {"nanopore-r10", "nanopore-r9"}) {
    ChannelConfig cfg = Quiet();
    ASSERT_TRUE(SetSequencingModel(cfg, model).ok());
    cfg.sampling.coverage_x = 100;
    auto sim = Make(RandomPool(200, 150, 10, 3), cfg);  // no homopolymer >= 4
    ASSERT_TRUE(sim);
    SimulateStats st = sim->Measure(0, sim->read_count(), 2);
    const auto& q = cfg.sequencing;
    double nt = static_cast<double>(st.reference_nt);
    ExpectRate(st.stage_events[3][0] / nt, q.substitution_rate, 0.04, model);
    ExpectRate(st.stage_events[3][1] / nt, q.insertion_rate, 0.05, model);
    ExpectRate(st.stage_events[3][2] / nt, q.deletion_rate, 0.05, model);
    // Per-base totals (Badread): r10 ~5.7%, r9 ~10%.
    double total = st.SubstitutionRate() + st.InsertionRate() + st.DeletionRate();
    EXPECT_NEAR(total, std::string(model) == "nanopore-r10" ? 0.057 : 0.099, 0.01) << model;
  }
  // Homopolymers >= 4: errors multiplied by homopolymer_error_factor.
  ChannelConfig cfg = Quiet();
  ASSERT_TRUE(SetSequencingModel(cfg, "nanopore-r10").ok());
  cfg.sampling.coverage_x = 2000;
  std::string hp = "ACGTACGTAC" + std::string(6, 'A') + "CGTACGTACG";  // A-run at 10..15
  auto sim = Make({{"hp", hp}}, cfg);
  SimulateStats st = sim->Measure(0, sim->read_count(), 2);
  double in_run = 0, outside = 0;
  for (int p = 11; p < 15; ++p) in_run += st.substitutions_by_position[p];
  for (int p = 2; p < 6; ++p) outside += st.substitutions_by_position[p];
  EXPECT_GT(in_run, 1.8 * outside);
}

TEST(ChannelModel, TdtRunsAndMissedCycles) {
  ChannelConfig cfg = Quiet();
  ASSERT_TRUE(SetSynthesisModel(cfg, "tdt").ok());
  cfg.synthesis.copy_sigma = 0;
  for (auto& row : cfg.synthesis.run_length_mean) row.fill(2.0);
  cfg.sampling.coverage_x = 200;
  auto pool = RandomPool(200, 140, 12);
  auto sim = Make(pool, cfg);
  ASSERT_TRUE(sim);
  SimulateStats st = sim->Measure(0, sim->read_count(), 2);
  double designed = static_cast<double>(st.reads) * 100;  // 140 - 2 x 20 primer nt
  // Missed cycles -> deletions; runs of mean 2 -> one extra base per cycle.
  ExpectRate(st.deletions / designed, 0.05, 0.06, "missed cycles");
  ExpectRate(st.insertions / designed, 0.95 * 1.0, 0.05, "run extensions");
  // Ligated primers are never touched.
  for (int p = 0; p < 20; ++p) {
    EXPECT_EQ(st.substitutions_by_position[p] + st.deletions_by_position[p], 0u);
    EXPECT_EQ(st.deletions_by_position[139 - p], 0u);
  }
  std::vector<SimulatedRead> reads;
  sim->Generate(0, 200, reads);
  for (const auto& r : reads)
    for (const auto& e : r.edits)
      if (e.type == EditType::kInsertion) {  // runs repeat the designed base
        for (char c : e.bases) EXPECT_EQ(c, pool[r.oligo_index].seq[e.pos - 1]);
      }
}

TEST(ChannelModel, TdtTerminatorRates) {
  ChannelConfig cfg = Quiet();
  ASSERT_TRUE(SetSynthesisModel(cfg, "tdt-terminator").ok());
  cfg.sampling.coverage_x = 300;
  auto sim = Make(RandomPool(200, 140, 13), cfg);
  ASSERT_TRUE(sim);
  SimulateStats st = sim->Measure(0, sim->read_count(), 2);
  double designed = static_cast<double>(st.reads) * 100;
  // Among full-length products: uncapped failures (1-y)(1-c)/(1-(1-y)c).
  double f = 0.01, c = 0.5;
  ExpectRate(st.stage_events[0][2] / designed, f * (1 - c) / (1 - f * c), 0.06, "deletions");
  ExpectRate(st.stage_events[0][1] / designed, 0.001, 0.15, "n+1");
}

TEST(ChannelModel, CoverageIsExactAndMultinomial) {
  ChannelConfig cfg = Preset("illumina");
  cfg.sampling.coverage_x = 5;
  auto sim = Make(RandomPool(20000, 30, 14), cfg);
  ASSERT_TRUE(sim);
  EXPECT_EQ(sim->read_count(), 100000u);
  SimulateStats st = sim->Measure(0, 0, 1);
  // Poisson(5) zero fraction e^-5 = 0.67%, inflated by copy-number skew.
  EXPECT_GT(st.dropout_fraction, 0.004);
  EXPECT_LT(st.dropout_fraction, 0.03);
  uint64_t hist_total = 0;
  for (uint64_t h : st.coverage_histogram) hist_total += h;
  EXPECT_EQ(hist_total, 20000u);
}

using dnastore::testing::ReadText;
using dnastore::testing::ScratchDir;

TEST(ChannelModel, DeterministicAcrossThreadsAndSeeds) {
  auto pool = RandomPool(300, 110, 15);
  std::string dir = ScratchDir();
  for (const char* preset : {"illumina", "tdt"}) {
    ChannelConfig cfg = Preset(preset);
    cfg.sampling.coverage_x = 40;  // 12000 reads: several chunks
    std::string outs[3];
    int threads[3] = {1, 2, 4};
    for (int i = 0; i < 3; ++i) {
      auto sim = Make(pool, cfg, 42);
      SimulateOutput out;
      out.reads_path = dir + "/chdet_" + std::to_string(i) + ".fastq";
      out.truth_path = dir + "/chdet_" + std::to_string(i) + ".tsv";
      out.threads = threads[i];
      auto st = sim->Run(out);
      ASSERT_TRUE(st.ok()) << st.status().message();
      outs[i] = ReadText(out.reads_path) + ReadText(out.truth_path);
    }
    EXPECT_FALSE(outs[0].empty());
    EXPECT_EQ(outs[0], outs[1]) << preset;
    EXPECT_EQ(outs[0], outs[2]) << preset;
    // Different seed, different reads.
    auto sim = Make(pool, cfg, 43);
    SimulateOutput out;
    out.reads_path = dir + "/chdet_seed.fastq";
    out.threads = 2;
    ASSERT_TRUE(sim->Run(out).ok());
    EXPECT_NE(ReadText(out.reads_path), outs[0].substr(0, ReadText(out.reads_path).size()));
  }
  // Range splitting does not matter.
  auto sim = Make(pool, Preset("worstcase"), 5);
  std::vector<SimulatedRead> a, b;
  sim->Generate(0, 100, a);
  sim->Generate(37, 20, b);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(a[37 + i].seq, b[i].seq);
    EXPECT_EQ(a[37 + i].qual, b[i].qual);
  }
}

TEST(ChannelModel, StatsMatchRunAndMeasure) {
  auto pool = RandomPool(100, 100, 16);
  ChannelConfig cfg = Preset("worstcase");
  cfg.sampling.coverage_x = 20;
  auto sim = Make(pool, cfg, 8);
  SimulateOutput out;
  out.reads_path = ScratchDir() + "/chstats.fastq.gz";
  out.threads = 2;
  auto run = sim->Run(out);
  ASSERT_TRUE(run.ok());
  SimulateStats m = sim->Measure(0, sim->read_count(), 3);
  EXPECT_EQ(run->substitutions, m.substitutions);
  EXPECT_EQ(run->deletions, m.deletions);
  EXPECT_EQ(run->read_nt, m.read_nt);
  EXPECT_EQ(run->reads, 2000u);
  EXPECT_EQ(run->reference_nt_by_position[0], 2000u);
  EXPECT_DOUBLE_EQ(run->mean_phred, m.mean_phred);
}

TEST(ChannelModel, GenerateMatchesRun) {
  auto pool = RandomPool(60, 80, 17);
  for (bool paired : {false, true}) {
    ChannelConfig cfg = Preset("worstcase");
    cfg.sequencing.paired = paired;
    cfg.sampling.coverage_x = 100;  // 6000 reads: two chunks
    auto sim = Make(pool, cfg, 21);
    SimulateOutput out;
    out.reads_path = ScratchDir() + "/chgen_1.fastq";
    out.reads2_path = ScratchDir() + "/chgen_2.fastq";
    out.truth_path = ScratchDir() + "/chgen.tsv";
    out.threads = 2;
    ASSERT_TRUE(sim->Run(out).ok());
    std::vector<SimulatedRead> reads;
    sim->Generate(0, sim->read_count(), reads);
    ASSERT_EQ(reads.size(), 6000u);
    std::string fq1, fq2, truth;
    auto fastq = [](std::string& out, const std::string& name, const char* suffix,
                    const std::string& seq, const std::string& qual) {
      out.append("@").append(name).append(suffix).append("\n");
      out.append(seq).append("\n+\n").append(qual).append("\n");
    };
    for (const auto& r : reads) {
      fastq(fq1, r.name, paired ? "/1" : "", r.seq, r.qual);
      if (paired) fastq(fq2, r.name, "/2", r.seq2, r.qual2);
      truth.append(r.name).append("\t").append(pool[r.oligo_index].id).append("\t");
      truth.append(std::to_string(r.oligo_index)).append(r.reverse ? "\t-\t" : "\t+\t");
      truth.append(FormatEdits(r.edits, pool[r.oligo_index].seq)).append("\n");
    }
    EXPECT_EQ(fq1, ReadText(out.reads_path)) << paired;
    if (paired) {
      EXPECT_EQ(fq2, ReadText(out.reads2_path));
    } else {
      std::string file_truth = ReadText(out.truth_path);
      EXPECT_EQ(truth, file_truth.substr(file_truth.find('\n') + 1));
    }
  }
}

TEST(ChannelModel, RejectsBadPool) {
  EXPECT_EQ(ChannelSimulator::Create({}, Preset("illumina"), 1).status().code(),
            ErrorCode::kBadInput);
  EXPECT_EQ(ChannelSimulator::Create({{"x", "ACGN"}}, Preset("illumina"), 1).status().code(),
            ErrorCode::kBadInput);
  ChannelConfig bad = Preset("illumina");
  bad.pcr.efficiency = 2;
  auto r = ChannelSimulator::Create({{"x", "ACGT"}}, bad, 1);
  EXPECT_EQ(r.status().code(), ErrorCode::kUsage);
  EXPECT_NE(r.status().message().find("pcr.efficiency"), std::string::npos);
}

// ------------------------------------------------ physical redundancy ------

// Distinct read sequences per oligo that has reads.
double DistinctReadsPerOligo(const ChannelSimulator& sim) {
  std::vector<SimulatedRead> reads;
  sim.Generate(0, sim.read_count(), reads);
  std::vector<std::set<std::string>> distinct(sim.pool().size());
  for (const SimulatedRead& r : reads)
    distinct[r.oligo_index].insert(r.reverse ? ReverseComplement(r.seq) : r.seq);
  double sum = 0, with_reads = 0;
  for (const auto& d : distinct)
    if (!d.empty()) {
      sum += static_cast<double>(d.size());
      ++with_reads;
    }
  return with_reads > 0 ? sum / with_reads : 0;
}

TEST(ChannelModel, PhysicalRedundancyDrawsPoissonMolecules) {
  ChannelConfig cfg = Quiet();  // equal copy numbers, no PCR
  cfg.sampling.physical_redundancy = 2.0;
  auto sim = Make(RandomPool(20000, 40, 31), cfg);
  ASSERT_TRUE(sim);
  SimulateStats st = sim->Measure(0, 0, 1);
  // Poisson(2): 40 000 molecules (sd 200), e^-2 = 13.5% of oligos get none.
  EXPECT_NEAR(static_cast<double>(st.molecules), 40000, 1000);
  EXPECT_NEAR(static_cast<double>(st.oligos_without_molecules) / 20000, std::exp(-2.0), 0.01);
  // An oligo without molecules has no reads; all reads go to the others.
  EXPECT_GE(st.zero_read_oligos, st.oligos_without_molecules);
  EXPECT_EQ(sim->read_count(), 600000u);
  ChannelConfig off = cfg;
  off.sampling.physical_redundancy = 0;
  EXPECT_EQ(Make(RandomPool(100, 40, 31), off)->Measure(0, 0, 1).molecules, 0u);
}

TEST(ChannelModel, ReadsOfAMoleculeInheritItsSynthesisErrors) {
  ChannelConfig cfg = Quiet();
  cfg.synthesis.deletion_rate = 0.03;  // ~95% of 100-nt molecules carry an error
  cfg.sampling.coverage_x = 40;
  auto unlimited = Make(RandomPool(300, 100, 32), cfg);
  ASSERT_TRUE(unlimited);
  // Every read its own molecule: nearly every read differs.
  EXPECT_GT(DistinctReadsPerOligo(*unlimited), 30);
  cfg.sampling.physical_redundancy = 1.0;
  auto limited = Make(RandomPool(300, 100, 32), cfg);
  ASSERT_TRUE(limited);
  // One molecule per oligo on average (E[m | m > 0] = 1.58): the reads of
  // an oligo are copies of that few.
  const double distinct = DistinctReadsPerOligo(*limited);
  EXPECT_LT(distinct, 1.9);
  EXPECT_GE(distinct, 1.0);
  // The error rate in reads is still the synthesis rate.
  SimulateStats st = limited->Measure(0, limited->read_count(), 1);
  ExpectRate(static_cast<double>(st.deletion_events) / st.reference_nt, 0.03, 0.15, "deletions");
}

TEST(ChannelModel, MoleculeAmplificationIsABranchingProcess) {
  // Galton-Watson with offspring 1 + Bernoulli(e): W = Z_n / (1 + e)^n has
  // mean 1 and variance (1 - e) / (1 + e) x (1 - (1 + e)^-n).
  for (double e : {0.5, 0.95}) {
    Rng rng(5, static_cast<uint64_t>(e * 100));
    double sum = 0, sum2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
      double w = MoleculeAmplification(30, e, rng);
      sum += w;
      sum2 += w * w;
    }
    const double mean = sum / n, var = sum2 / n - mean * mean;
    const double expect = (1 - e) / (1 + e) * (1 - std::pow(1 + e, -kExactPcrCycles));
    EXPECT_NEAR(mean, 1.0, 0.005) << e;
    EXPECT_NEAR(var, expect, expect * 0.05) << e;
  }
  Rng rng(5, 1);
  EXPECT_EQ(MoleculeAmplification(0, 0.9, rng), 1.0);  // no PCR, no spread
}

// Per oligo whose reads show exactly `molecules` distinct sequences (in
// forward orientation), the mean share of its reads on the most common one.
double TopMoleculeShare(const ChannelSimulator& sim, size_t molecules) {
  std::vector<SimulatedRead> reads;
  sim.Generate(0, sim.read_count(), reads);
  std::vector<std::map<std::string, int>> by_seq(sim.pool().size());
  for (const SimulatedRead& r : reads)
    ++by_seq[r.oligo_index][r.reverse ? ReverseComplement(r.seq) : r.seq];
  double top_share = 0, oligos = 0;
  for (const auto& m : by_seq) {
    if (m.size() != molecules) continue;
    int total = 0, top = 0;
    for (const auto& [seq, c] : m) {
      total += c;
      top = std::max(top, c);
    }
    top_share += static_cast<double>(top) / total;
    ++oligos;
  }
  EXPECT_GT(oligos, 50);
  return oligos > 0 ? top_share / oligos : 0;
}

TEST(ChannelModel, JackpotsSpreadTheReadsOfAnOligo) {
  // Two molecules of an oligo: without amplification spread their reads
  // split binomially (top share ~0.53 of 200 reads); with branching at
  // efficiency 0.5 (W variance 0.29) one molecule often takes far more.
  ChannelConfig cfg = Quiet();
  cfg.synthesis.deletion_rate = 0.05;  // molecules are told apart by their errors
  cfg.sampling.coverage_x = 200;
  cfg.sampling.physical_redundancy = 2;
  auto even = Make(RandomPool(1500, 100, 33), cfg);
  ASSERT_TRUE(even);
  ASSERT_TRUE(SetPolymerase(cfg, "taq").ok());
  cfg.pcr.efficiency = 0.5;
  cfg.pcr.efficiency_sd = 0;
  cfg.pcr.fidelity = 1e6;  // no PCR errors
  auto spread = Make(RandomPool(1500, 100, 33), cfg);
  ASSERT_TRUE(spread);
  const double even_top = TopMoleculeShare(*even, 2);
  const double spread_top = TopMoleculeShare(*spread, 2);
  EXPECT_LT(even_top, 0.56);
  EXPECT_GT(spread_top, even_top + 0.08);
}

TEST(ChannelModel, AttachedPrimersCarryNoSynthesisErrors) {
  ChannelConfig cfg = Quiet();
  ASSERT_TRUE(SetSynthesisModel(cfg, "array-lowq").ok());
  cfg.synthesis.dropout_fraction = 0;
  cfg.sampling.coverage_x = 200;
  for (bool attached : {false, true}) {
    cfg.synthesis.primers_attached = attached;
    cfg.synthesis.primer_5p_nt = 20;
    cfg.synthesis.primer_3p_nt = 20;
    auto sim = Make(RandomPool(100, 140, 34), cfg);
    ASSERT_TRUE(sim);
    SimulateStats st = sim->Measure(0, sim->read_count(), 2);
    uint64_t primers = 0, payload = 0;
    for (int p = 0; p < 140; ++p) {
      const uint64_t e = st.substitutions_by_position[p] + st.deletions_by_position[p] +
                         st.insertions_by_position[p];
      (p < 20 || p >= 120 ? primers : payload) += e;
    }
    EXPECT_GT(payload, 10000u);
    if (attached) {
      EXPECT_EQ(primers, 0u);
      // The payload keeps the model's rates (per synthesized nt).
      ExpectRate(static_cast<double>(st.stage_events[0][0]) / (st.reads * 100.0),
                 cfg.synthesis.substitution_rate, 0.1, "payload substitutions");
    } else {
      EXPECT_GT(primers, payload / 4);
    }
  }
}

TEST(ChannelModel, Dt4ddsPresetsFollowTheBenchmarkWorkflows) {
  ChannelConfig best = Preset("dt4dds-bestcase");
  EXPECT_EQ(best.synthesis.model, SynthesisModel::kTwist);
  EXPECT_TRUE(best.synthesis.primers_attached);
  EXPECT_EQ(best.sampling.physical_redundancy, 50);
  EXPECT_EQ(best.pcr.cycles, 40);
  EXPECT_EQ(best.pcr.polymerase, "q5");
  ChannelConfig worst = Preset("dt4dds-worstcase");
  EXPECT_EQ(worst.pcr.polymerase, "taq");
  EXPECT_DOUBLE_EQ(worst.synthesis.deletion_rate, 0.0156);
  EXPECT_DOUBLE_EQ(worst.synthesis.substitution_rate, 0);
  EXPECT_DOUBLE_EQ(worst.synthesis.copy_sigma, 0.94);
  // In reads: deletions near 1.56% per synthesized nt, PCR (Taq, 40 cycles)
  // substitutions near 40 x 1.09e-4, the primers clean of synthesis errors.
  worst.sampling.coverage_x = 100;
  worst.sequencing = Preset("perfect").sequencing;
  auto sim = Make(RandomPool(300, 190, 35), worst);
  ASSERT_TRUE(sim);
  SimulateStats st = sim->Measure(0, sim->read_count(), 2);
  ExpectRate(static_cast<double>(st.stage_events[0][2]) / (st.reads * 150.0), 0.0156, 0.05,
             "synthesis deletion events");
  ExpectRate(static_cast<double>(st.stage_events[1][0]) / st.reference_nt, 40 * 1.09e-4, 0.1,
             "PCR substitutions");
  EXPECT_NEAR(static_cast<double>(st.molecules) / 300, 50, 3);
}

TEST(ChannelModel, FixedCoverageGivesEveryPresentOligoTheSameReads) {
  ChannelConfig cfg = Preset("illumina");  // copy-number skew that fixed coverage ignores
  cfg.synthesis.dropout_fraction = 0.1;
  cfg.sampling.coverage_x = 30;
  cfg.sampling.fixed_coverage = true;
  auto sim = Make(RandomPool(2000, 60, 37), cfg);
  ASSERT_TRUE(sim);
  uint64_t absent = 0;
  for (uint32_t c : sim->reads_per_oligo()) {
    EXPECT_TRUE(c == 0 || c == 30) << c;
    absent += c == 0;
  }
  EXPECT_NEAR(static_cast<double>(absent) / 2000, 0.1, 0.02);
  EXPECT_EQ(sim->read_count(), (2000 - absent) * 30);
}

TEST(ChannelModel, VariantCoverageLimitsTheDistinctSynthesisVariants) {
  // dt4dds's error_generation_error_coverage: 1.56% deletions over 150 nt
  // give P(>= 1 error) = 0.904 and floor(5 / 0.904) + 1 = 6 variants.
  ChannelConfig cfg = Quiet();
  cfg.synthesis.deletion_rate = 0.0156;
  cfg.synthesis.variant_coverage = 5;
  cfg.sampling.coverage_x = 100;
  auto sim = Make(RandomPool(200, 150, 38), cfg);
  ASSERT_TRUE(sim);
  const double distinct = DistinctReadsPerOligo(*sim);
  EXPECT_LE(distinct, 6.0);
  EXPECT_GT(distinct, 4.5);  // 6 variants, some alike (error-free) or unpicked
  // With physical redundancy too: the molecules share those variants.
  cfg.sampling.physical_redundancy = 50;
  auto pr = Make(RandomPool(200, 150, 38), cfg);
  ASSERT_TRUE(pr);
  EXPECT_LE(DistinctReadsPerOligo(*pr), 6.0);
  EXPECT_EQ(Preset("dt4dds-worstcase").synthesis.variant_coverage, 5);
}

TEST(ChannelModel, PhysicalRedundancyTooLargeIsAUsageError) {
  ChannelConfig cfg = Quiet();
  cfg.sampling.physical_redundancy = 1e6;
  auto r = ChannelSimulator::Create(RandomPool(5000, 30, 36), cfg, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUsage);
  EXPECT_NE(r.status().message().find("physical_redundancy"), std::string::npos);
}

}  // namespace
}  // namespace dnastore::channel
