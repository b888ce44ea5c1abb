// `dnastore encode`: file -> oligo pool (FASTA).
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/dna.h"
#include "dnastore/encoder.h"
#include "dnastore/seq_io.h"

namespace dnastore::cli {
namespace {

struct EncodeCliOptions {
  std::string input, output, json_path, order_sheet, primers, mapping = "direct", preset;
  int oligo_length = 190;
  double redundancy = -1, gc_min = 40, gc_max = 60;
  int max_homopolymer = 3;
  int stripe_blocks = 64, header_copies = 8, format = kFormatVersion;
  CommonOptions common;
};

double Percent(double v) { return v > 1.0 ? v / 100.0 : v; }

Result<double> PresetRedundancy(const std::string& preset) {
  double r = DensityPresetRedundancy(preset);
  if (r < 0) return UsageError("unknown --preset '" + preset + "' (dense, balanced, robust)");
  return r;
}

// The pool as a Name,Sequence CSV for a synthesis vendor, in bounded chunks;
// "-" is standard output.
Status WriteOrderSheet(const std::string& pool, const std::string& csv) {
  auto reader = SeqReader::Open(pool);
  if (!reader.ok()) return reader.status();
  auto out = FileWriter::Open(csv);
  if (!out.ok()) return out.status();
  std::string text = "Name,Sequence\n";
  ReadBatch batch;
  do {
    DNASTORE_RETURN_IF_ERROR((*reader)->Next(batch, 65536));
    for (const auto& r : batch) text += r.name + ',' + r.seq + '\n';
    DNASTORE_RETURN_IF_ERROR(out->Write(text.data(), text.size()));
    text.clear();
  } while (!batch.empty());
  return out->Close();
}

int RunEncode(const EncodeCliOptions& o) {
  EncodeOptions opts;
  auto red = PresetRedundancy(o.preset);
  if (!red.ok()) return ReportError("encode", red.status());
  opts.redundancy = o.redundancy >= 0 ? o.redundancy : *red;
  opts.stripe_blocks = o.stripe_blocks;
  opts.format_version = o.format;
  opts.header_copies = o.header_copies;
  opts.threads = ResolveThreads(o.common.threads);
  OligoGeometry& g = opts.geometry;
  g.fwd_primer = kDefaultFwdPrimer;
  g.rev_primer = kDefaultRevPrimer;
  if (!o.primers.empty()) {
    Status ps =
        ParsePrimerPair(o.primers, &g.fwd_primer, &g.rev_primer, kMinPrimerNt, kMaxPrimerNt);
    if (!ps.ok()) return ReportError("encode", ps);
  }
  g.payload_nt = o.oligo_length - static_cast<int>(g.fwd_primer.size() + g.rev_primer.size());
  if (o.mapping == "direct") {
    g.mapping = Mapping::kDirect;
  } else if (o.mapping == "transition") {
    g.mapping = Mapping::kTransition;
  } else {
    return ReportError("encode", UsageError("--mapping must be 'direct' or 'transition'"));
  }
  g.constraints.max_homopolymer = o.max_homopolymer;
  g.constraints.gc_min = Percent(o.gc_min);
  g.constraints.gc_max = Percent(o.gc_max);
  std::string output = o.output;
  if (output.empty()) output = o.input == "-" ? "-" : o.input + ".fasta";

  const bool pool_is_stream = IsStreamOutput(output);
  if (!o.order_sheet.empty() && pool_is_stream)
    return ReportError("encode", UsageError("--order-sheet reads the pool back: write the pool "
                                            "to a file, not to '" +
                                            output + "'"));
  auto files = RunFiles::Prepare({o.input}, {output, o.json_path, o.order_sheet}, o.common.force);
  if (!files.ok()) return ReportError("encode", files.status());
  auto pool_path = files->Stage(output);
  if (!pool_path.ok()) return ReportError("encode", pool_path.status());

  Progress bar("encoding", 1, o.common.quiet);
  EncodeSummary s;
  Status st = EncodeFile(
      o.input, *pool_path, opts,
      [&](uint64_t done, uint64_t total) { bar.Update(total ? done * 1000 / total : 1000); }, &s);
  bar.Finish();
  if (!st.ok()) return ReportError("encode", files->Explain(st));
  if (!o.order_sheet.empty()) {
    auto sheet = files->Stage(o.order_sheet);
    if (!sheet.ok()) return ReportError("encode", sheet.status());
    Status os = WriteOrderSheet(*pool_path, *sheet);
    if (!os.ok()) return ReportError("encode", files->Explain(os));
  }
  const ArchiveParams& p = s.params;
  const bool v2 = p.version == kFormatVersion2;
  // v2's product code has no closed form; bench/outer_code_bench measures it.
  const double tol = v2 ? -1 : RandomLossTolerance(p, 0.99);
  if (!o.common.quiet) {
    std::fprintf(stderr, "dnastore encode: %s (%s) -> %s\n", o.input.c_str(),
                 HumanBytes(static_cast<double>(p.file_size)).c_str(), output.c_str());
    std::fprintf(stderr,
                 "  oligos      %llu (%llu data + %llu parity + %llu header), %d nt each "
                 "(%zu + %d + %zu), mapping %s\n",
                 (unsigned long long)s.total_oligos, (unsigned long long)s.data_oligos,
                 (unsigned long long)s.parity_oligos, (unsigned long long)s.header_oligos,
                 p.geometry.length_nt(), p.geometry.fwd_primer.size(), p.geometry.payload_nt,
                 p.geometry.rev_primer.size(), o.mapping.c_str());
    std::fprintf(stderr, "  bases       %llu\n", (unsigned long long)s.total_nt);
    std::fprintf(stderr,
                 "  density     %.3f bits/nt in the payload region, %.3f bits/nt with primers\n",
                 s.bits_per_nt_payload, s.bits_per_nt_total);
    if (v2) {
      std::fprintf(stderr,
                   "  redundancy  format v2 product code: %llu block(s) of rows RS(%d,%d) x "
                   "columns RS(%d,%d) (%.1f%% parity)\n",
                   (unsigned long long)s.blocks, p.rs_k + p.rs_p, p.rs_k,
                   p.data_rows + p.row_parity, p.data_rows, 100.0 * s.parity_fraction);
    } else {
      std::fprintf(stderr,
                   "  redundancy  RS over GF(256), %d parity per %d-oligo codeword (%.1f%%)",
                   p.rs_p, p.rs_k + p.rs_p, 100.0 * s.parity_fraction);
      if (s.smallest_codeword_n && s.smallest_codeword_n != p.rs_k + p.rs_p)
        std::fprintf(stderr, "; last codeword %d parity of %d", s.smallest_codeword_p,
                     s.smallest_codeword_n);
      std::fprintf(stderr,
                   "\n  loss        each codeword survives the loss of as many oligos as it has "
                   "parity;\n              random loss of up to %.1f%% of oligos decodes with >= "
                   "99%% probability\n",
                   100.0 * tol);
    }
    std::fprintf(stderr, "  time        %.2f s (%.1f MB/s)\n", s.seconds,
                 s.seconds > 0 ? p.file_size / s.seconds / 1e6 : 0.0);
  }
  if (!o.json_path.empty()) {
    nlohmann::json j = {
        {"input", o.input},
        {"output", output},
        {"file_size", p.file_size},
        {"hash_xxh3_128", HashHex(p.hash)},
        {"oligos",
         {{"total", s.total_oligos},
          {"data", s.data_oligos},
          {"parity", s.parity_oligos},
          {"header", s.header_oligos}}},
        {"oligo_length_nt", p.geometry.length_nt()},
        {"payload_nt", p.geometry.payload_nt},
        {"primers", {p.geometry.fwd_primer, p.geometry.rev_primer}},
        {"mapping", o.mapping},
        {"total_nt", s.total_nt},
        {"bits_per_nt_payload", s.bits_per_nt_payload},
        {"bits_per_nt_total", s.bits_per_nt_total},
        {"rs", {{"n", p.rs_k + p.rs_p}, {"k", p.rs_k}, {"parity_fraction", s.parity_fraction}}},
        {"data_bytes_per_oligo", p.data_bytes},
        {"index_bits", p.index_bits},
        {"format_version", p.version},
        {"product", v2 ? nlohmann::json{{"blocks", s.blocks},
                                        {"row_n", p.rs_k + p.rs_p},
                                        {"row_k", p.rs_k},
                                        {"column_n", p.data_rows + p.row_parity},
                                        {"column_k", p.data_rows}}
                       : nlohmann::json(nullptr)},
        {"random_loss_tolerance_99", v2 ? nlohmann::json(nullptr) : nlohmann::json(tol)},
        {"seconds", s.seconds},
    };
    auto json_path = files->Stage(o.json_path);
    if (!json_path.ok()) return ReportError("encode", json_path.status());
    Status js = WriteTextFile(*json_path, j.dump(2) + "\n");
    if (!js.ok()) return ReportError("encode", files->Explain(js));
  }
  if (Status cs = files->CommitAll(); !cs.ok()) return ReportError("encode", cs);
  return 0;
}

}  // namespace

void RegisterEncode(CLI::App& app, RunFn& run) {
  auto o = std::make_shared<EncodeCliOptions>();
  auto* cmd =
      app.add_subcommand("encode", "Encode a file into a self-describing oligo pool (FASTA)");
  cmd->add_option("input", o->input, "File to encode ('-' = stdin)")->required();
  cmd->add_option("-o,--output", o->output,
                  "Pool FASTA to write (default INPUT.fasta; '-' = stdout)");
  cmd->add_option("--redundancy", o->redundancy,
                  "Parity fraction of each 255-oligo codeword (default from --preset)")
      ->check(FiniteIn(0, 1, /*open=*/true));
  cmd->add_option("--preset", o->preset,
                  "Density preset: dense (p=30), balanced (p=45, default), robust (p=85)");
  cmd->add_option("--oligo-length", o->oligo_length, "Total oligo length in nt, primers included")
      ->capture_default_str();
  cmd->add_option("--primers", o->primers, "PCR primers FWD,REV (5'->3'); default built-in pair");
  cmd->add_option("--mapping", o->mapping,
                  "Base mapping: direct (2 bits/nt) or transition (TdT-safe)")
      ->capture_default_str();
  cmd->add_option("--max-homopolymer", o->max_homopolymer, "Longest allowed run of one base")
      ->capture_default_str();
  cmd->add_option("--gc-min", o->gc_min, "Minimum GC content per oligo (percent or fraction)")
      ->capture_default_str()
      ->check(FiniteIn(0, 100));
  cmd->add_option("--gc-max", o->gc_max, "Maximum GC content per oligo (percent or fraction)")
      ->capture_default_str()
      ->check(FiniteIn(0, 100));
  cmd->add_option("--stripe-blocks", o->stripe_blocks, "Codewords per stripe (memory/speed)")
      ->capture_default_str();
  cmd->add_option("--header-copies", o->header_copies, "Copies of each header oligo")
      ->capture_default_str();
  cmd->add_option("--format", o->format,
                  "Archive format: 1 (RS(255) stripes) or 2 (two-level RS product code, "
                  "docs/format_v2.md)")
      ->capture_default_str()
      ->check(CLI::IsMember({1, 2}));
  cmd->add_option("--json", o->json_path, "Write a JSON summary to FILE ('-' = stdout)");
  cmd->add_option("--order-sheet", o->order_sheet,
                  "Also write a Name,Sequence CSV for a synthesis vendor");
  AddCommonOptions(cmd, o->common, false);
  AddForceOption(cmd, o->common);
  cmd->callback([&run, o] { run = [o] { return RunEncode(*o); }; });
}

}  // namespace dnastore::cli
