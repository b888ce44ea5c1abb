// `dnastore consensus`: reads -> reconstructed strands (the read front end
// alone: orient, trim primers, cluster, consensus), for pools designed by
// anyone. All the work happens in codec/read_front_end.h.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/phred.h"
#include "dnastore/decoder.h"
#include "dnastore/read_front_end.h"
#include "dnastore/seq_io.h"

namespace dnastore::cli {
namespace {

// Primer lengths `consensus` takes: any pool, not only dnastore archives.
constexpr int kMinAnyPrimerNt = 8, kMaxAnyPrimerNt = 64;

struct ConsensusCliOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> paired;
  std::string output, report, primers, method = "vote", memory, tmp_dir;
  int payload_nt = 0;
  int primer_nt = 20;
  bool collapse = false;
  uint32_t min_reads = 1;
  double error_rate = 0;
  double primer_errors = 0.25;
  int primer_slack = 24;
  size_t batch_reads = 1 << 16;
  CommonOptions common;
};

double MeanQuality(const Strand& s) {
  if (s.qual.empty()) return 0;
  double sum = 0;
  for (char c : s.qual) sum += PhredScore(c);
  return sum / static_cast<double>(s.qual.size());
}

Status WriteStrands(const std::string& path, const std::vector<Strand>& strands) {
  auto w = SeqWriter::Open(path, SeqFormat::kFasta);
  if (!w.ok()) return w.status();
  SeqRecord rec;
  char name[128];
  for (size_t i = 0; i < strands.size(); ++i) {
    std::snprintf(name, sizeof(name), "strand%zu reads=%u mean_q=%.1f len=%zu", i + 1,
                  strands[i].reads, MeanQuality(strands[i]), strands[i].seq.size());
    rec.name = name;
    rec.seq = strands[i].seq;
    DNASTORE_RETURN_IF_ERROR((*w)->Write(rec));
  }
  return (*w)->Close();
}

// Median of the coverage histogram (clusters by read count).
uint64_t MedianCoverage(const FrontEndStats& st) {
  uint64_t total = 0, seen = 0;
  for (uint64_t c : st.coverage_histogram) total += c;
  for (size_t i = 0; i < st.coverage_histogram.size(); ++i) {
    seen += st.coverage_histogram[i];
    if (2 * seen >= total && total > 0) return i;
  }
  return 0;
}

nlohmann::json ReportJson(const ConsensusCliOptions& o, const FrontEndOptions& fo,
                          const FrontEndStats& st, uint64_t budget, double seconds) {
  nlohmann::json hist = nlohmann::json::array();
  for (uint64_t c : st.coverage_histogram) hist.push_back(c);
  return {
      {"command", "consensus"},
      {"inputs", o.paired.empty() ? o.inputs : o.paired},
      {"paired", !o.paired.empty()},
      {"output", o.output},
      {"fwd_primer", st.fwd_primer},
      {"rev_primer", st.rev_primer},
      {"primers_inferred", st.primers_inferred},
      {"payload_nt", fo.payload_nt},
      {"collapse_homopolymers", fo.collapse_homopolymers},
      {"threads", fo.threads},
      {"reads_total", st.reads_total},
      {"reads_used", st.reads_used},
      {"reads_junk", st.reads_junk},
      {"reads_forward", st.reads_forward},
      {"reads_reverse", st.reads_reverse},
      {"pairs_total", st.pairs_total},
      {"pairs_merged", st.pairs_merged},
      {"clusters", st.clusters},
      {"clusters_folded", st.clusters_folded},
      {"strands", st.strands},
      {"strands_expected_length", st.strands_expected_length},
      {"error_rate", st.error_rate},
      {"primer_error_profile",
       {{"sub", st.primer_sub_rate}, {"ins", st.primer_ins_rate}, {"del", st.primer_del_rate}}},
      {"payload_error_profile",
       {{"sub", st.payload_sub_rate},
        {"ins", st.payload_ins_rate},
        {"del", st.payload_del_rate},
        {"groups", st.payload_profile_groups}}},
      {"median_cluster_reads", MedianCoverage(st)},
      {"coverage_histogram", hist},
      {"memory",
       {{"budget_bytes", budget},
        {"passes", st.partition_groups > 0 ? 2 : 1},
        {"partitions", st.partition_groups > 0 ? kClusterPartitions : 0},
        {"partition_groups", st.partition_groups},
        {"partitioned_peak_bytes", st.partitioned_peak_bytes},
        {"bytes_spilled", st.bytes_spilled}}},
      {"seconds_trim", st.seconds.trim},
      {"seconds_cluster", st.seconds.cluster},
      {"seconds_consensus", st.seconds.consensus},
      {"seconds", seconds},
      {"reads_per_second", seconds > 0 ? static_cast<double>(st.reads_total) / seconds : 0.0},
  };
}

int RunConsensus(const ConsensusCliOptions& o) {
  const char* kCmd = "consensus";
  if (o.inputs.empty() == o.paired.empty())
    return ReportError(kCmd, UsageError("give read files (READS...) or --paired R1 R2, not both"));
  FrontEndOptions fo;
  if (!o.primers.empty()) {
    Status ps = ParsePrimerPair(o.primers, &fo.fwd_primer, &fo.rev_primer, kMinAnyPrimerNt,
                                kMaxAnyPrimerNt);
    if (!ps.ok()) return ReportError(kCmd, ps);
  }
  fo.payload_nt = o.payload_nt;
  fo.collapse_homopolymers = o.collapse;
  fo.threads = ResolveThreads(o.common.threads);
  fo.batch_reads = o.batch_reads;
  fo.infer_primer_nt = o.primer_nt;
  fo.min_cluster_reads = o.min_reads;
  fo.error_rate = o.error_rate;
  fo.max_primer_error_fraction = o.primer_errors;
  fo.primer_search_slack_nt = o.primer_slack;
  if (o.method == "vote") {
    fo.consensus_method = ConsensusMethod::kAlignVote;
  } else if (o.method == "spoa") {
    fo.consensus_method = ConsensusMethod::kSpoa;
  } else {
    return ReportError(kCmd, UsageError("--consensus must be 'vote' or 'spoa'"));
  }

  uint64_t budget = std::max(DefaultMemoryBudget(), kMinMemoryBudget);
  if (!o.memory.empty()) {
    auto m = ParseByteSize(o.memory, "--memory");
    if (!m.ok()) return ReportError(kCmd, m.status());
    budget = *m;
  }
  if (budget < kMinMemoryBudget)
    return ReportError(
        kCmd, UsageError("a memory budget below " + std::to_string(kMinMemoryBudget >> 20) +
                         " MiB cannot hold a consensus run"));
  fo.cluster_memory_bytes = WithoutReserve(budget);
  fo.scratch_dir = o.tmp_dir;
  auto files = RunFiles::Prepare(o.paired.empty() ? o.inputs : o.paired, {o.output, o.report},
                                 o.common.force);
  if (!files.ok()) return ReportError(kCmd, files.status());
  Progress bar("consensus", 0, o.common.quiet);
  fo.progress = [&bar](const std::string& stage, uint64_t done, uint64_t total) {
    bar.Update(stage, done, total);
  };
  std::vector<Strand> strands;
  FrontEndStats st;
  auto t0 = std::chrono::steady_clock::now();
  Status s = o.paired.empty()
                 ? ReconstructStrands(o.inputs, fo, &strands, &st)
                 : ReconstructStrandsPaired(o.paired[0], o.paired[1], fo, &strands, &st);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bar.Finish();
  if (!s.ok()) return ReportError(kCmd, s);
  auto strands_path = files->Stage(o.output);
  if (!strands_path.ok()) return ReportError(kCmd, strands_path.status());
  if (Status w = WriteStrands(*strands_path, strands); !w.ok())
    return ReportError(kCmd, files->Explain(w));
  if (!o.report.empty()) {
    auto report_path = files->Stage(o.report);
    if (!report_path.ok()) return ReportError(kCmd, report_path.status());
    Status w = WriteTextFile(*report_path, ReportJson(o, fo, st, budget, secs).dump(2) + "\n");
    if (!w.ok()) return ReportError(kCmd, files->Explain(w));
  }
  if (Status cs = files->CommitAll(); !cs.ok()) return ReportError(kCmd, cs);
  if (!o.common.quiet) {
    auto pct = [](uint64_t a, uint64_t b) { return b ? 100.0 * static_cast<double>(a) / b : 0.0; };
    if (st.primers_inferred)
      std::fprintf(stderr, "inferred primers: FWD %s  REV %s\n", st.fwd_primer.c_str(),
                   st.rev_primer.c_str());
    if (!o.paired.empty())
      std::fprintf(stderr, "pairs:    %llu, merged %llu (%.1f%%)\n",
                   static_cast<unsigned long long>(st.pairs_total),
                   static_cast<unsigned long long>(st.pairs_merged),
                   pct(st.pairs_merged, st.pairs_total));
    std::fprintf(stderr,
                 "reads:    %llu, used %llu (%.1f%%; forward %llu, reverse %llu), junk %llu\n",
                 static_cast<unsigned long long>(st.reads_total),
                 static_cast<unsigned long long>(st.reads_used), pct(st.reads_used, st.reads_total),
                 static_cast<unsigned long long>(st.reads_forward),
                 static_cast<unsigned long long>(st.reads_reverse),
                 static_cast<unsigned long long>(st.reads_junk));
    std::fprintf(stderr,
                 "clusters: %llu (%llu small ones folded; median %llu reads), estimated read "
                 "error %.2f%% (primers: sub %.2f%%, ins %.2f%%, del %.2f%%; payloads: sub "
                 "%.2f%%, ins %.2f%%, del %.2f%% in %llu groups)\n",
                 static_cast<unsigned long long>(st.clusters),
                 static_cast<unsigned long long>(st.clusters_folded),
                 static_cast<unsigned long long>(MedianCoverage(st)), 100.0 * st.error_rate,
                 100.0 * st.primer_sub_rate, 100.0 * st.primer_ins_rate, 100.0 * st.primer_del_rate,
                 100.0 * st.payload_sub_rate, 100.0 * st.payload_ins_rate,
                 100.0 * st.payload_del_rate,
                 static_cast<unsigned long long>(st.payload_profile_groups));
    std::fprintf(stderr, "strands:  %llu written to %s",
                 static_cast<unsigned long long>(st.strands), o.output.c_str());
    if (fo.payload_nt > 0)
      std::fprintf(stderr, " (%llu with the expected %d nt)",
                   static_cast<unsigned long long>(st.strands_expected_length), fo.payload_nt);
    std::fprintf(stderr,
                 "\ntime:     %.2f s (%.0f reads/s, %d threads; trim %.2f s, cluster %.2f s, "
                 "consensus %.2f s)\n",
                 secs, secs > 0 ? static_cast<double>(st.reads_total) / secs : 0.0, fo.threads,
                 st.seconds.trim, st.seconds.cluster, st.seconds.consensus);
    std::fprintf(stderr,
                 "memory:   budget %llu MiB; %u group(s) of %zu minimizer partitions clustered "
                 "in turn, %llu MiB spilled to scratch\n",
                 static_cast<unsigned long long>(budget >> 20), st.partition_groups,
                 kClusterPartitions, static_cast<unsigned long long>(st.bytes_spilled >> 20));
  }
  return 0;
}

}  // namespace

void RegisterConsensus(CLI::App& app, RunFn& run) {
  auto opts = std::make_shared<ConsensusCliOptions>();
  auto* cmd = app.add_subcommand(
      "consensus",
      "Reconstruct strands from sequencing reads: orient, trim primers, cluster, consensus.\n"
      "Works on pools designed by anyone; primers are inferred when not given.");
  cmd->add_option("reads", opts->inputs, "Read files (FASTA/FASTQ/SAM/BAM, gz; - = stdin)");
  cmd->add_option("-o,--output", opts->output, "Output FASTA of strands (- = stdout)")->required();
  cmd->add_option("--primers", opts->primers,
                  "FWD,REV primers 5'->3' (the oligo ends with RC(REV)); default: infer");
  cmd->add_option("--primer-length", opts->primer_nt, "Primer length when inferring (nt)")
      ->check(CLI::Range(kMinAnyPrimerNt, kMaxAnyPrimerNt));
  cmd->add_option("--primer-errors", opts->primer_errors,
                  "Edits allowed per primer base when locating primers")
      ->check(FiniteIn(0.0, 0.5));
  cmd->add_option("--primer-slack", opts->primer_slack,
                  "Bases before a primer (adapters) tolerated at each read end")
      ->check(CLI::Range(0, 1000));
  cmd->add_option("--paired", opts->paired, "Paired-end R1 and R2 files (mates merged)")
      ->expected(2);
  cmd->add_option("--payload-length", opts->payload_nt,
                  "Expected payload length between primers, after collapsing (nt; 0 = unknown)")
      ->check(CLI::Range(0, 100000));
  cmd->add_flag("--collapse-homopolymers", opts->collapse,
                "Collapse homopolymer runs of each payload (TdT transition pools)");
  cmd->add_option("--min-reads", opts->min_reads, "Clusters with fewer reads are not written");
  cmd->add_option("--consensus", opts->method, "Consensus method: vote (default) or spoa");
  cmd->add_option("--error-rate", opts->error_rate,
                  "Per-base read error rate (0 = estimate from primers)")
      ->check(FiniteIn(0.0, 0.5));
  cmd->add_option("--batch-reads", opts->batch_reads, "Reads per batch (affects results)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 26));
  cmd->add_option("--memory", opts->memory,
                  "Memory budget, e.g. 2G (default: the smaller of 4 GiB and half the RAM); "
                  "reads are clustered in groups of minimizer partitions that fit it, the "
                  "rest waiting in scratch files");
  cmd->add_option("--tmp-dir", opts->tmp_dir,
                  "Directory for scratch files (default: $TMPDIR or /tmp); removed on any exit");
  cmd->add_option("--report", opts->report, "Write a JSON report to this file");
  AddCommonOptions(cmd, opts->common, false);
  AddForceOption(cmd, opts->common);
  cmd->callback([&run, opts] { run = [opts] { return RunConsensus(*opts); }; });
}

}  // namespace dnastore::cli
