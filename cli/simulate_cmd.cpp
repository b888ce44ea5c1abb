// `dnastore simulate`: designed pool -> simulated sequencing reads.
// Parses options, builds the channel configuration (preset -> config file ->
// model options -> numeric options), runs the channel library, prints the
// summary and writes the JSON stats.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "dnastore/channel.h"
#include "dnastore/channel_config.h"

namespace dnastore::cli {
namespace {

struct SimulateOptions {
  CommonOptions common;
  std::string pool;
  std::vector<std::string> outputs;
  std::string preset;
  std::string config;
  std::string synthesis, polymerase, sequencing;
  std::optional<int> pcr_cycles;
  std::optional<double> pcr_efficiency;
  std::optional<double> decay_halflives;
  std::optional<double> coverage;
  std::optional<uint64_t> reads;
  std::optional<double> copy_sigma;
  std::optional<double> dropout;
  std::optional<double> physical_redundancy;
  bool primers_attached = false;
  bool fixed_coverage = false;
  std::optional<int> read_length;
  bool paired = false;
  std::string truth;
  std::string stats;
  bool dump_config = false;
};

std::string MatePath(const std::string& base, int mate) {
  const char* tag = mate == 1 ? "_R1" : "_R2";
  for (const char* ext : {".fastq.gz", ".fq.gz", ".fastq.bgz", ".fastq", ".fq"}) {
    std::string e(ext);
    if (base.size() > e.size() && base.compare(base.size() - e.size(), e.size(), e) == 0)
      return base.substr(0, base.size() - e.size()) + tag + e;
  }
  return base + tag + ".fastq";
}

nlohmann::json StatsJson(const channel::SimulateStats& st, const channel::ChannelConfig& cfg,
                         uint64_t seed) {
  using nlohmann::json;
  json j;
  j["seed"] = seed;
  j["preset"] = cfg.preset;
  j["synthesis_model"] = channel::SynthesisModelName(cfg.synthesis.model);
  j["polymerase"] = cfg.pcr.polymerase;
  j["sequencing_model"] = channel::SequencingModelName(cfg.sequencing.model);
  j["paired"] = cfg.sequencing.paired;
  j["oligos"] = st.oligos;
  j["reads"] = st.reads;
  j["read_nt"] = st.read_nt;
  j["reference_nt"] = st.reference_nt;
  j["error_rates"] = {{"substitution", st.SubstitutionRate()},
                      {"insertion", st.InsertionRate()},
                      {"deletion", st.DeletionRate()},
                      {"total", st.SubstitutionRate() + st.InsertionRate() + st.DeletionRate()}};
  j["error_counts"] = {{"substitutions", st.substitutions},
                       {"inserted_nt", st.insertions},
                       {"deleted_nt", st.deletions},
                       {"insertion_events", st.insertion_events},
                       {"deletion_events", st.deletion_events}};
  j["error_free_reads"] = st.error_free_reads;
  j["error_free_fraction"] =
      st.reads ? static_cast<double>(st.error_free_reads) / static_cast<double>(st.reads) : 0.0;
  const char* stages[4] = {"synthesis", "pcr", "decay", "sequencing"};
  for (int s = 0; s < 4; ++s)
    j["injected_events"][stages[s]] = {{"substitution", st.stage_events[s][0]},
                                       {"insertion", st.stage_events[s][1]},
                                       {"deletion", st.stage_events[s][2]}};
  j["by_position"] = {{"reference_nt", st.reference_nt_by_position},
                      {"substitutions", st.substitutions_by_position},
                      {"inserted_nt", st.insertions_by_position},
                      {"deleted_nt", st.deletions_by_position}};
  j["coverage"] = {{"mean_x", st.mean_coverage_x},
                   {"cv", st.coverage_cv},
                   {"zero_read_oligos", st.zero_read_oligos},
                   {"dropout_fraction", st.dropout_fraction},
                   {"physical_redundancy", cfg.sampling.physical_redundancy},
                   {"molecules", st.molecules},
                   {"oligos_without_molecules", st.oligos_without_molecules},
                   {"histogram", st.coverage_histogram}};
  j["mean_phred"] = st.mean_phred;
  j["config_toml"] = channel::ConfigToToml(cfg);
  return j;
}

int RunSimulate(const SimulateOptions& o) {
  using namespace dnastore::channel;
  const char* cmd = "simulate";
  // 1. preset
  auto preset = PresetConfig(o.preset.empty() ? "illumina" : o.preset);
  if (!preset.ok()) return ReportError(cmd, preset.status());
  ChannelConfig cfg = *preset;
  // 2. config file (its `preset` key only applies when --preset was not given)
  if (!o.config.empty() && std::filesystem::is_directory(o.config))
    return ReportError(
        cmd, UsageError("-c/--config: '" + o.config + "' is a directory, not a TOML config file"));
  if (!o.config.empty()) {
    ChannelConfig before = cfg;
    Status st = ApplyConfigFile(o.config, cfg);
    if (!st.ok()) return ReportError(cmd, st);
    (void)before;
  }
  // 3. explicit model options, 4. explicit numbers
  if (!o.synthesis.empty()) {
    Status st = SetSynthesisModel(cfg, o.synthesis);
    if (!st.ok())
      return ReportError(cmd, Status(ErrorCode::kUsage, "--synthesis: " + st.message()));
  }
  if (!o.polymerase.empty()) {
    Status st = SetPolymerase(cfg, o.polymerase);
    if (!st.ok())
      return ReportError(cmd, Status(ErrorCode::kUsage, "--polymerase: " + st.message()));
  }
  if (!o.sequencing.empty()) {
    Status st = SetSequencingModel(cfg, o.sequencing);
    if (!st.ok())
      return ReportError(cmd, Status(ErrorCode::kUsage, "--sequencing: " + st.message()));
  }
  if (o.pcr_cycles) cfg.pcr.cycles = *o.pcr_cycles;
  if (o.pcr_efficiency) cfg.pcr.efficiency = *o.pcr_efficiency;
  if (o.decay_halflives) cfg.decay.halflives = *o.decay_halflives;
  if (o.coverage) {
    cfg.sampling.coverage_x = *o.coverage;
    cfg.sampling.read_count = 0;
  }
  if (o.reads) cfg.sampling.read_count = *o.reads;
  if (o.copy_sigma) cfg.synthesis.copy_sigma = *o.copy_sigma;
  if (o.dropout) cfg.synthesis.dropout_fraction = *o.dropout;
  if (o.physical_redundancy) cfg.sampling.physical_redundancy = *o.physical_redundancy;
  if (o.primers_attached) cfg.synthesis.primers_attached = true;
  if (o.fixed_coverage) cfg.sampling.fixed_coverage = true;
  if (o.read_length) cfg.sequencing.read_length_nt = *o.read_length;
  if (o.paired) cfg.sequencing.paired = true;
  if (Status st = ValidateConfig(cfg); !st.ok()) return ReportError(cmd, st);
  if (o.dump_config) {
    std::string t = ConfigToToml(cfg);
    std::fwrite(t.data(), 1, t.size(), stdout);
    if (o.outputs.empty()) return 0;
  }
  if (o.outputs.empty()) return ReportError(cmd, UsageError("-o/--output is required"));
  if (o.outputs.size() == 2 && !cfg.sequencing.paired)
    return ReportError(cmd, UsageError("two output files given but --paired is not set"));

  SimulateOutput out;
  if (cfg.sequencing.paired) {
    if (o.outputs.size() == 2) {
      out.reads_path = o.outputs[0];
      out.reads2_path = o.outputs[1];
    } else {
      out.reads_path = MatePath(o.outputs[0], 1);
      out.reads2_path = MatePath(o.outputs[0], 2);
    }
  } else {
    out.reads_path = o.outputs[0];
  }
  out.truth_path = o.truth;
  auto files =
      RunFiles::Prepare({o.pool, o.config},
                        {out.reads_path, out.reads2_path, out.truth_path, o.stats}, o.common.force);
  if (!files.ok()) return ReportError(cmd, files.status());
  for (std::string* path : {&out.reads_path, &out.reads2_path, &out.truth_path}) {
    if (path->empty()) continue;
    auto staged = files->Stage(*path);
    if (!staged.ok()) return ReportError(cmd, staged.status());
    *path = *staged;
  }

  auto t0 = std::chrono::steady_clock::now();
  auto pool = LoadPool(o.pool);
  if (!pool.ok()) return ReportError(cmd, pool.status());
  auto sim = ChannelSimulator::Create(std::move(*pool), cfg, o.common.seed);
  if (!sim.ok()) return ReportError(cmd, sim.status());

  out.threads = ResolveThreads(o.common.threads);
  Progress progress("simulate", (*sim)->read_count(), o.common.quiet);
  out.progress = [&progress](uint64_t done, uint64_t) { progress.Update(done); };
  auto stats = (*sim)->Run(out);
  progress.Finish();
  if (!stats.ok()) return ReportError(cmd, files->Explain(stats.status()));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  if (!o.stats.empty()) {
    auto staged = files->Stage(o.stats);
    if (!staged.ok()) return ReportError(cmd, staged.status());
    Status ws = WriteTextFile(*staged, StatsJson(*stats, cfg, o.common.seed).dump(1) + "\n");
    if (!ws.ok()) return ReportError(cmd, files->Explain(ws));
  }
  if (Status cs = files->CommitAll(); !cs.ok()) return ReportError(cmd, cs);
  if (!o.common.quiet) {
    const auto& s = *stats;
    std::fprintf(
        stderr,
        "dnastore simulate: %s synthesis, %s PCR (%d cycles), %s sequencing%s\n"
        "  oligos          %llu\n"
        "  reads           %llu (%.1fx mean coverage, CV %.3f)\n"
        "  zero-read oligos %llu (%.2f%%)\n"
        "  error rates     sub %.4f%%  ins %.4f%%  del %.4f%% per nt\n"
        "  error-free reads %.1f%%   mean quality Q%.1f\n"
        "  time            %.2f s (%.2f M reads/s)\n",
        SynthesisModelName(cfg.synthesis.model).c_str(), cfg.pcr.polymerase.c_str(), cfg.pcr.cycles,
        SequencingModelName(cfg.sequencing.model).c_str(), cfg.sequencing.paired ? " (paired)" : "",
        static_cast<unsigned long long>(s.oligos), static_cast<unsigned long long>(s.reads),
        s.mean_coverage_x, s.coverage_cv, static_cast<unsigned long long>(s.zero_read_oligos),
        100.0 * s.dropout_fraction, 100.0 * s.SubstitutionRate(), 100.0 * s.InsertionRate(),
        100.0 * s.DeletionRate(),
        s.reads ? 100.0 * static_cast<double>(s.error_free_reads) / static_cast<double>(s.reads)
                : 0.0,
        s.mean_phred, secs, secs > 0 ? static_cast<double>(s.reads) / secs / 1e6 : 0.0);
    if (s.molecules > 0)
      std::fprintf(stderr, "  molecules       %llu before PCR (%.1f per oligo; %llu oligos lost)\n",
                   static_cast<unsigned long long>(s.molecules),
                   static_cast<double>(s.molecules) / static_cast<double>(s.oligos),
                   static_cast<unsigned long long>(s.oligos_without_molecules));
  }
  return 0;
}

}  // namespace

void RegisterSimulate(CLI::App& app, RunFn& run) {
  auto opts = std::make_shared<SimulateOptions>();
  auto* cmd = app.add_subcommand(
      "simulate",
      "Simulate synthesis, decay, PCR, sampling and sequencing of an oligo pool -> FASTQ reads");
  cmd->add_option("pool", opts->pool, "Designed oligo pool (FASTA/FASTQ, plain or gzip)")
      ->required();
  cmd->add_option("-o,--output", opts->outputs,
                  "Output FASTQ (.gz = BGZF). With --paired: a prefix or two file names")
      ->expected(1, 2);
  cmd->add_option("--preset", opts->preset,
                  "illumina (twist+Q5+illumina, default), nanopore (twist+Q5+nanopore-r10), "
                  "nanopore-r9, tdt (tdt+Q5+illumina), tdt-terminator, worstcase "
                  "(array-lowq+taq+illumina), dt4dds-bestcase, dt4dds-worstcase (the dt4dds "
                  "benchmark workflows: 50 molecules per oligo, primers attached), perfect");
  cmd->add_option("-c,--config", opts->config,
                  "TOML file with channel parameters (see docs/channel_simulator.md)");
  cmd->add_option("--synthesis", opts->synthesis,
                  "Synthesis model: none, twist, array-lowq, tdt, tdt-terminator");
  cmd->add_option("--polymerase", opts->polymerase, "PCR polymerase: q5, hifi, taq, none");
  cmd->add_option("--pcr-cycles", opts->pcr_cycles, "PCR cycles (default 30)");
  cmd->add_option("--pcr-efficiency", opts->pcr_efficiency, "Mean PCR efficiency (default 0.95)");
  cmd->add_option("--decay-halflives", opts->decay_halflives,
                  "Storage time in half-lives (default 0)");
  cmd->add_option("--coverage", opts->coverage, "Mean reads per designed oligo (default 30)");
  cmd->add_option("--reads", opts->reads, "Exact number of reads (overrides --coverage)")
      ->check(UnsignedIn(1, UINT64_MAX));
  cmd->add_option("--copy-sigma", opts->copy_sigma, "Log-normal sigma of synthesis copy numbers");
  cmd->add_option("--dropout", opts->dropout, "Fraction of oligos missing after synthesis");
  cmd->add_option("--physical-redundancy", opts->physical_redundancy,
                  "Mean molecules per oligo taken from the synthesized pool before PCR; each "
                  "keeps its synthesis errors in all its reads (default 0: unlimited)")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_flag("--fixed-coverage", opts->fixed_coverage,
                "Exactly --coverage reads of every oligo present (dt4dds's error generator)");
  cmd->add_flag("--primers-attached", opts->primers_attached,
                "Primers were attached after synthesis: they carry no synthesis errors");
  cmd->add_option("--sequencing", opts->sequencing,
                  "Sequencing model: illumina, nanopore-r10, nanopore-r9, perfect");
  cmd->add_flag("--paired", opts->paired,
                "Paired-end Illumina: write R1/R2 with adapter read-through");
  cmd->add_option("--read-length", opts->read_length, "Mate length in paired mode (default 150)");
  cmd->add_option("--truth", opts->truth,
                  "Write per-read ground truth TSV (source oligo, strand, edits)");
  cmd->add_option("--stats", opts->stats, "Write injected-error and coverage stats as JSON");
  cmd->add_flag("--dump-config", opts->dump_config,
                "Print the effective configuration as TOML to stdout");
  AddCommonOptions(cmd, opts->common, true);
  AddForceOption(cmd, opts->common);
  cmd->callback([&run, opts] { run = [opts] { return RunSimulate(*opts); }; });
}

}  // namespace dnastore::cli
