// `dnastore decode`: reads or strands -> the original file, verified.
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "dnastore/decoder.h"
#include "dnastore/read_front_end.h"

namespace dnastore::cli {
namespace {

struct DecodeCliOptions {
  std::vector<std::string> inputs, paired;
  std::string output, report_path, primers, archive, memory, spill_after, tmp_dir;
  bool partial = false, reads_mode = false;
  int primer_slack = -1;
  double error_rate = 0;
  CommonOptions common;
};

nlohmann::json ReportJson(const DecodeReport& r, const Status& st) {
  nlohmann::json missing = nlohmann::json::array();
  for (const auto& m : r.missing) missing.push_back({{"offset", m.offset}, {"length", m.length}});
  nlohmann::json j = {
      {"status", st.ok() ? "ok" : "failed"},
      {"exit_code", ExitCodeFor(st.code())},
      {"message", st.message()},
      {"mode", r.mode},
      {"header_found", r.header_found},
      {"records", r.records},
      {"strands", r.strands},
      {"reads_junk", r.reads_junk},
      {"reads_placed", r.reads_placed},
      {"reads_dropped", r.reads_dropped},
      {"clusters", r.clusters},
      {"coverage_histogram", r.coverage_histogram},
      {"frames",
       {{"header", r.header_frames},
        {"data", r.data_frames},
        {"repaired", r.frames_repaired},
        {"rejected", r.frames_rejected},
        {"duplicate", r.duplicate_frames},
        {"other_archives", r.frames_other_archives}}},
      {"oligos_expected", r.oligos_expected},
      {"oligos_present", r.oligos_present},
      {"erasures_filled", r.erasures},
      {"suspect_frames_used", r.suspect_frames_used},
      {"codewords", r.codewords},
      {"codewords_failed", r.codewords_failed},
      {"codewords_with_errors", r.columns_with_errors},
      {"min_parity_margin", r.min_parity_margin},
      {"hash_ok", r.hash_ok},
      {"missing_ranges", missing},
      {"output", r.output_path},
      {"seconds", r.seconds},
      {"peak_rss_bytes", PeakRssBytes()},
      {"front_end",
       {{"passes", r.front_end_passes},
        {"payload_nt_estimated", r.payload_nt_estimated},
        {"read_error_rate", r.read_error_rate},
        {"primer_error_rate", r.primer_error_rate},
        {"payload_error_profile",
         {{"sub", r.payload_sub_rate}, {"ins", r.payload_ins_rate}, {"del", r.payload_del_rate}}},
        {"seconds_input", r.front_end_seconds.input},
        {"seconds_trim", r.front_end_seconds.trim},
        {"seconds_drop", r.front_end_seconds.drop},
        {"seconds_cluster", r.front_end_seconds.cluster},
        {"seconds_consensus", r.front_end_seconds.consensus}}},
      {"memory",
       {{"budget_bytes", r.memory_budget_bytes},
        {"reads_deferred", r.reads_deferred},
        {"deferred_peak_bytes", r.deferred_peak_bytes},
        {"partitions", r.partition_groups > 0 ? kClusterPartitions : 0},
        {"partition_groups", r.partition_groups},
        {"bytes_spilled", r.bytes_spilled}}},
      {"seconds_place", r.seconds_place},
      {"seconds_outer", r.seconds_outer},
  };
  nlohmann::json others = nlohmann::json::array();
  for (const OtherArchive& a : r.other_archives)
    others.push_back({{"id", a.id},
                      {"file_name", a.file_name},
                      {"file_size", a.file_size},
                      {"header_frames", a.header_frames}});
  j["other_archives"] = others;
  if (r.header_found) {
    j["archive"] = {
        {"id", r.archive_id},
        {"file_name", r.params.file_name},
        {"file_size", r.params.file_size},
        {"hash_xxh3_128", HashHex(r.params.hash)},
        {"payload_nt", r.params.geometry.payload_nt},
        {"primers", {r.params.geometry.fwd_primer, r.params.geometry.rev_primer}},
        {"mapping", r.params.geometry.mapping == Mapping::kDirect ? "direct" : "transition"},
        {"format_version", r.params.version},
        {"rs_n", r.params.rs_k + r.params.rs_p},
        {"rs_k", r.params.rs_k}};
    // v2: rows are RS(rs_n, rs_k); columns RS(column_n, column_k); the
    // report's codewords count product blocks.
    if (r.params.version == kFormatVersion2) {
      j["archive"]["column_n"] = r.params.data_rows + r.params.row_parity;
      j["archive"]["column_k"] = r.params.data_rows;
    }
  }
  return j;
}

// Reads of other archives were mixed in: say so, and how to pick one.
void PrintOtherArchives(const DecodeReport& r) {
  if (r.other_archives.empty()) return;
  std::fprintf(stderr,
               "  warning     reads of %zu other archive%s present (choose with --archive):\n",
               r.other_archives.size(), r.other_archives.size() == 1 ? " is" : "s are");
  for (const OtherArchive& a : r.other_archives)
    std::fprintf(stderr, "              id %s '%s' (%s), %llu header frames\n", a.id.c_str(),
                 Printable(a.file_name).c_str(),
                 HumanBytes(static_cast<double>(a.file_size)).c_str(),
                 (unsigned long long)a.header_frames);
}

int RunDecode(const DecodeCliOptions& o) {
  DecodeOptions opts;
  opts.inputs = o.inputs;
  if (!o.paired.empty()) {
    if (o.paired.size() != 2)
      return ReportError("decode", UsageError("--paired takes two files: R1 R2"));
    opts.paired_r1 = o.paired[0];
    opts.paired_r2 = o.paired[1];
  }
  if (opts.inputs.empty() && opts.paired_r1.empty())
    return ReportError("decode", UsageError("give read files (or --paired R1 R2)"));
  if (!o.primers.empty()) {
    Status ps =
        ParsePrimerPair(o.primers, &opts.fwd_primer, &opts.rev_primer, kMinPrimerNt, kMaxPrimerNt);
    if (!ps.ok()) return ReportError("decode", ps);
  }
  std::vector<std::string> inputs = opts.inputs;
  if (!opts.paired_r1.empty()) inputs.insert(inputs.end(), {opts.paired_r1, opts.paired_r2});
  auto files = RunFiles::Prepare(inputs, {o.output, o.report_path}, o.common.force);
  if (!files.ok()) return ReportError("decode", files.status());
  // The file name may come from the archive (no -o): the decoder then checks
  // and writes it itself.
  opts.output_path = o.output;
  opts.force = o.common.force;
  opts.other_files = {o.report_path};
  if (!o.output.empty()) {
    auto staged = files->Stage(o.output);
    if (!staged.ok()) return ReportError("decode", staged.status());
    opts.output_path = *staged;
    opts.force = true;  // the staged file is ours
  }
  opts.partial = o.partial;
  opts.force_reads_mode = o.reads_mode;
  opts.primer_search_slack_nt = o.primer_slack;
  opts.archive = o.archive;
  opts.error_rate = o.error_rate;
  if (!o.memory.empty()) {
    auto m = ParseByteSize(o.memory, "--memory");
    if (!m.ok()) return ReportError("decode", m.status());
    opts.memory_bytes = *m;
  }
  if (!o.spill_after.empty()) {
    auto m = ParseByteSize(o.spill_after, "--spill-after");
    if (!m.ok()) return ReportError("decode", m.status());
    opts.spill_after_bytes = *m;
  }
  opts.tmp_dir = o.tmp_dir;
  opts.threads = ResolveThreads(o.common.threads);
  Progress bar("decoding", 1000, o.common.quiet);
  DecodeReport r;
  Status st = DecodeFile(
      opts,
      [&](const std::string& stage, uint64_t done, uint64_t total) {
        bar.Update(stage, done, total);
      },
      &r);
  bar.Finish();
  st = files->Explain(st);
  if (!o.output.empty() && !r.output_path.empty()) r.output_path = o.output;
  Status report_status;
  if (!o.report_path.empty()) {
    auto staged = files->Stage(o.report_path);
    report_status =
        staged.ok() ? WriteTextFile(*staged, ReportJson(r, st).dump(2) + "\n") : staged.status();
    report_status = files->Explain(report_status);
  }
  // A verified file (or, with --partial, what was recovered) is committed
  // together with the report; a failed decode commits its report alone.
  if (!st.ok() && r.output_path.empty()) files->Discard(o.output);
  if (report_status.ok()) report_status = files->CommitAll();
  if (!o.common.quiet) {
    if (r.header_found) {
      std::fprintf(stderr, "dnastore decode: archive '%s' (%s)%s, mode: %s\n",
                   Printable(r.params.file_name).c_str(),
                   HumanBytes(static_cast<double>(r.params.file_size)).c_str(),
                   r.archive_id.empty() ? "" : (", id " + r.archive_id).c_str(), r.mode.c_str());
      PrintOtherArchives(r);
      if (r.frames_other_archives > 0)
        std::fprintf(stderr, "              %llu of their data frames set aside\n",
                     (unsigned long long)r.frames_other_archives);
      if (r.mode == "reads")
        std::fprintf(stderr,
                     "  reads       %llu (%llu without primers, ignored): %llu placed by their "
                     "index, %llu noisy copies of those, the others in %llu clusters\n",
                     (unsigned long long)r.records, (unsigned long long)r.reads_junk,
                     (unsigned long long)r.reads_placed, (unsigned long long)r.reads_dropped,
                     (unsigned long long)r.clusters);
      if (r.mode == "reads")
        std::fprintf(stderr,
                     "  errors      %.2f%% per base assumed (primers %.2f%%; payloads: sub %.2f%%, "
                     "ins %.2f%%, del %.2f%%)\n",
                     100 * r.read_error_rate, 100 * r.primer_error_rate, 100 * r.payload_sub_rate,
                     100 * r.payload_ins_rate, 100 * r.payload_del_rate);
      std::fprintf(stderr,
                   "  strands     %llu: %llu data frames (%llu repaired), %llu header frames, "
                   "%llu rejected, %llu duplicates\n",
                   (unsigned long long)r.strands, (unsigned long long)r.data_frames,
                   (unsigned long long)r.frames_repaired, (unsigned long long)r.header_frames,
                   (unsigned long long)r.frames_rejected, (unsigned long long)r.duplicate_frames);
      std::fprintf(stderr,
                   "  oligos      %llu of %llu recovered; %llu erasures filled, %llu codewords "
                   "with errors corrected\n",
                   (unsigned long long)r.oligos_present, (unsigned long long)r.oligos_expected,
                   (unsigned long long)r.erasures, (unsigned long long)r.columns_with_errors);
      if (r.mode == "reads") {
        const FrontEndSeconds& s = r.front_end_seconds;
        std::fprintf(stderr,
                     "  stages      %d pass(es); input %.1f s (trim %.1f), drop %.1f s, cluster "
                     "%.1f s, consensus %.1f s, place %.1f s, outer decode %.1f s\n",
                     r.front_end_passes, s.input, s.trim, s.drop, s.cluster, s.consensus,
                     r.seconds_place, r.seconds_outer);
      }
      std::fprintf(stderr, "  margin      %d parity oligos to spare in the weakest codeword\n",
                   r.min_parity_margin);
      std::fprintf(stderr, "  integrity   %s\n",
                   r.hash_ok ? "hash verified (XXH3-128)" : "hash NOT verified");
      if (r.mode == "reads")
        std::fprintf(stderr,
                     "  memory      budget %s; %llu reads waited for a second look (%s packed "
                     "in memory at most); %u group(s) of minimizer partitions clustered; %s "
                     "spilled to scratch\n",
                     HumanBytes(static_cast<double>(r.memory_budget_bytes)).c_str(),
                     (unsigned long long)r.reads_deferred,
                     HumanBytes(static_cast<double>(r.deferred_peak_bytes)).c_str(),
                     r.partition_groups, HumanBytes(static_cast<double>(r.bytes_spilled)).c_str());
      if (st.ok())
        std::fprintf(stderr, "  wrote       %s in %.2f s, peak memory %s\n",
                     Printable(r.output_path).c_str(), r.seconds,
                     HumanBytes(static_cast<double>(PeakRssBytes())).c_str());
    }
  }
  if (!st.ok()) return ReportError("decode", st);
  if (!report_status.ok()) return ReportError("decode", report_status);
  return 0;
}

}  // namespace

void RegisterDecode(CLI::App& app, RunFn& run) {
  auto o = std::make_shared<DecodeCliOptions>();
  auto* cmd = app.add_subcommand("decode", "Recover the original file from reads or a pool");
  cmd->add_option("inputs", o->inputs, "FASTA/FASTQ/SAM/BAM files, gz ok ('-' = stdin)");
  cmd->add_option("--paired", o->paired, "Paired-end read files R1 R2")->expected(2);
  cmd->add_option("-o,--output", o->output,
                  "File to write (default: the name stored in the archive; '-' = stdout)");
  AddForceOption(cmd, o->common);
  cmd->add_option("--primer-slack", o->primer_slack,
                  "Bases before a primer (adapters) tolerated at each read end (default 24)")
      ->check(CLI::Range(0, 1000));
  cmd->add_flag(
      "--partial", o->partial,
      "On failure, write the recovered bytes anyway (missing ranges are listed in the report)");
  cmd->add_option("--report", o->report_path, "Write a JSON report");
  cmd->add_option("--primers", o->primers, "Primers FWD,REV to look for in noisy reads");
  cmd->add_option("--error-rate", o->error_rate,
                  "Per-base read error rate for clustering and consensus (default: measured on "
                  "the primers; give it when primers were attached after synthesis or removed)")
      ->check(CLI::Range(0.0, 0.5));
  cmd->add_option("--archive", o->archive,
                  "Reads of several archives mixed: decode this one (id prefix or file name; "
                  "default: the one with the most reads)");
  cmd->add_option("--memory", o->memory,
                  "Memory budget, e.g. 2G (default: the smaller of 4 GiB and half the RAM); "
                  "reads beyond it wait in a scratch file");
  cmd->add_option("--spill-after", o->spill_after,
                  "Spill waiting reads to scratch past SIZE of them in memory (default: what "
                  "--memory leaves; the result is the same)");
  cmd->add_option("--tmp-dir", o->tmp_dir,
                  "Directory for scratch files (default: $TMPDIR or /tmp); removed on any exit");
  cmd->add_flag("--reads", o->reads_mode, "Treat input as sequencer reads even if it looks clean");
  AddCommonOptions(cmd, o->common, false);
  cmd->callback([&run, o] { run = [o] { return RunDecode(*o); }; });
}

}  // namespace dnastore::cli
