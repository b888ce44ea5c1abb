#include "dnastore/decoder.h"

#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include "codec/archive_layout.h"
#include "codec/base_mapper.h"
#include "codec/header_probe.h"
#include "codec/inner_decode.h"
#include "codec/outer_decode.h"
#include "codec/payload_source.h"
#include "codec/slot_store.h"
#include "core/file_util.h"
#include "dnastore/read_front_end.h"
#include "dnastore/seq_io.h"
#include "reads/front_end_profile.h"

namespace dnastore {
namespace {

class Decoder {
 public:
  Decoder(const DecodeOptions& o, const DecodeProgressFn& progress, DecodeReport* r)
      : opts_(o), progress_(progress), report_(r), arena_(std::max(1, o.threads)) {}

  Status Run();

 private:
  Status SetArchive(const ArchiveParams& params);
  // Decodes payloads (primers removed, forward orientation) into the store.
  Status AddPayloads(const std::vector<std::string_view>& payloads);
  Status CleanPass(FirstRecords first);
  Status OuterDecodeAndWrite();
  Status ReadsPass(bool tdt_hint);
  std::string InputNames() const {
    std::string names;
    for (const auto& p : display_inputs_) names += (names.empty() ? "" : ", ") + p;
    if (!opts_.paired_r1.empty())
      names += (names.empty() ? "" : ", ") + opts_.paired_r1 + " + " + opts_.paired_r2;
    return names;
  }
  std::vector<std::string> display_inputs_;
  bool write_partial_ = true;
  Status RunFrontEnd(const FrontEndOptions& fo, std::vector<Strand>* strands, FrontEndStats* stats);

  DecodeOptions opts_;
  std::vector<InputFile> spooled_;  // standard input, spooled so it can be read again
  const DecodeProgressFn& progress_;
  DecodeReport* report_;
  tbb::task_arena arena_;
  MapperCache cache_;
  FrontEndTally tally_;
  std::optional<ArchiveParams> params_;
  std::unique_ptr<PayloadMapper> mapper_;
  std::unique_ptr<ArchiveLayout> layout_;
  std::unique_ptr<SlotStore> store_;
};

Status Decoder::SetArchive(const ArchiveParams& params) {
  std::string err;
  mapper_ = MakeMapper(params.geometry, &err);
  if (!mapper_) return BadInput("archive header describes an unusable geometry: " + err);
  params_ = params;
  layout_ = std::make_unique<ArchiveLayout>(params);
  report_->header_found = true;
  report_->params = params;
  report_->oligos_expected = layout_->total_oligos();
  std::string dir =
      opts_.output_path.empty() || opts_.output_path == "-" ? "." : DirName(opts_.output_path);
  auto scratch = ScratchFile::Create(dir);
  if (!scratch.ok()) return scratch.status();
  store_ = std::make_unique<SlotStore>(params, std::move(*scratch), layout_->total_oligos());
  return Status::Ok();
}

Status Decoder::AddPayloads(const std::vector<std::string_view>& payloads) {
  InnerFrames frames = DecodeInner(payloads, *mapper_, *params_, layout_->total_oligos(), arena_);
  return PlaceFrames(frames, store_.get(), report_);
}

Status Decoder::CleanPass(FirstRecords first) {
  auto consume = [&](const std::vector<std::string_view>& payloads, size_t records,
                     size_t wrong_length) {
    report_->frames_rejected += wrong_length;
    DNASTORE_RETURN_IF_ERROR(AddPayloads(payloads));
    report_->records += records;
    if (progress_) progress_("reading", report_->records, 0);
    return Status::Ok();
  };
  return ForEachCleanBatch(std::move(first), opts_.inputs, params_->geometry, arena_, consume);
}

Status Decoder::OuterDecodeAndWrite() {
  OutputPlan output{opts_.output_path, opts_.force, opts_.partial && write_partial_};
  return dnastore::OuterDecodeAndWrite(*params_, *layout_, *store_, output, progress_, report_);
}

Status Decoder::RunFrontEnd(const FrontEndOptions& fo, std::vector<Strand>* strands,
                            FrontEndStats* stats) {
  Status st = dnastore::RunFrontEnd(opts_, fo, strands, stats, &tally_);
  tally_.ApplyTo(report_);
  return st;
}

Status Decoder::ReadsPass(bool tdt_hint) {
  report_->mode = "reads";
  // Spool standard input so that several attempts can read it.
  // Attempts: (primers, collapse). Known header params fix both.
  struct Attempt {
    std::string fwd, rev;
    bool collapse;
    int payload_nt;
  };
  std::vector<Attempt> attempts;
  if (params_) {
    const OligoGeometry& g = params_->geometry;
    attempts.push_back(
        {g.fwd_primer, g.rev_primer, g.mapping == Mapping::kTransition, g.payload_nt});
  } else {
    std::vector<std::pair<std::string, std::string>> primer_sets;
    if (!opts_.fwd_primer.empty()) primer_sets.push_back({opts_.fwd_primer, opts_.rev_primer});
    primer_sets.push_back({kDefaultFwdPrimer, kDefaultRevPrimer});
    primer_sets.push_back({"", ""});  // inferred from the reads
    for (const auto& ps : primer_sets)
      for (bool collapse : {tdt_hint, !tdt_hint})
        attempts.push_back({ps.first, ps.second, collapse, 0});
  }
  Status last = Unrecoverable("no dnastore archive header found in " + InputNames());
  for (const Attempt& a : attempts) {
    FrontEndOptions fo;
    fo.fwd_primer = a.fwd;
    fo.rev_primer = a.rev;
    fo.collapse_homopolymers = a.collapse;
    fo.payload_nt = a.payload_nt;
    fo.threads = std::max(1, opts_.threads);
    // Terminator-free TdT: primers are ligated (error-free), so the error rate
    // estimated from them says nothing about the payload, where missed
    // cycles leave ~5% deletions after run collapsing (channel docs).
    if (a.collapse) fo.error_rate = kTdtCollapsedErrorRate;
    // Without the archive's parameters, the header is looked for while the
    // consensus stage runs (chunk by chunk), so that the payload length is
    // known for the rest and one pass over the reads suffices.
    const Mapping mapping = a.collapse ? Mapping::kTransition : Mapping::kDirect;
    auto probe = std::make_unique<StrandHeaderProbe>(cache_, mapping);
    if (!params_) {
      fo.resolve_payload_nt = [&](const std::vector<Strand>& chunk, const std::string& fwd) {
        return probe->Offer(chunk, fwd);
      };
    }
    std::vector<Strand> strands;
    FrontEndStats stats;
    if (progress_) progress_("clustering", 0, 0);
    Status st = RunFrontEnd(fo, &strands, &stats);
    if (st.ok() && !params_ && !probe->settled() && probe->chunks_seen() > 0 &&
        stats.payload_nt_estimated > 0) {
      // Header strands were seen but not the whole header: the payload-length
      // estimate may be what spoiled the rest; read once more without it.
      fo.estimate_payload_nt = false;
      probe = std::make_unique<StrandHeaderProbe>(cache_, mapping);
      strands.clear();
      stats = FrontEndStats();
      st = RunFrontEnd(fo, &strands, &stats);
    }
    if (!st.ok()) {
      // Reads we cannot even find primers in hold no archive we can read:
      // "not recoverable" (exit 3), not malformed input.
      if (st.code() != ErrorCode::kBadInput || !a.fwd.empty()) return st;
      last = Unrecoverable("no dnastore archive found in " + InputNames() + ": " + st.message());
      continue;
    }
    if (stats.reads_used == 0) continue;
    if (!params_) {
      // One pass was enough when the strands were built with the header's
      // payload length from reads trimmed with its primers; otherwise read
      // again knowing the geometry.
      auto header = probe->header() ? probe->header()
                                    : HeaderFromStrands(cache_, strands, stats.fwd_primer, mapping,
                                                        stats.payload_nt);
      if (!header) continue;
      const bool one_pass = header->geometry.fwd_primer == stats.fwd_primer &&
                            header->geometry.rev_primer == stats.rev_primer &&
                            header->geometry.payload_nt == stats.payload_nt;
      // The header must agree with how we read: transition pools need collapsing.
      if ((header->geometry.mapping == Mapping::kTransition) != a.collapse) continue;
      DNASTORE_RETURN_IF_ERROR(SetArchive(*header));
      if (!one_pass) {
        // The front end then rejects and trims by the true geometry.
        fo.fwd_primer = header->geometry.fwd_primer;
        fo.rev_primer = header->geometry.rev_primer;
        fo.payload_nt = header->geometry.payload_nt;
        fo.resolve_payload_nt = nullptr;
        strands.clear();
        stats = FrontEndStats();
        DNASTORE_RETURN_IF_ERROR(RunFrontEnd(fo, &strands, &stats));
      }
    }
    // Best-supported strands first: they win duplicate indices.
    std::stable_sort(strands.begin(), strands.end(),
                     [](const Strand& x, const Strand& y) { return x.reads > y.reads; });
    std::vector<std::string_view> payloads;
    payloads.reserve(strands.size());
    for (const auto& s : strands) payloads.push_back(s.seq);
    DNASTORE_RETURN_IF_ERROR(AddPayloads(payloads));
    return OuterDecodeAndWrite();
  }
  return last;
}

Status Decoder::Run() {
  if (opts_.inputs.empty() && opts_.paired_r1.empty()) return UsageError("no input files given");
  display_inputs_ = opts_.inputs;
  for (auto& n : display_inputs_)
    if (n == "-") n = "standard input";
  for (auto& path : opts_.inputs) {
    if (path != "-") continue;
    auto in = InputFile::Open("-");
    if (!in.ok()) return in.status();
    if (in->size() == 0) return BadInput("standard input is empty");
    spooled_.push_back(std::move(*in));
    path = spooled_.back().ReopenPath();
  }
  if (!opts_.output_path.empty() && opts_.output_path != "-") {
    // Fail fast on an output we may not write.
    auto probe = AtomicOutput::Create(opts_.output_path, opts_.force);
    if (!probe.ok()) return probe.status();
  }
  FirstRecords first;
  if (!opts_.inputs.empty()) {
    auto r = SeqReader::Open(opts_.inputs[0]);
    if (!r.ok()) return r.status();
    first.reader = std::move(*r);
    DNASTORE_RETURN_IF_ERROR(first.reader->Next(first.batch, kRecordBatch));
    if (first.batch.empty()) return BadInput(opts_.inputs[0] + ": no sequences");
  }
  const FirstBatchFindings found =
      ProbeFirstBatch(first.batch, first.reader && !opts_.force_reads_mode, cache_);
  if (found.header) {
    DNASTORE_RETURN_IF_ERROR(SetArchive(*found.header));
    // Designed oligos (a pool file, or perfect reads): decode every record
    // directly. Sequencer reads with errors go through clustering and
    // consensus instead, which is also the fallback when this fails.
    if (found.designed_oligos) {
      report_->mode = "strands";
      DNASTORE_RETURN_IF_ERROR(CleanPass(std::move(first)));
      // A partial file is written only by the last attempt.
      write_partial_ = false;
      Status st = OuterDecodeAndWrite();
      write_partial_ = true;
      if (st.code() != ErrorCode::kUnrecoverable) return st;
      // Retry as sequencer reads (clustering + consensus) with a fresh store;
      // keep the first attempt in case the retry does no better.
      std::unique_ptr<SlotStore> first_store = std::move(store_);
      const DecodeReport first_report = *report_;
      DNASTORE_RETURN_IF_ERROR(SetArchive(*params_));
      *report_ = DecodeReport();
      report_->header_found = true;
      report_->params = *params_;
      report_->oligos_expected = layout_->total_oligos();
      Status reads = ReadsPass(false);
      if (reads.code() != ErrorCode::kUnrecoverable || !report_->output_path.empty() ||
          (!opts_.partial && !report_->missing.empty()))
        return reads;
      // The retry found nothing better: report (and, with --partial, write)
      // the first attempt.
      store_ = std::move(first_store);
      *report_ = first_report;
      return OuterDecodeAndWrite();
    }
  }
  return ReadsPass(found.tdt_like);
}

}  // namespace

Status DecodeFile(const DecodeOptions& options, const DecodeProgressFn& progress,
                  DecodeReport* report) {
  const auto start = std::chrono::steady_clock::now();
  DecodeReport local;
  DecodeReport* r = report ? report : &local;
  *r = DecodeReport();
  Decoder decoder(options, progress, r);
  Status st = decoder.Run();
  r->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return st;
}

}  // namespace dnastore
