#include "codec/decode_attempts.h"

#include <tbb/task_arena.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iterator>
#include <memory>
#include <utility>

#include "codec/archive_header.h"
#include "codec/archive_layout.h"
#include "codec/base_mapper.h"
#include "codec/index_votes.h"
#include "codec/inner_decode.h"
#include "codec/outer_decode.h"
#include "codec/slot_store.h"
#include "core/file_util.h"
#include "reads/front_end_profile.h"
#include "reads/primer_trim.h"

namespace dnastore {
namespace {

// `a` reading the archive `header` the way its geometry says.
DecodeAttempt WithHeader(DecodeAttempt a, const ArchiveParams& header) {
  const OligoGeometry& g = header.geometry;
  a.header = header;
  a.fwd_primer = g.fwd_primer;
  a.rev_primer = g.rev_primer;
  a.collapse_runs = g.mapping == Mapping::kTransition;
  a.payload_nt = g.payload_nt;
  return a;
}

// The reads attempt with the header's geometry, preceded by a provisional
// strands attempt when the first records are designed oligos.
std::vector<DecodeAttempt> KnownHeaderAttempts(const ArchiveParams& header, bool designed,
                                               bool primers_removed) {
  DecodeAttempt reads = WithHeader(DecodeAttempt(), header);
  reads.primers_removed = primers_removed;
  if (!designed || primers_removed) return {reads};
  DecodeAttempt strands;
  strands.source = DecodeAttempt::Source::kStrands;
  strands.header = header;
  strands.provisional = true;
  return {strands, reads};
}

// Everything the decode of one archive needs once its header is known.
struct ArchiveState {
  ArchiveParams params;
  std::unique_ptr<PayloadMapper> mapper;
  std::unique_ptr<ArchiveLayout> layout;
  std::unique_ptr<SlotStore> store;
  HeaderPayloads header_payloads;   // this archive's header oligos, between the primers
  HeaderAssembler census;           // every header frame the attempt saw (mixed archives)
  bool either_orientation = false;  // primers removed: strands of either orientation
  // Reads mode: the reads whose payloads are valid frames, placed by index.
  std::unique_ptr<IndexVotes> votes;
};

// Reads mode with the archive known before a pass: reads that are valid
// frames are placed by their index, not clustered (index_votes.h); the
// others wait for a second look within what the memory budget leaves after
// the votes (DecodeOptions::memory_bytes). kUsage when the votes alone do
// not fit.
Status PlaceVerifiedReads(ArchiveState* s, const DecodeOptions& o, FrontEndOptions* fo) {
  const uint64_t budget = o.memory_bytes > 0 ? o.memory_bytes : DefaultMemoryBudget();
  const uint64_t votes_bytes =
      IndexVotes::BytesFor(s->layout->total_oligos(), s->params.data_bytes);
  if (votes_bytes + kDecodeMemoryReserve + kMinDeferredBytes > budget)
    return UsageError(
        "this archive's " + std::to_string(s->layout->total_oligos()) +
        " oligos need a memory budget of at least " +
        std::to_string((votes_bytes + kDecodeMemoryReserve + kMinDeferredBytes) >> 20) +
        " MiB (--memory), " + std::to_string(budget >> 20) + " MiB given");
  fo->deferred_memory_bytes = budget - votes_bytes - kDecodeMemoryReserve;
  // The reads left for clustering take the same share after the look
  // (partitions are filled as the waiting reads drain).
  fo->cluster_memory_bytes = fo->deferred_memory_bytes;
  if (o.spill_after_bytes > 0)
    fo->deferred_memory_bytes = std::min(fo->deferred_memory_bytes, o.spill_after_bytes);
  fo->scratch_dir = o.tmp_dir;
  s->votes = std::make_unique<IndexVotes>(s->params, *s->mapper, s->layout->total_oligos(),
                                          s->header_payloads, s->either_orientation);
  IndexVotes* votes = s->votes.get();
  fo->take_read = [votes](std::string_view payload) { return votes->Offer(payload); };
  fo->drop_before_clustering = [votes](std::string_view payload) { return votes->Covers(payload); };
  fo->all_reads_offered = [votes] { votes->Seal(); };
  return Status::Ok();
}

// Whether the frames of two archives look alike to the inner decode: same
// payload length and mapping, same frame layout.
bool SameFrames(const ArchiveParams& a, const ArchiveParams& b) {
  return a.geometry.payload_nt == b.geometry.payload_nt &&
         a.geometry.mapping == b.geometry.mapping && a.data_bytes == b.data_bytes &&
         a.index_bits == b.index_bits;
}

enum class AttemptEnd : uint8_t {
  kNoArchive,        // no archive this way; status says why when the front end could tell
  kHeaderUnsettled,  // header strands seen, the payload length never settled
  kOtherArchive,     // the input holds more of (or --archive names) another archive: switch_to
  kDone,             // the archive was found (or an error stopped us): status is the outcome
};

struct AttemptResult {
  AttemptEnd end = AttemptEnd::kDone;
  Status status;
  DecodeReport report;  // this attempt's part, with the front-end tally so far
  std::unique_ptr<ArchiveState> archive;
  std::optional<ArchiveParams> switch_to;  // kOtherArchive: the archive to decode instead
  std::vector<ArchiveParams> others;       // the other archives seen, best-supported first
  std::vector<uint64_t> digests;           // donor attempts: the frames learnt
  bool donor = false;
};

// Ends the attempt in *r and returns false, so that `return Stop(...)` stops
// the caller.
bool Stop(AttemptResult* r, AttemptEnd end, Status status = Status::Ok()) {
  r->end = end;
  r->status = std::move(status);
  return false;
}

// Whether an unrecoverable later attempt replaces an unrecoverable
// provisional one: when it wrote a partial file, or (without --partial)
// when it says which bytes are missing.
bool Supersedes(const DecodeReport& later, bool partial) {
  return !later.output_path.empty() || (!partial && !later.missing.empty());
}

FrontEndOptions FrontEndOptionsFor(const DecodeAttempt& a, const DecodeOptions& o) {
  FrontEndOptions fo;
  if (o.primer_search_slack_nt >= 0) fo.primer_search_slack_nt = o.primer_search_slack_nt;
  fo.fwd_primer = a.fwd_primer;
  fo.rev_primer = a.rev_primer;
  fo.collapse_homopolymers = a.collapse_runs;
  fo.primers_removed = a.primers_removed;
  fo.payload_nt = a.payload_nt;
  fo.estimate_payload_nt = a.estimate_payload_nt;
  fo.infer_primer_nt = 0;  // primers inferred: any length the format allows
  fo.threads = std::max(1, o.threads);
  // Terminator-free TdT: primers are ligated (error-free), so the error rate
  // estimated from them says nothing about the payload, where missed
  // cycles leave ~5% deletions after run collapsing (channel docs).
  if (a.collapse_runs) fo.error_rate = kTdtCollapsedErrorRate;
  if (o.error_rate > 0) fo.error_rate = o.error_rate;
  // Clustering within the budget (PlaceVerifiedReads takes the votes' share
  // off).
  const uint64_t budget = o.memory_bytes > 0 ? o.memory_bytes : DefaultMemoryBudget();
  fo.cluster_memory_bytes = WithoutReserve(budget);
  fo.scratch_dir = o.tmp_dir;
  return fo;
}

// `a` made to decode the archive `header`, whatever else it sees.
DecodeAttempt Retarget(DecodeAttempt a, const ArchiveParams& header) {
  a = WithHeader(std::move(a), header);
  a.archive_chosen = true;
  a.only_if_header_unsettled = false;
  return a;
}

// Marks kSetAside the data frames that another archive of the input holds
// at their index (its frames learnt by a donor attempt); PlaceFrames drops
// them, or lets them fill gaps as suspects (set_aside_fills_gaps_).
void SetAsideOtherArchives(const std::vector<std::vector<uint64_t>>& excluded, InnerFrames* batch) {
  if (excluded.empty()) return;
  const size_t d = static_cast<size_t>(batch->data_bytes);
  for (size_t i = 0; i < batch->frames.size(); ++i) {
    InnerFrame& f = batch->frames[i];
    if (f.kind != InnerFrame::kData) continue;
    const uint64_t digest = FrameDigest(batch->data.data() + i * d, d);
    for (const std::vector<uint64_t>& other : excluded) {
      if (f.index >= other.size() || other[f.index] != digest) continue;
      f.kind = InnerFrame::kSetAside;
      break;
    }
  }
}

// A failure with other archives' reads present says what they may have
// cost: format v1 data oligos carry no archive tag, so those of the same
// geometry take this archive's indices unless their archive decoded and
// its frames were set aside.
Status ExplainMixed(const DecodeReport& report, Status st) {
  if (st.ok() || report.other_archives.empty()) return st;
  const std::string others = std::to_string(report.other_archives.size()) + " other archive(s)";
  if (report.frames_other_archives > 0)
    return Status(st.code(), st.message() + " (reads of " + others + " are present; " +
                                 std::to_string(report.frames_other_archives) +
                                 " of their data frames were set aside)");
  return Status(st.code(), st.message() + " (reads of " + others +
                               " are present, and their data oligos compete for this archive's "
                               "oligo indices)");
}

// Runs attempts, each with fresh state; shares only the input, the worker
// threads, the candidate mappers and the front-end tally between them.
class AttemptRunner {
 public:
  AttemptRunner(DecodeInput input, const DecodeProgressFn& progress)
      : input_(std::move(input)),
        progress_(progress),
        arena_(std::max(1, input_.options.threads)) {}

  const DecodeOptions& options() const { return input_.options; }
  const std::string& names() const { return input_.names; }
  FirstBatchFindings ProbeFirstRecords() {
    const bool look = input_.first.reader && !input_.options.force_reads_mode;
    FirstBatchFindings found = ProbeFirstBatch(input_.first.batch, look, cache_);
    std::vector<std::string> primers = {input_.options.fwd_primer, input_.options.rev_primer,
                                        kDefaultFwdPrimer, kDefaultRevPrimer};
    if (found.header)
      primers.insert(primers.end(),
                     {found.header->geometry.fwd_primer, found.header->geometry.rev_primer});
    // Custom primers look absent too; primer-less reads also have no
    // conserved ends to infer primers from.
    found.primers_absent = PrimersAbsent(input_.first.batch, primers) &&
                           !InferPrimersOfLength(input_.first.batch, kMinInferredPrimerNt).ok();
    // A large pool: its header reads are further on. Knowing the header
    // before the pass lets reads be placed by their index.
    if (look && !found.header && input_.first.batch.size() >= kRecordBatch) ScanFurther(&found);
    return found;
  }
  // Reads records past the first batch for the header (ScanForHeader).
  void ScanFurther(FirstBatchFindings* found) {
    constexpr uint64_t kMaxScan = 8 << 20;
    Result<HeaderInRecords> scan =
        ScanForHeader(input_.first.batch, input_.options.inputs, cache_, kMaxScan);
    if (!scan.ok() || !scan->header) return;  // reading errors surface in the attempts
    found->header = std::move(scan->header);
    found->fwd_primer = std::move(scan->fwd_primer);
    found->rev_primer = std::move(scan->rev_primer);
    found->primers_removed = scan->primers_removed;
    found->designed_oligos = false;  // the first batch had no header: reads
  }
  // Inferring primers is pointless once known primers were found in nearly
  // all reads: inference would find the same ones, and the reads again hold
  // no archive (junk with valid primers must not cost a pass per primer set).
  // Nor is a pass with primers an earlier pass found in hardly any read
  // (collapsing runs, the other variant, does not change where primers are).
  bool Pointless(const DecodeAttempt& a) const {
    if (a.primers_removed) return known_primers_matched_;
    if (a.fwd_primer.empty()) return !a.header && known_primers_matched_;
    return std::find(primers_absent_.begin(), primers_absent_.end(),
                     std::make_pair(a.fwd_primer, a.rev_primer)) != primers_absent_.end();
  }
  AttemptResult Run(const DecodeAttempt& a) {
    AttemptResult r = RunPeeling(a);
    // Reads placed by index leave only noisy reads to clustering, which
    // loses a little at the coverage threshold: an unrecoverable result is
    // tried again with every read clustered, as before placement existed.
    if (r.status.code() == ErrorCode::kUnrecoverable && r.archive && r.archive->votes) {
      place_by_index_ = false;
      r = RunPeeling(a);
      place_by_index_ = true;
    }
    tally_.ApplyTo(&r.report);
    return r;
  }
  AttemptResult RunPeeling(const DecodeAttempt& a) {
    AttemptResult r = RunOnce(a);
    if (Peel(a, r)) {
      r = RunOnce(a);
      // Archives may hold identical frames (versions of one file): the
      // frames set aside may fill this archive's gaps after all.
      if (r.status.code() == ErrorCode::kUnrecoverable) {
        set_aside_fills_gaps_ = true;
        r = RunOnce(a);
        set_aside_fills_gaps_ = false;
      }
    }
    return r;
  }
  // Decodes a kept provisional result's slots again, now writing what
  // --partial asks for; one that never opened its archive keeps its status.
  void Finish(AttemptResult* kept) {
    if (kept->archive) kept->status = ExplainMixed(kept->report, OuterDecode(true, kept));
  }

 private:
  Status OpenArchive(const ArchiveParams& params, AttemptResult* r);
  AttemptResult RunOnce(const DecodeAttempt& a) {
    return a.source == DecodeAttempt::Source::kStrands ? RunStrands(a) : RunReads(a);
  }
  bool Peel(const DecodeAttempt& a, const AttemptResult& r);
  AttemptResult RunStrands(const DecodeAttempt& a);
  AttemptResult RunReads(const DecodeAttempt& a);
  bool ReadStrands(const DecodeAttempt& a, std::vector<Strand>* strands, AttemptResult* r);
  bool AdoptHeader(const DecodeAttempt& a, StrandHeaderProbe& probe, FrontEndOptions fo,
                   std::vector<Strand>* strands, FrontEndStats* stats, AttemptResult* r);
  bool SettleArchive(const DecodeAttempt& a, AttemptResult* r);
  // `quals`: consensus confidences of the payloads (strands), for repairs.
  Status DecodePayloads(const std::vector<std::string_view>& payloads, AttemptResult* r,
                        const std::vector<std::string_view>* quals = nullptr);
  Status OuterDecode(bool may_write_partial, AttemptResult* r);

  DecodeInput input_;
  const DecodeProgressFn& progress_;
  tbb::task_arena arena_;
  MapperCache cache_;
  FrontEndTally tally_;
  bool known_primers_matched_ = false;  // given or built-in primers in >= 90% of the reads
  // Frame digests by oligo index of other archives in the input, decoded as
  // donors: their frames are set aside.
  std::vector<std::vector<uint64_t>> excluded_;
  bool set_aside_fills_gaps_ = false;  // PlaceFrames' set_aside_fills_gaps
  bool place_by_index_ = true;         // reads attempts: PlaceVerifiedReads
  std::vector<std::pair<std::string, std::string>> primers_absent_;  // in <= 1% of the reads
};

// A header read from the input is checked against the input before anything
// is allocated for it (a byte per claimed oligo): a crafted header claiming
// a terabyte must not meet a kilobyte of reads. Whitened bases carry at
// least log2(3) bits each and no sequence file stores a record's payload in
// much fewer bits than that, but CRAM against a reference, BAM's 4-bit
// packing of a transition pool and --partial on a fraction of the reads all
// go below 2 bits/nt; the bound (1/8 bit per claimed payload nt) refuses
// only claims no input of this size can back.
Status CheckClaimAgainstInput(const ArchiveParams& params, const ArchiveLayout& layout,
                              uint64_t input_bytes) {
  const double min_bytes =
      static_cast<double>(layout.data_oligos()) * params.geometry.payload_nt / 64.0;
  if (input_bytes == 0 || static_cast<double>(input_bytes) >= min_bytes) return Status::Ok();
  return Unrecoverable("the archive header describes a " + std::to_string(params.file_size) +
                       "-byte file in " + std::to_string(layout.data_oligos()) +
                       " data oligos, more than " + std::to_string(input_bytes) +
                       " bytes of input can hold");
}

Status AttemptRunner::OpenArchive(const ArchiveParams& params, AttemptResult* r) {
  auto state = std::make_unique<ArchiveState>();
  std::string err;
  state->mapper = MakeMapper(params.geometry, &err);
  if (!state->mapper) return BadInput("archive header describes an unusable geometry: " + err);
  state->params = params;
  state->layout = std::make_unique<ArchiveLayout>(params);
  DNASTORE_RETURN_IF_ERROR(CheckClaimAgainstInput(params, *state->layout, input_.input_bytes));
  if (auto oligos = HeaderOligos(params, *state->mapper); oligos.ok()) {
    const size_t fwd = params.geometry.fwd_primer.size();
    for (const std::string& o : *oligos)
      state->header_payloads.Add(o.substr(fwd, params.geometry.payload_nt));
  }
  r->report.header_found = true;
  r->report.params = params;
  r->report.oligos_expected = state->layout->total_oligos();
  const std::string& out = input_.options.output_path;
  auto scratch = ScratchFile::Create(out.empty() || out == "-" ? "." : DirName(out));
  if (!scratch.ok()) return scratch.status();
  state->store =
      std::make_unique<SlotStore>(params, std::move(*scratch), state->layout->total_oligos());
  r->archive = std::move(state);
  return Status::Ok();
}

Status AttemptRunner::DecodePayloads(const std::vector<std::string_view>& payloads,
                                     AttemptResult* r, const std::vector<std::string_view>* quals) {
  ArchiveState& s = *r->archive;
  InnerFrames frames = DecodeInner(payloads, *s.mapper, s.params, s.layout->total_oligos(),
                                   s.header_payloads, arena_, s.either_orientation, quals);
  for (const HeaderChunk& c : frames.header_chunks) s.census.Add(c);
  SetAsideOtherArchives(excluded_, &frames);
  return PlaceFrames(frames, s.store.get(), &r->report, set_aside_fills_gaps_);
}

Status AttemptRunner::OuterDecode(bool may_write_partial, AttemptResult* r) {
  const DecodeOptions& o = input_.options;
  OutputPlan output{o.output_path, o.force, o.partial && may_write_partial, input_.original_inputs,
                    o.other_files};
  output.discard = r->donor;
  if (r->donor) output.frame_digests = &r->digests;
  ArchiveState& s = *r->archive;
  return OuterDecodeAndWrite(s.params, *s.layout, *s.store, output, progress_, &r->report);
}

// A decode that failed among other archives' reads of the same frame
// layout: each of them is decoded as a donor (written nowhere), and the
// frames of those that decode are set aside in a new run of `a`. Returns
// whether there is something new to set aside.
bool AttemptRunner::Peel(const DecodeAttempt& a, const AttemptResult& r) {
  if (a.donor || !r.archive || r.status.code() != ErrorCode::kUnrecoverable) return false;
  bool learnt = false;
  for (const ArchiveParams& other : r.others) {
    if (!SameFrames(other, r.archive->params)) continue;
    DecodeAttempt d = Retarget(a, other);
    d.donor = true;
    d.provisional = false;
    AttemptResult got = RunOnce(d);
    if (!got.status.ok()) continue;
    excluded_.push_back(std::move(got.digests));
    learnt = true;
  }
  return learnt;
}

// Once every payload was seen: the archive the input holds most of (or
// --archive names) is decoded, the others are listed in the report. Returns
// false, ending the attempt, when that is not the archive this attempt
// opened (then r->switch_to says which) or none matches --archive.
bool AttemptRunner::SettleArchive(const DecodeAttempt& a, AttemptResult* r) {
  const ArchiveState& s = *r->archive;
  const std::vector<AssembledHeader> found = s.census.AssembleAll();
  Result<AssembledHeader> chosen = ChooseArchive(found, s.params, input_.options.archive);
  if (!chosen.ok()) return Stop(r, AttemptEnd::kDone, chosen.status());
  r->report.archive_id = chosen->id;
  for (const AssembledHeader& h : found) {
    if (h.id == chosen->id) continue;
    r->report.other_archives.push_back({h.id, h.params.file_name, h.params.file_size, h.frames});
    r->others.push_back(h.params);
  }
  if (a.archive_chosen || chosen->id == ArchiveId(s.params)) return true;
  r->switch_to = chosen->params;
  return Stop(r, AttemptEnd::kOtherArchive);
}

// Designed oligos (a pool file, or perfect reads): every record decoded
// directly.
AttemptResult AttemptRunner::RunStrands(const DecodeAttempt& a) {
  AttemptResult r;
  r.donor = a.donor;
  Status st = OpenArchive(*a.header, &r);
  if (!st.ok()) {
    Stop(&r, AttemptEnd::kDone, st);
    return r;
  }
  r.report.mode = "strands";
  auto consume = [&](const std::vector<std::string_view>& payloads, size_t records,
                     size_t wrong_length) {
    r.report.frames_rejected += wrong_length;
    DNASTORE_RETURN_IF_ERROR(DecodePayloads(payloads, &r));
    r.report.records += records;
    if (progress_) progress_("reading", r.report.records, 0);
    return Status::Ok();
  };
  st = ForEachCleanBatch(std::move(input_.first), input_.options.inputs, a.header->geometry, arena_,
                         consume);
  input_.first = FirstRecords();  // consumed: a later strands pass reads from the start
  if (!st.ok()) {
    Stop(&r, AttemptEnd::kDone, st);
    return r;
  }
  if (SettleArchive(a, &r)) r.status = ExplainMixed(r.report, OuterDecode(!a.provisional, &r));
  return r;
}

// Sequencer reads: front-end pass(es) -> strands -> the archive's slots.
AttemptResult AttemptRunner::RunReads(const DecodeAttempt& a) {
  AttemptResult r;
  r.donor = a.donor;
  if (a.header) {
    Status st = OpenArchive(*a.header, &r);
    if (!st.ok()) {
      Stop(&r, AttemptEnd::kDone, st);
      return r;
    }
    r.archive->either_orientation = a.primers_removed;
  }
  r.report.mode = "reads";
  std::vector<Strand> strands;
  if (!ReadStrands(a, &strands, &r)) return r;
  const auto t0 = std::chrono::steady_clock::now();
  if (r.archive->votes) {  // placed reads first: they win their index
    Status st = r.archive->votes->PlaceInto(r.archive->store.get(), excluded_,
                                            set_aside_fills_gaps_, &r.report);
    if (!st.ok()) {
      Stop(&r, AttemptEnd::kDone, st);
      return r;
    }
  }
  // Best-supported strands first: they win duplicate indices.
  // Ties by content, not input order (reads of mixed archives in any order
  // give the same result).
  std::sort(strands.begin(), strands.end(), [](const Strand& x, const Strand& y) {
    return x.reads != y.reads ? x.reads > y.reads : x.seq < y.seq;
  });
  std::vector<std::string_view> payloads, quals;
  payloads.reserve(strands.size());
  quals.reserve(strands.size());
  for (const auto& s : strands) {
    payloads.push_back(s.seq);
    quals.push_back(s.qual);
  }
  Status st = DecodePayloads(payloads, &r, &quals);
  const auto t1 = std::chrono::steady_clock::now();
  r.report.seconds_place += std::chrono::duration<double>(t1 - t0).count();
  if (!st.ok()) {
    Stop(&r, AttemptEnd::kDone, st);
    return r;
  }
  if (SettleArchive(a, &r)) r.status = ExplainMixed(r.report, OuterDecode(!a.provisional, &r));
  r.report.seconds_outer +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  return r;
}

// The front-end pass of a reads attempt. Without the archive's parameters,
// the header is looked for while the consensus stage runs (chunk by chunk),
// so that the payload length is known for the rest and one pass over the
// reads suffices. Returns false when the attempt ends here.
bool AttemptRunner::ReadStrands(const DecodeAttempt& a, std::vector<Strand>* strands,
                                AttemptResult* r) {
  FrontEndOptions fo = FrontEndOptionsFor(a, input_.options);
  fo.progress = progress_;  // reads taken, then clusters built
  if (r->archive && place_by_index_) {
    Status st = PlaceVerifiedReads(r->archive.get(), input_.options, &fo);
    if (!st.ok()) return Stop(r, AttemptEnd::kDone, st);
  }
  const ProbePrimers primers = a.primers_removed      ? ProbePrimers::kRemoved
                               : a.fwd_primer.empty() ? ProbePrimers::kInferred
                                                      : ProbePrimers::kKnown;
  StrandHeaderProbe probe(cache_, a.collapse_runs ? Mapping::kTransition : Mapping::kDirect,
                          primers);
  if (!a.header) {
    fo.resolve_payload_nt = [&probe](const std::vector<Strand>& chunk, const std::string& fwd,
                                     const std::string& rev) {
      return probe.Offer(chunk, fwd, rev);
    };
  }
  FrontEndStats stats;
  // A retry without the estimate repeats the pass that announced the stage.
  if (progress_ && !a.only_if_header_unsettled) progress_("clustering", 0, 0);
  Status st = RunFrontEnd(input_.options, fo, strands, &stats, &tally_);
  // Known primers in nine reads of ten: the reads are this primer pair's;
  // another archive's few reads would be the mixed-archive case.
  const bool searched = st.ok() && !a.fwd_primer.empty() && !a.primers_removed;
  if (searched && 10 * stats.reads_used >= 9 * stats.reads_total) known_primers_matched_ = true;
  if (searched && 100 * stats.reads_used <= stats.reads_total)
    primers_absent_.push_back({a.fwd_primer, a.rev_primer});
  if (st.ok() && !a.header && a.estimate_payload_nt && !probe.settled() &&
      probe.chunks_seen() > 0 && stats.payload_nt_estimated > 0)
    return Stop(r, AttemptEnd::kHeaderUnsettled);
  if (!st.ok()) {
    // Reads we cannot even find primers in hold no archive we can read:
    // "not recoverable" (exit 3), not malformed input.
    if (st.code() != ErrorCode::kBadInput || !a.fwd_primer.empty())
      return Stop(r, AttemptEnd::kDone, st);
    return Stop(
        r, AttemptEnd::kNoArchive,
        Unrecoverable("no dnastore archive found in " + input_.names + ": " + st.message()));
  }
  if (stats.reads_used == 0) return Stop(r, AttemptEnd::kNoArchive);
  return a.header || AdoptHeader(a, probe, std::move(fo), strands, &stats, r);
}

// Without the header before the pass, it must be among the strands and
// agree with how they were read. One pass was enough when the strands were
// built with the header's payload length from reads trimmed with its
// primers; otherwise the reads are read again knowing the geometry (the
// front end then rejects and trims by it).
bool AttemptRunner::AdoptHeader(const DecodeAttempt& a, StrandHeaderProbe& probe,
                                FrontEndOptions fo, std::vector<Strand>* strands,
                                FrontEndStats* stats, AttemptResult* r) {
  const std::optional<ArchiveParams> header =
      probe.header()
          ? probe.header()
          : probe.HeaderAmong(*strands, stats->fwd_primer, stats->rev_primer, stats->payload_nt);
  if (!header) return Stop(r, AttemptEnd::kNoArchive);
  const OligoGeometry& g = header->geometry;
  // The header must agree with how we read: transition pools need collapsing.
  if ((g.mapping == Mapping::kTransition) != a.collapse_runs)
    return Stop(r, AttemptEnd::kNoArchive);
  Status st = OpenArchive(*header, r);
  if (!st.ok()) return Stop(r, AttemptEnd::kDone, st);
  r->archive->either_orientation = a.primers_removed;
  const bool same_primers =
      a.primers_removed || (g.fwd_primer == stats->fwd_primer && g.rev_primer == stats->rev_primer);
  if (same_primers && g.payload_nt == stats->payload_nt) return true;
  fo.fwd_primer = g.fwd_primer;
  fo.rev_primer = g.rev_primer;
  fo.payload_nt = g.payload_nt;
  fo.resolve_payload_nt = nullptr;
  if (place_by_index_) {
    Status placed = PlaceVerifiedReads(r->archive.get(), input_.options, &fo);
    if (!placed.ok()) return Stop(r, AttemptEnd::kDone, placed);
  }
  strands->clear();
  *stats = FrontEndStats();
  st = RunFrontEnd(input_.options, fo, strands, stats, &tally_);
  return st.ok() || Stop(r, AttemptEnd::kDone, st);
}

}  // namespace

namespace {

// Whether `wanted` (an id prefix of 4+ hex digits, or a file name) names `h`.
bool Names(const std::string& wanted, const AssembledHeader& h) {
  if (wanted == h.params.file_name) return true;
  std::string lower;
  for (char c : wanted)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return lower.size() >= 4 && h.id.starts_with(lower);
}

std::string Describe(const std::vector<AssembledHeader>& archives) {
  std::string out;
  for (const AssembledHeader& h : archives)
    out += (out.empty() ? "" : ", ") + h.id + " '" + h.params.file_name + "'";
  return out.empty() ? "none" : out;
}

}  // namespace

Result<AssembledHeader> ChooseArchive(const std::vector<AssembledHeader>& found,
                                      const ArchiveParams& current, const std::string& wanted) {
  std::vector<AssembledHeader> all = found;
  const std::string current_id = ArchiveId(current);
  if (std::none_of(all.begin(), all.end(), [&](const auto& h) { return h.id == current_id; }))
    all.push_back({current, current_id, 0, 0.0});  // its header came from the first records
  if (wanted.empty()) return all.front();
  std::vector<AssembledHeader> named;
  std::copy_if(all.begin(), all.end(), std::back_inserter(named),
               [&](const auto& h) { return Names(wanted, h); });
  if (named.size() == 1) return named.front();
  if (named.empty())
    return Unrecoverable("no archive '" + wanted +
                         "' among the reads; archives present: " + Describe(all));
  return UsageError("--archive '" + wanted + "' names several archives: " + Describe(named));
}

std::vector<DecodeAttempt> PlanAttempts(const DecodeOptions& options,
                                        const FirstBatchFindings& first) {
  if (first.header)
    return KnownHeaderAttempts(*first.header, first.designed_oligos, first.primers_removed);
  std::vector<std::pair<std::string, std::string>> primer_sets;
  if (!options.fwd_primer.empty()) primer_sets.push_back({options.fwd_primer, options.rev_primer});
  // Primers of a record that held a header chunk (the header was incomplete).
  if (!first.fwd_primer.empty()) primer_sets.push_back({first.fwd_primer, first.rev_primer});
  primer_sets.push_back({kDefaultFwdPrimer, kDefaultRevPrimer});
  primer_sets.push_back({"", ""});                 // inferred from the reads
  for (size_t i = 1; i < primer_sets.size(); ++i)  // each set once
    if (std::find(primer_sets.begin(), primer_sets.begin() + i, primer_sets[i]) !=
        primer_sets.begin() + i)
      primer_sets.erase(primer_sets.begin() + i--);
  // Reads without primers (removed by a lab pipeline): the primers given, or
  // the built-in ones (their last base matters to transition mapping only).
  const std::pair<std::string, std::string> removed =
      options.fwd_primer.empty() ? primer_sets[primer_sets.size() - 2] : primer_sets.front();
  std::vector<DecodeAttempt> with_primers, without;
  for (const auto& [fwd, rev] : primer_sets) {
    for (bool collapse : {first.tdt_like, !first.tdt_like}) {
      DecodeAttempt a;
      a.fwd_primer = fwd;
      a.rev_primer = rev;
      a.collapse_runs = collapse;
      with_primers.push_back(a);
      a.estimate_payload_nt = false;
      a.only_if_header_unsettled = true;
      with_primers.push_back(a);
    }
  }
  for (bool collapse : {first.tdt_like, !first.tdt_like}) {
    DecodeAttempt a;
    a.fwd_primer = removed.first;
    a.rev_primer = removed.second;
    a.primers_removed = true;
    a.collapse_runs = collapse;
    without.push_back(a);
  }
  // Most reads carry no primer we know: try them as payloads first.
  if (first.primers_absent) with_primers.swap(without);
  with_primers.insert(with_primers.end(), without.begin(), without.end());
  return with_primers;
}

Status RunDecodeAttempts(DecodeInput input, const DecodeProgressFn& progress,
                         DecodeReport* report) {
  AttemptRunner runner(std::move(input), progress);
  std::vector<DecodeAttempt> plan = PlanAttempts(runner.options(), runner.ProbeFirstRecords());
  Status no_archive = Unrecoverable("no dnastore archive header found in " + runner.names());
  std::optional<AttemptResult> provisional;
  AttemptResult last;
  for (size_t i = 0; i < plan.size(); ++i) {
    const DecodeAttempt& a = plan[i];
    if (a.only_if_header_unsettled && last.end != AttemptEnd::kHeaderUnsettled) continue;
    if (runner.Pointless(a)) continue;
    last = runner.Run(a);
    if (last.end == AttemptEnd::kOtherArchive) {
      // Mixed archives: this attempt and those after it that would open the
      // same archive decode the chosen one instead. A retargeted attempt
      // never switches again (archive_chosen), so this runs once.
      const std::optional<ArchiveParams> was = a.header;
      for (size_t j = i + 1; j < plan.size(); ++j)
        if (!was || (plan[j].header && ArchiveId(*plan[j].header) == ArchiveId(*was)))
          plan[j] = Retarget(plan[j], *last.switch_to);
      const DecodeAttempt chosen = Retarget(a, *last.switch_to);
      last = runner.Run(chosen);
    }
    if (last.end != AttemptEnd::kDone) {
      if (!last.status.ok()) no_archive = last.status;
      continue;
    }
    const bool unrecoverable = last.status.code() == ErrorCode::kUnrecoverable;
    if (unrecoverable && a.provisional) {
      provisional = std::move(last);
      last = AttemptResult();
      continue;
    }
    if (!unrecoverable || !provisional || Supersedes(last.report, runner.options().partial)) {
      *report = std::move(last.report);
      return last.status;
    }
    break;  // no better than the provisional result
  }
  if (provisional) {
    runner.Finish(&*provisional);
    *report = std::move(provisional->report);
    return provisional->status;
  }
  *report = std::move(last.report);
  return no_archive;
}

}  // namespace dnastore
