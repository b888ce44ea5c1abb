#include "codec/payload_source.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>

#include "core/dna.h"

namespace dnastore {
namespace {

// Records as forward-strand sequences (see ForEachCleanBatch).
std::vector<std::string> OrientRecords(const ReadBatch& batch, const OligoGeometry& g,
                                       tbb::task_arena& arena) {
  const std::string rev_rc = ReverseComplement(g.rev_primer);
  const size_t total = static_cast<size_t>(g.length_nt());
  std::vector<std::string> oriented(batch.size());
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, batch.size(), 512), [&](const auto& r) {
      for (size_t i = r.begin(); i != r.end(); ++i) {
        std::string s = NormalizeBases(batch[i].seq);
        if (s.size() == total && s.compare(s.size() - rev_rc.size(), rev_rc.size(), rev_rc) != 0 &&
            s.compare(0, g.fwd_primer.size(), g.fwd_primer) != 0)
          s = ReverseComplement(s);
        oriented[i] = std::move(s);
      }
    });
  });
  return oriented;
}

// Adds the counts of one front-end pass (`ok`: it succeeded) to `tally`.
void AddPass(const FrontEndStats& stats, bool ok, FrontEndTally* tally) {
  ++tally->passes;
  if (stats.payload_nt_estimated > 0) tally->payload_nt_estimated = stats.payload_nt_estimated;
  tally->errors = stats;
  tally->seconds += stats.seconds;
  tally->bytes_spilled += stats.bytes_spilled;
  tally->deferred_peak_bytes = std::max(tally->deferred_peak_bytes, stats.deferred_peak_bytes);
  tally->partition_groups = std::max(tally->partition_groups, stats.partition_groups);
  if (!ok) return;
  tally->have_counts = true;
  tally->records = stats.reads_total;
  tally->reads_junk = stats.reads_junk;
  tally->reads_dropped = stats.reads_dropped;
  tally->reads_deferred = stats.reads_deferred;
  tally->clusters = stats.clusters;
  tally->coverage_histogram = stats.coverage_histogram;
}

}  // namespace

Status ForEachCleanBatch(FirstRecords first, const std::vector<std::string>& inputs,
                         const OligoGeometry& g, tbb::task_arena& arena,
                         const CleanBatchFn& consume) {
  ReadBatch batch = std::move(first.batch);
  std::unique_ptr<SeqReader> reader = std::move(first.reader);
  if (!reader) {  // a later pass: read from the start
    if (inputs.empty()) return InternalError("clean records read without an input");
    auto opened = SeqReader::Open(inputs[0], arena.max_concurrency());
    if (!opened.ok()) return opened.status();
    reader = std::move(*opened);
    DNASTORE_RETURN_IF_ERROR(reader->Next(batch, kRecordBatch));
  }
  const size_t total = static_cast<size_t>(g.length_nt());
  size_t input = 0;
  std::vector<std::string_view> payloads;
  while (true) {
    const std::vector<std::string> oriented = OrientRecords(batch, g, arena);
    payloads.clear();
    size_t wrong_length = 0;
    for (const auto& s : oriented) {
      if (s.size() != total) {
        ++wrong_length;
        continue;
      }
      payloads.push_back(std::string_view(s).substr(g.fwd_primer.size(), g.payload_nt));
    }
    DNASTORE_RETURN_IF_ERROR(consume(payloads, batch.size(), wrong_length));
    DNASTORE_RETURN_IF_ERROR(reader->Next(batch, kRecordBatch));
    if (batch.empty()) {
      if (++input >= inputs.size()) break;
      auto next = SeqReader::Open(inputs[input], arena.max_concurrency());
      if (!next.ok()) return next.status();
      reader = std::move(*next);
      DNASTORE_RETURN_IF_ERROR(reader->Next(batch, kRecordBatch));
    }
  }
  return Status::Ok();
}

void FrontEndTally::ApplyTo(DecodeReport* report) const {
  report->front_end_passes = passes;
  report->payload_nt_estimated = payload_nt_estimated;
  report->read_error_rate = errors.error_rate;
  report->primer_error_rate =
      errors.primer_sub_rate + errors.primer_ins_rate + errors.primer_del_rate;
  report->payload_sub_rate = errors.payload_sub_rate;
  report->payload_ins_rate = errors.payload_ins_rate;
  report->payload_del_rate = errors.payload_del_rate;
  report->front_end_seconds = seconds;
  report->bytes_spilled = bytes_spilled;
  report->deferred_peak_bytes = deferred_peak_bytes;
  report->partition_groups = partition_groups;
  if (!have_counts) return;
  report->records = records;
  report->reads_junk = reads_junk;
  report->reads_dropped = reads_dropped;
  report->reads_deferred = reads_deferred;
  report->clusters = clusters;
  report->coverage_histogram = coverage_histogram;
}

Status RunFrontEnd(const DecodeOptions& o, const FrontEndOptions& fo, std::vector<Strand>* strands,
                   FrontEndStats* stats, FrontEndTally* tally) {
  Status st;
  if (!o.paired_r1.empty()) {
    st = ReconstructStrandsPaired(o.paired_r1, o.paired_r2, fo, strands, stats);
    if (st.ok() && !o.inputs.empty()) {
      std::vector<Strand> more;
      FrontEndStats more_stats;
      st = ReconstructStrands(o.inputs, fo, &more, &more_stats);
      strands->insert(strands->end(), more.begin(), more.end());
      stats->reads_total += more_stats.reads_total;
      stats->reads_used += more_stats.reads_used;
      stats->reads_junk += more_stats.reads_junk;
      stats->reads_dropped += more_stats.reads_dropped;
      stats->reads_deferred += more_stats.reads_deferred;
      stats->bytes_spilled += more_stats.bytes_spilled;
      stats->deferred_peak_bytes =
          std::max(stats->deferred_peak_bytes, more_stats.deferred_peak_bytes);
      stats->partition_groups = std::max(stats->partition_groups, more_stats.partition_groups);
      stats->clusters += more_stats.clusters;
    }
  } else {
    st = ReconstructStrands(o.inputs, fo, strands, stats);
  }
  AddPass(*stats, st.ok(), tally);
  return st;
}

}  // namespace dnastore
