#include "dnastore/read_front_end.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <utility>

#include "core/file_util.h"
#include "reads/deferred_reads.h"
#include "reads/front_end_profile.h"
#include "reads/pair_merge.h"
#include "reads/payload_errors.h"
#include "reads/primer_trim.h"
#include "reads/read_cluster.h"
#include "reads/read_consensus.h"

namespace dnastore {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// count[l] = sequences of length l.
void CountLength(size_t length, std::vector<size_t>* count) {
  if (length >= count->size()) count->resize(length + 1, 0);
  ++(*count)[length];
}

// Most common length of a histogram (0 when empty; the shorter on ties).
size_t ModeOf(const std::vector<size_t>& count) {
  return count.empty() ? 0 : std::max_element(count.begin(), count.end()) - count.begin();
}

// Most common payload length (0 when there are none; the shorter on ties).
int ModeLength(const std::vector<PayloadRead>& payloads) {
  std::vector<size_t> count;
  for (const PayloadRead& p : payloads) CountLength(p.seq.size(), &count);
  return static_cast<int>(ModeOf(count));
}

// Designed payload length estimated from a trimmed batch: the mean trimmed
// length near the most common one, divided by the reads' length scale (1 +
// net indel rate) measured on their primer regions (read minus payload,
// against the primers' `primers_nt`). 0 when there is nothing to go on.
int EstimatePayloadLength(const SeqRecord* batch, const std::vector<TrimmedRead>& trimmed,
                          size_t primers_nt) {
  std::vector<size_t> count;
  double span_sum = 0, spans = 0;
  const double primers = static_cast<double>(primers_nt);
  for (size_t i = 0; i < trimmed.size(); ++i) {
    if (trimmed[i].orientation == ReadOrientation::kJunk) continue;
    CountLength(trimmed[i].seq.size(), &count);
    const double span =
        static_cast<double>(batch[i].seq.size()) - static_cast<double>(trimmed[i].seq.size());
    if (span > 1.3 * primers) continue;  // adapters or junk around the primers
    span_sum += span;
    ++spans;
  }
  const size_t mode = ModeOf(count);
  double sum = 0, k = 0;
  for (size_t l = mode * 7 / 10; l < count.size() && l <= mode * 13 / 10; ++l) {
    sum += static_cast<double>(l) * static_cast<double>(count[l]);
    k += static_cast<double>(count[l]);
  }
  const double scale = spans > 0 ? span_sum / spans / primers : 1.0;
  if (mode == 0 || k == 0 || scale <= 0.5) return 0;
  return static_cast<int>(std::lround(sum / k / scale));
}

// Orchestrates the stages on batches. Not thread-safe; parallel inside.
class Pipeline {
 public:
  explicit Pipeline(const FrontEndOptions& o)
      : opt_(o), arena_(std::max(1, o.threads)), deferred_(o.deferred_memory_bytes, o.scratch_dir) {
    stats_.coverage_histogram.assign(FrontEndStats::kCoverageBins, 0);
    stats_.payload_nt = o.payload_nt;
    if (o.cluster_memory_bytes > 0) {
      // A quarter of the budget for the packed reads kept in memory.
      const uint64_t per_partition =
          std::max<uint64_t>(1, o.cluster_memory_bytes / 4 / kClusterPartitions);
      for (size_t p = 0; p < kClusterPartitions; ++p)
        partitions_.emplace_back(per_partition, o.scratch_dir, true);
    }
  }

  static Status Validate(const FrontEndOptions& o) {
    if (o.threads < 1) return UsageError("threads must be >= 1");
    if (o.batch_reads == 0) return UsageError("batch_reads must be > 0");
    if (o.payload_nt < 0) return UsageError("payload length must be >= 0");
    if (o.fwd_primer.empty() != o.rev_primer.empty())
      return UsageError("give both primers or neither (to infer them)");
    if (o.error_rate < 0 || o.error_rate >= 1) return UsageError("error rate must be in [0, 1)");
    if (o.cluster_memory_bytes > 0 || o.deferred_memory_bytes > 0)
      return ScratchFile::CheckDir(o.scratch_dir);
    return Status::Ok();
  }

  Status AddBatch(const std::vector<SeqRecord>& batch) {
    return AddBatch(batch.data(), batch.size());
  }

  // Adds records [recs, recs + n) as one batch (not copied).
  Status AddBatch(const SeqRecord* batch, size_t n) {
    if (n == 0) return Status::Ok();
    DNASTORE_RETURN_IF_ERROR(Prepare(batch, n));
    std::vector<TrimmedRead> trimmed;
    TrimBatch(batch, n, &trimmed);
    return ClusterBatch(std::move(trimmed));
  }

  // Before the first TrimBatch: sets up the primer trimmer from the first
  // batch (primers inferred when not given) and measures the reads' errors
  // on its primers and payloads. Later calls do nothing.
  Status Prepare(const SeqRecord* batch, size_t n) {
    if (trimmer_ || n == 0) return Status::Ok();
    DNASTORE_RETURN_IF_ERROR(Init(batch, n, opt_.payload_nt));
    // Terminator-free TdT reads (runs collapsed) have their own profile.
    if (opt_.collapse_homopolymers) return Status::Ok();
    if (!opt_.primers_removed) {
      const PrimerErrorProfile prof = EstimatePrimerErrors(
          batch, n, trimmer_->options().fwd_primer, trimmer_->options().rev_primer,
          opt_.max_primer_error_fraction, opt_.primer_search_slack_nt);
      stats_.primer_sub_rate = prof.sub;
      stats_.primer_ins_rate = prof.ins;
      stats_.primer_del_rate = prof.del;
    }
    std::vector<TrimmedRead> trimmed(n);
    Trim(batch, n, &trimmed);
    MeasurePayloadErrors(trimmed);
    if (opt_.payload_nt == 0 && opt_.resolve_payload_nt && opt_.estimate_payload_nt) {
      // Designed pools have one payload length. Estimated from the first
      // batch (the consensus length of read groups; else the reads' mean
      // length), it picks primer boundaries, rejects implausible payloads and
      // steers consensus until the header gives the true length.
      payload_hint_ = payload_profile_.payload_nt > 0
                          ? payload_profile_.payload_nt
                          : EstimatePayloadLength(batch, trimmed,
                                                  trimmer_->options().fwd_primer.size() +
                                                      trimmer_->options().rev_primer.size());
      if (payload_hint_ > 0) {
        stats_.payload_nt_estimated = payload_hint_;
        DNASTORE_RETURN_IF_ERROR(Init(batch, n, payload_hint_));
      }
    }
    return Status::Ok();
  }

  // The payload error profile of the first batch (payload_errors.h).
  void MeasurePayloadErrors(const std::vector<TrimmedRead>& trimmed) {
    std::vector<std::string_view> payloads;
    payloads.reserve(trimmed.size());
    for (const TrimmedRead& t : trimmed)
      if (t.orientation != ReadOrientation::kJunk) payloads.push_back(t.seq);
    const double primer_rate =
        stats_.primer_sub_rate + stats_.primer_ins_rate + stats_.primer_del_rate;
    const int k = FrontEndProfileFor(primer_rate).partition_kmer_nt;
    payload_profile_ = EstimatePayloadErrors(payloads, k);
    if (!payload_profile_.measured()) return;
    stats_.payload_sub_rate = payload_profile_.sub;
    stats_.payload_ins_rate = payload_profile_.ins;
    stats_.payload_del_rate = payload_profile_.del;
    stats_.payload_profile_groups = payload_profile_.groups;
  }

  // Orients, trims (and collapses) a batch, in parallel. Thread-safe after
  // Prepare: batches may be trimmed while an earlier one is clustered.
  void TrimBatch(const SeqRecord* batch, size_t n, std::vector<TrimmedRead>* trimmed) {
    auto t0 = std::chrono::steady_clock::now();
    trimmed->resize(n);
    Trim(batch, n, trimmed, static_cast<bool>(opt_.take_read));
    const double dt = SecondsSince(t0);
    std::lock_guard<std::mutex> lock(time_mutex_);
    stats_.seconds.trim += dt;
  }

  // Clusters a trimmed batch (or defers its reads). Batches must come in
  // input order, one at a time. Errors: kIo when deferred reads cannot be
  // spilled.
  Status ClusterBatch(std::vector<TrimmedRead>&& trimmed) {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<PayloadRead> payloads;
    payloads.reserve(trimmed.size());
    uint64_t edits = 0, primer_nt = 0;
    const uint64_t primers_nt = opt_.primers_removed ? 0
                                                     : trimmer_->options().fwd_primer.size() +
                                                           trimmer_->options().rev_primer.size();
    for (TrimmedRead& t : trimmed) {
      ++stats_.reads_total;
      if (t.orientation == ReadOrientation::kJunk) {
        ++stats_.reads_junk;
        continue;
      }
      ++stats_.reads_used;
      ++(t.orientation == ReadOrientation::kForward ? stats_.reads_forward : stats_.reads_reverse);
      edits += static_cast<uint64_t>(t.start_primer_edits + t.end_primer_edits);
      primer_nt += primers_nt;
      if (t.taken) {
        ++stats_.reads_taken;
        continue;
      }
      payloads.push_back({std::move(t.seq), std::move(t.qual)});
    }
    std::vector<TrimmedRead>().swap(trimmed);
    if (!clusterer_) {
      // The first batch fixes the error rate (and so every threshold) for the
      // whole run: deterministic for a given batch size.
      double err = opt_.error_rate;
      if (err <= 0) {
        err = primer_nt ? static_cast<double>(edits) / primer_nt : kDefaultReadErrorRate;
        if (payload_profile_.measured())
          err = primer_nt ? std::max(err, payload_profile_.rate()) : payload_profile_.rate();
      }
      stats_.error_rate = err;
      ClusterOptions co;
      co.method = opt_.cluster_method;
      co.payload_nt = opt_.payload_nt;
      if (co.payload_nt == 0 && opt_.resolve_payload_nt)
        co.payload_nt = payload_hint_ > 0 ? payload_hint_ : ModeLength(payloads);
      co.error_rate = err;
      co.max_edit_fraction = opt_.cluster_max_edit_fraction;
      co.max_reads_per_cluster = opt_.max_reads_per_cluster > 0
                                     ? opt_.max_reads_per_cluster
                                     : FrontEndProfileFor(err).reads_per_cluster;
      cluster_options_ = co;
      clusterer_ = MakeReadClusterer(co);
    }
    // Deferred (clustered in Finish, after the caller's look) only when the
    // caller takes a good share of the reads: otherwise there is little to
    // drop, and clustering would no longer overlap reading.
    if (!defer_decided_) {
      defer_ = opt_.drop_before_clustering && 10 * stats_.reads_taken >= stats_.reads_used;
      defer_decided_ = true;
    }
    Status st;
    if (defer_) {
      for (size_t i = 0; i < payloads.size() && st.ok(); ++i)
        st = deferred_.Add(payloads[i].seq, payloads[i].qual);
    } else {
      st = Cluster(std::move(payloads));
    }
    const double dt = SecondsSince(t0);
    {
      std::lock_guard<std::mutex> lock(time_mutex_);
      stats_.seconds.cluster += dt;
    }
    if (opt_.progress) opt_.progress("reads", stats_.reads_total, 0);
    return st;
  }

  tbb::task_arena& arena() { return arena_; }

  // Clusters payloads now, or (cluster_memory_bytes) puts them in their
  // partitions for later.
  Status Cluster(std::vector<PayloadRead>&& payloads) {
    if (!partitions_.empty()) return AddToPartitions(payloads);
    AddToClusters(std::move(payloads));
    return Status::Ok();
  }

  void AddToClusters(std::vector<PayloadRead>&& payloads) {
    const uint64_t first = next_payload_index_;
    next_payload_index_ += payloads.size();
    arena_.execute([&] { clusterer_->AddBatch(std::move(payloads), first); });
  }

  // FrontEndOptions::cluster_memory_bytes: each payload goes to the partition
  // of its minimizer, tagged with its place among the clustered payloads.
  Status AddToPartitions(const std::vector<PayloadRead>& payloads) {
    const int k = FrontEndProfileFor(stats_.error_rate).partition_kmer_nt;
    std::vector<uint16_t> part(payloads.size());
    arena_.execute([&] {
      tbb::parallel_for(tbb::blocked_range<size_t>(0, payloads.size(), 1024), [&](const auto& r) {
        for (size_t i = r.begin(); i != r.end(); ++i)
          part[i] = static_cast<uint16_t>(MinimizerHash(payloads[i].seq, k) % kClusterPartitions);
      });
    });
    batch_first_.push_back(next_payload_index_);
    for (size_t i = 0; i < payloads.size(); ++i)
      DNASTORE_RETURN_IF_ERROR(
          partitions_[part[i]].Add(payloads[i].seq, payloads[i].qual, next_payload_index_++));
    return Status::Ok();
  }

  // After the input: consecutive partitions, as many as fit in what the
  // budget leaves, are clustered and built together, group by group, into
  // `all`.
  Status ClusterPartitions(ConsensusOptions* co, std::vector<Strand>* all) {
    for (const DeferredReads& d : partitions_) {
      stats_.partitioned_peak_bytes += d.peak_memory_bytes();
      stats_.bytes_spilled += d.bytes_spilled();
    }
    auto bytes = [&](size_t p) {
      return partitions_[p].reads() * kClusterBytesPerRead +
             partitions_[p].bases() * kClusterBytesPerNt;
    };
    next_payload_index_ = 0;
    for (size_t begin = 0; begin < partitions_.size();) {
      // The budget less the partitions still held and the strands built (at
      // least an eighth of it).
      uint64_t held = strand_bytes_;
      for (size_t p = begin; p < partitions_.size(); ++p) held += partitions_[p].memory_bytes();
      const uint64_t budget =
          std::max(opt_.cluster_memory_bytes - std::min(opt_.cluster_memory_bytes, held),
                   opt_.cluster_memory_bytes / 8);
      size_t end = begin + 1;
      uint64_t group = bytes(begin);
      while (end < partitions_.size() && group + bytes(end) <= budget) group += bytes(end++);
      DNASTORE_RETURN_IF_ERROR(ClusterGroup(begin, end, co, all));
      ++stats_.partition_groups;
      begin = end;
    }
    return Status::Ok();
  }

  // Clusters partitions [begin, end): their reads in input order, split
  // where the input's batches were (with every partition in one group, the
  // clusterer sees what it would have seen as the reads came); then consensus.
  Status ClusterGroup(size_t begin, size_t end, ConsensusOptions* co, std::vector<Strand>* all) {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<PayloadRead> reads;
    std::vector<uint64_t> tags;
    for (size_t p = begin; p < end; ++p) {
      DNASTORE_RETURN_IF_ERROR(partitions_[p].DrainTagged(
          opt_.batch_reads, [&](std::vector<PayloadRead>&& batch, std::vector<uint64_t>&& t) {
            for (size_t i = 0; i < batch.size(); ++i) {
              reads.push_back(std::move(batch[i]));
              tags.push_back(t[i]);
            }
            return Status::Ok();
          }));
      partitions_[p] = DeferredReads(0, "");  // its chunks freed
    }
    std::vector<size_t> order(reads.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return tags[a] < tags[b]; });
    clusterer_ = MakeReadClusterer(cluster_options_);
    size_t i = 0;
    for (size_t b = 0; b < batch_first_.size() && i < order.size(); ++b) {
      const uint64_t next = b + 1 < batch_first_.size() ? batch_first_[b + 1] : UINT64_MAX;
      std::vector<PayloadRead> batch;
      for (; i < order.size() && tags[order[i]] < next; ++i)
        batch.push_back(std::move(reads[order[i]]));
      if (!batch.empty()) AddToClusters(std::move(batch));
    }
    std::vector<PayloadRead>().swap(reads);
    std::vector<ReadCluster> clusters = clusterer_->TakeClusters();
    stats_.seconds.cluster += SecondsSince(t0);
    t0 = std::chrono::steady_clock::now();
    stats_.clusters += clusters.size();
    std::vector<Strand> built(clusters.size());
    // The payload length may be resolved in any group; only the first can
    // still be rebuilt with it (later, the caller reads again if need be).
    const size_t done = ResolvePayloadLength(clusters, co, &built, stats_.partition_groups == 0);
    BuildConsensusInSteps(clusters, done, *co, &built, all->size());
    for (Strand& s : built) {
      strand_bytes_ += sizeof(Strand) + s.seq.capacity() + s.qual.capacity();
      all->push_back(std::move(s));
    }
    stats_.seconds.consensus += SecondsSince(t0);
    return Status::Ok();
  }

  // FrontEndOptions::drop_before_clustering: the deferred reads the caller
  // does not drop are clustered, in input order, in batches of batch_reads
  // (as they would have been).
  Status ClusterDeferred() {
    auto t0 = std::chrono::steady_clock::now();
    if (opt_.all_reads_offered) arena_.execute([&] { opt_.all_reads_offered(); });
    stats_.reads_deferred = deferred_.reads();
    stats_.bytes_spilled = deferred_.bytes_spilled();
    stats_.deferred_peak_bytes = deferred_.peak_memory_bytes();
    double clustering = 0;
    std::vector<PayloadRead> kept;
    Status st = deferred_.Drain(opt_.batch_reads, [&](std::vector<PayloadRead>&& batch) {
      std::vector<uint8_t> drop(batch.size(), 0);
      arena_.execute([&] {
        tbb::parallel_for(tbb::blocked_range<size_t>(0, batch.size(), 1024), [&](const auto& r) {
          for (size_t i = r.begin(); i != r.end(); ++i)
            drop[i] = opt_.drop_before_clustering(batch[i].seq);
        });
      });
      for (size_t i = 0; i < batch.size(); ++i) {
        if (drop[i]) {
          ++stats_.reads_dropped;
          continue;
        }
        kept.push_back(std::move(batch[i]));
        if (kept.size() == opt_.batch_reads) {
          const auto t1 = std::chrono::steady_clock::now();
          Status cs = Cluster(std::exchange(kept, {}));
          clustering += SecondsSince(t1);
          if (!cs.ok()) return cs;
        }
      }
      return Status::Ok();
    });
    const auto t1 = std::chrono::steady_clock::now();
    if (st.ok() && !kept.empty()) st = Cluster(std::move(kept));
    clustering += SecondsSince(t1);
    stats_.seconds.cluster += clustering;
    stats_.seconds.drop += SecondsSince(t0) - clustering;
    return st;
  }

  Status Finish(std::vector<Strand>* strands, FrontEndStats* stats) {
    strands->clear();
    if (clusterer_ && defer_) DNASTORE_RETURN_IF_ERROR(ClusterDeferred());
    if (clusterer_) {
      ConsensusOptions co = MakeConsensusOptions();
      probing_ = co.payload_nt == 0 && static_cast<bool>(opt_.resolve_payload_nt);
      std::vector<Strand> all;
      if (!partitions_.empty()) {
        DNASTORE_RETURN_IF_ERROR(ClusterPartitions(&co, &all));
      } else {
        auto t0 = std::chrono::steady_clock::now();
        std::vector<ReadCluster> clusters = clusterer_->TakeClusters();
        stats_.clusters = clusters.size();
        all.resize(clusters.size());
        const size_t done = ResolvePayloadLength(clusters, &co, &all, true);
        BuildConsensusInSteps(clusters, done, co, &all);
        stats_.seconds.consensus = SecondsSince(t0);
      }
      stats_.payload_nt = co.payload_nt;
      auto t0 = std::chrono::steady_clock::now();
      KeepStrands(&all, strands);
      stats_.seconds.consensus += SecondsSince(t0);
    }
    stats_.strands = strands->size();
    for (const Strand& s : *strands)
      if (stats_.payload_nt > 0 && static_cast<int>(s.seq.size()) == stats_.payload_nt)
        ++stats_.strands_expected_length;
    if (stats) *stats = stats_;
    return Status::Ok();
  }

  ConsensusOptions MakeConsensusOptions() const {
    ConsensusOptions co;
    co.method = opt_.consensus_method;
    co.payload_nt = opt_.payload_nt;
    co.error_rate = std::max(stats_.error_rate, 0.001);
    co.sub_rate = stats_.primer_sub_rate;
    co.ins_rate = stats_.primer_ins_rate;
    co.del_rate = stats_.primer_del_rate;
    if (stats_.payload_sub_rate + stats_.payload_ins_rate + stats_.payload_del_rate >
        co.sub_rate + co.ins_rate + co.del_rate) {
      co.sub_rate = stats_.payload_sub_rate;
      co.ins_rate = stats_.payload_ins_rate;
      co.del_rate = stats_.payload_del_rate;
    }
    if (opt_.collapse_homopolymers) {
      // Terminator-free TdT after run collapsing: a missed cycle merges two
      // runs (a deletion), extra incorporations vanish; deletions dominate.
      co.sub_rate = kTdtCollapsedShares.sub * stats_.error_rate;
      co.ins_rate = kTdtCollapsedShares.ins * stats_.error_rate;
      co.del_rate = kTdtCollapsedShares.del * stats_.error_rate;
    }
    return co;
  }

  // FrontEndOptions::resolve_payload_nt: consensus chunk by chunk until the
  // caller can tell the payload length. Returns the clusters whose strands
  // in `all` are final. When the length differs from the estimate they used
  // and `may_rebuild`, it goes to co->payload_nt and 0 is returned (every
  // strand is to be rebuilt); without `may_rebuild` (a later group of
  // partitions) the estimate stays, for the caller to read again by the
  // length it was told. Probing ends once an answer came (probing_).
  size_t ResolvePayloadLength(std::vector<ReadCluster>& clusters, ConsensusOptions* co,
                              std::vector<Strand>* all, bool may_rebuild) {
    if (!probing_) return 0;
    // The probe builds strands as a full run with the estimated length
    // would; the strands before their length fix are offered too, since the
    // estimate may be off by a base or two. (When nothing resolves, the
    // caller may run again without the estimate:
    // FrontEndOptions::estimate_payload_nt.)
    const size_t step = std::max<size_t>(1, opt_.resolve_chunk_clusters);
    co->payload_nt = payload_hint_;
    std::vector<std::string> unfixed(clusters.size());
    size_t done = 0;
    int p = 0;
    while (done < clusters.size() && p == 0) {
      const size_t end = std::min(clusters.size(), done + step);
      BuildConsensus(clusters, done, end, *co, false, all, &unfixed);
      std::vector<Strand> chunk(all->begin() + static_cast<std::ptrdiff_t>(done),
                                all->begin() + static_cast<std::ptrdiff_t>(end));
      for (size_t k = done; k < end; ++k) {
        if (unfixed[k].empty()) continue;
        chunk.push_back({std::move(unfixed[k]), std::string(), (*all)[k].reads});
      }
      done = end;
      p = opt_.resolve_payload_nt(chunk, stats_.fwd_primer, stats_.rev_primer);
    }
    if (p != 0) probing_ = false;
    if (p > 0 && p != payload_hint_ && may_rebuild) {
      co->payload_nt = p;  // other drafts and fixes: rebuild everything
      return 0;
    }
    return done;
  }

  // Consensus of clusters [done, end) into `all`, releasing their reads; in
  // steps, for progress only (each cluster's consensus is independent).
  // `group_base` (partitioned clustering): the clusters of earlier groups;
  // progress then counts clusters done with no total (0: unknown).
  void BuildConsensusInSteps(std::vector<ReadCluster>& clusters, size_t done,
                             const ConsensusOptions& co, std::vector<Strand>* all,
                             std::optional<uint64_t> group_base = std::nullopt) {
    constexpr size_t kProgressStep = size_t{1} << 16;
    for (size_t begin = done; begin < clusters.size(); begin += kProgressStep) {
      const size_t end = std::min(clusters.size(), begin + kProgressStep);
      BuildConsensus(clusters, begin, end, co, true, all);
      if (!opt_.progress) continue;
      if (group_base)
        opt_.progress("consensus", *group_base + end, 0);
      else
        opt_.progress("consensus", end, clusters.size());
    }
  }

  // Folds small clusters, counts the coverage histogram, and keeps the
  // strands with at least min_cluster_reads reads.
  void KeepStrands(std::vector<Strand>* all, std::vector<Strand>* strands) {
    std::vector<uint8_t> folded(all->size(), 0);
    if (opt_.fold_below_reads > 1) FoldSmallClusters(all, &folded);
    for (size_t k = 0; k < all->size(); ++k) {
      if (folded[k]) continue;
      ++stats_.coverage_histogram[std::min<uint64_t>((*all)[k].reads,
                                                     FrontEndStats::kCoverageBins - 1)];
      if ((*all)[k].reads >= opt_.min_cluster_reads) strands->push_back(std::move((*all)[k]));
    }
  }

  FrontEndStats& stats() { return stats_; }

  // Consensus of clusters [begin, end) into all[begin, end), in parallel;
  // `release` frees each cluster's reads once used.
  // `unfixed` (optional, one per cluster) receives ConsensusResult::unfixed_seq.
  void BuildConsensus(std::vector<ReadCluster>& clusters, size_t begin, size_t end,
                      const ConsensusOptions& co, bool release, std::vector<Strand>* all,
                      std::vector<std::string>* unfixed = nullptr) {
    tbb::enumerable_thread_specific<std::unique_ptr<ConsensusEngine>> engines(
        [&] { return MakeConsensusEngine(co); });
    arena_.execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<size_t>(begin, end, 16), [&](const tbb::blocked_range<size_t>& r) {
            auto& engine = engines.local();
            std::vector<ConsensusRead> in;
            ConsensusResult res;
            for (size_t k = r.begin(); k != r.end(); ++k) {
              ReadCluster& c = clusters[k];
              in.clear();
              for (const ClusterMember& m : c.reads)
                in.push_back({m.seq, m.qual, m.expected_errors});
              engine->Consensus(in, &res);
              Strand& s = (*all)[k];
              s.seq = std::move(res.seq);
              s.qual = std::move(res.qual);
              if (unfixed) (*unfixed)[k] = std::move(res.unfixed_seq);
              s.reads = static_cast<uint32_t>(std::min<uint64_t>(c.read_count, UINT32_MAX));
              if (release) std::vector<ClusterMember>().swap(c.reads);
            }
          });
    });
  }

  // Small clusters whose consensus is within the clustering distance of a
  // large cluster's consensus are reads that missed it (noisy reads): their
  // reads are added to the large cluster's count and they produce no strand.
  void FoldSmallClusters(std::vector<Strand>* all, std::vector<uint8_t>* folded) {
    std::vector<std::string_view> targets, queries;  // (views: no copy of every strand)
    std::vector<size_t> target_idx, query_idx;
    for (size_t k = 0; k < all->size(); ++k) {
      if ((*all)[k].reads >= opt_.fold_below_reads) {
        targets.push_back((*all)[k].seq);
        target_idx.push_back(k);
      } else {
        queries.push_back((*all)[k].seq);
        query_idx.push_back(k);
      }
    }
    if (targets.empty() || queries.empty()) return;
    ClusterOptions co;
    co.payload_nt = stats_.payload_nt;
    co.error_rate = stats_.error_rate;
    co.max_edit_fraction = opt_.cluster_max_edit_fraction;
    std::vector<int64_t> match;
    arena_.execute([&] { match = MatchToTargets(targets, queries, co); });
    for (size_t q = 0; q < queries.size(); ++q) {
      if (match[q] < 0) continue;
      Strand& t = (*all)[target_idx[static_cast<size_t>(match[q])]];
      t.reads = static_cast<uint32_t>(
          std::min<uint64_t>(uint64_t{t.reads} + (*all)[query_idx[q]].reads, UINT32_MAX));
      (*folded)[query_idx[q]] = 1;
      ++stats_.clusters_folded;
    }
  }

  // Merges mate pairs of one batch in parallel; output in pair order.
  void MergePairs(const std::vector<SeqRecord>& r1, const std::vector<SeqRecord>& r2,
                  std::vector<SeqRecord>* out) {
    const size_t n = r1.size();
    auto t0 = std::chrono::steady_clock::now();
    std::vector<SeqRecord> merged(n);
    std::vector<uint8_t> ok(n, 0);
    arena_.execute([&] {
      tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 256),
                        [&](const tbb::blocked_range<size_t>& r) {
                          for (size_t i = r.begin(); i != r.end(); ++i)
                            ok[i] = MergePair(r1[i], r2[i], opt_.pair_merge, &merged[i]);
                        });
    });
    out->clear();
    for (size_t i = 0; i < n; ++i) {
      ++stats_.pairs_total;
      if (ok[i]) {
        ++stats_.pairs_merged;
        out->push_back(std::move(merged[i]));
      } else {
        out->push_back(r1[i]);
        out->push_back(r2[i]);
      }
    }
    stats_.seconds.trim += SecondsSince(t0);
  }

 private:
  // Trims (and collapses) records [batch, batch + n) in parallel.
  void Trim(const SeqRecord* batch, size_t n, std::vector<TrimmedRead>* trimmed,
            bool take = false) {
    arena_.execute([&] {
      tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 512),
                        [&](const tbb::blocked_range<size_t>& r) {
                          std::string cs, cq;
                          for (size_t i = r.begin(); i != r.end(); ++i) {
                            TrimmedRead& t = (*trimmed)[i];
                            if (!trimmer_->Trim(batch[i].seq, batch[i].qual, &t)) continue;
                            if (opt_.collapse_homopolymers) {
                              CollapseHomopolymers(t.seq, t.qual, &cs, &cq);
                              t.seq.swap(cs);
                              t.qual.swap(cq);
                              if (t.seq.empty()) t.orientation = ReadOrientation::kJunk;
                            }
                            if (take && t.orientation != ReadOrientation::kJunk)
                              t.taken = opt_.take_read(t.seq);
                          }
                        });
    });
  }

  Status Init(const SeqRecord* first, size_t n, int payload_nt) {
    PrimerTrimOptions to;
    to.fwd_primer = opt_.fwd_primer;
    to.rev_primer = opt_.rev_primer;
    if (trimmer_) {  // again, for another payload length: same primers
      to.fwd_primer = trimmer_->options().fwd_primer;
      to.rev_primer = trimmer_->options().rev_primer;
    } else if (to.fwd_primer.empty() && !opt_.primers_removed) {
      Result<InferredPrimers> inf =
          InferPrimers(std::vector<SeqRecord>(first, first + n), opt_.infer_primer_nt);
      if (!inf.ok()) return inf.status();
      to.fwd_primer = inf->fwd_primer;
      to.rev_primer = inf->rev_primer;
      stats_.primers_inferred = true;
    }
    to.primers_removed = opt_.primers_removed;
    to.max_primer_error_fraction = opt_.max_primer_error_fraction;
    to.primer_search_slack_nt = opt_.primer_search_slack_nt;
    // With collapsing, payload_nt is the collapsed length; the raw payload is
    // longer, so the length check happens on the collapsed payload instead.
    to.payload_nt = opt_.collapse_homopolymers ? 0 : payload_nt;
    to.max_payload_length_deviation = opt_.max_payload_length_deviation;
    Result<PrimerTrimmer> t = PrimerTrimmer::Create(to);
    if (!t.ok()) return t.status();
    trimmer_.emplace(std::move(t.value()));
    stats_.fwd_primer = trimmer_->options().fwd_primer;
    stats_.rev_primer = trimmer_->options().rev_primer;
    return Status::Ok();
  }

  FrontEndOptions opt_;
  tbb::task_arena arena_;
  std::mutex time_mutex_;  // guards the stage timers (trimming runs concurrently)
  std::optional<PrimerTrimmer> trimmer_;
  int payload_hint_ = 0;                 // estimated payload length (resolve_payload_nt mode)
  PayloadErrorProfile payload_profile_;  // measured on the first batch (Prepare)
  std::unique_ptr<ReadClusterer> clusterer_;
  ClusterOptions cluster_options_;  // clusterer_'s (set with it, on the first batch)
  uint64_t next_payload_index_ = 0;
  std::vector<DeferredReads> partitions_;  // cluster_memory_bytes: by minimizer
  std::vector<uint64_t> batch_first_;      // and where each input batch's payloads began
  uint64_t strand_bytes_ = 0;              // memory of the strands of groups clustered
  bool probing_ = false;                   // resolve_payload_nt still asked for an answer (Finish)
  DeferredReads deferred_;                 // drop_before_clustering: reads to look at first
  bool defer_ = false, defer_decided_ = false;  // whether to defer, decided on the first batch
  FrontEndStats stats_;
};

// Reads consecutive batches across several files.
class MultiFileReader {
 public:
  // `threads`: BGZF decompression threads per file (SeqReader::Open).
  explicit MultiFileReader(const std::vector<std::string>& paths, int threads = 1)
      : paths_(paths), threads_(threads) {}
  // Fills `batch` (empty at the end of the last file).
  Status Next(ReadBatch& batch, size_t max_records) {
    // SeqReader::Next overwrites the batch's records in place (buffers reused).
    while (file_ < paths_.size()) {
      if (!reader_) {
        auto r = SeqReader::Open(paths_[file_], threads_);
        if (!r.ok()) return r.status();
        reader_ = std::move(r.value());
      }
      DNASTORE_RETURN_IF_ERROR(reader_->Next(batch, max_records));
      if (!batch.empty()) return Status::Ok();
      reader_.reset();
      ++file_;
    }
    batch.clear();
    return Status::Ok();
  }

 private:
  std::vector<std::string> paths_;
  int threads_;
  size_t file_ = 0;
  std::unique_ptr<SeqReader> reader_;
};

}  // namespace

Status ReconstructStrands(const std::vector<std::string>& paths, const FrontEndOptions& options,
                          std::vector<Strand>* strands, FrontEndStats* stats) {
  DNASTORE_RETURN_IF_ERROR(Pipeline::Validate(options));
  if (paths.empty()) return UsageError("no read files given");
  Pipeline p(options);
  MultiFileReader reader(paths, options.threads);
  // Three stages over batches: read (in order), trim (several batches at
  // once), cluster (in order). Trimming the next batch fills the clustering
  // stage's sequential parts; memory holds at most kInFlight batches.
  constexpr size_t kInFlight = 3;
  Status error;
  std::mutex error_mutex;
  bool first = true;
  const auto t0 = std::chrono::steady_clock::now();
  // Batches are recycled: the reader overwrites old records in place.
  std::vector<std::shared_ptr<ReadBatch>> spare;
  std::mutex spare_mutex;
  p.arena().execute([&] {
    tbb::parallel_pipeline(
        kInFlight,
        tbb::make_filter<void, std::shared_ptr<ReadBatch>>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> std::shared_ptr<ReadBatch> {
              std::shared_ptr<ReadBatch> batch;
              {
                std::lock_guard<std::mutex> lock(spare_mutex);
                if (!spare.empty()) {
                  batch = std::move(spare.back());
                  spare.pop_back();
                }
              }
              if (!batch) batch = std::make_shared<ReadBatch>();
              {  // a later stage failed: stop reading
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error.ok()) {
                  fc.stop();
                  return nullptr;
                }
              }
              Status st = reader.Next(*batch, options.batch_reads);
              if (st.ok() && first && !batch->empty()) st = p.Prepare(batch->data(), batch->size());
              first = false;
              if (!st.ok() || batch->empty()) {
                if (!st.ok()) {
                  std::lock_guard<std::mutex> lock(error_mutex);
                  if (error.ok()) error = st;
                }
                fc.stop();
                return nullptr;
              }
              return batch;
            }) &
            tbb::make_filter<std::shared_ptr<ReadBatch>,
                             std::pair<std::shared_ptr<ReadBatch>, std::vector<TrimmedRead>>>(
                tbb::filter_mode::parallel,
                [&](std::shared_ptr<ReadBatch> batch) {
                  std::pair<std::shared_ptr<ReadBatch>, std::vector<TrimmedRead>> out;
                  p.TrimBatch(batch->data(), batch->size(), &out.second);
                  out.first = std::move(batch);
                  return out;
                }) &
            tbb::make_filter<std::pair<std::shared_ptr<ReadBatch>, std::vector<TrimmedRead>>, void>(
                tbb::filter_mode::serial_in_order,
                [&](std::pair<std::shared_ptr<ReadBatch>, std::vector<TrimmedRead>> item) {
                  {  // the records are no longer needed
                    std::lock_guard<std::mutex> lock(spare_mutex);
                    spare.push_back(std::move(item.first));
                  }
                  Status st = p.ClusterBatch(std::move(item.second));
                  std::lock_guard<std::mutex> lock(error_mutex);
                  if (!st.ok() && error.ok()) error = st;
                }));
  });
  DNASTORE_RETURN_IF_ERROR(error);
  p.stats().seconds.input = SecondsSince(t0);
  return p.Finish(strands, stats);
}

Status ReconstructStrandsFromReads(const std::vector<SeqRecord>& reads,
                                   const FrontEndOptions& options, std::vector<Strand>* strands,
                                   FrontEndStats* stats) {
  DNASTORE_RETURN_IF_ERROR(Pipeline::Validate(options));
  Pipeline p(options);
  for (size_t b = 0; b < reads.size(); b += options.batch_reads) {
    size_t e = std::min(reads.size(), b + options.batch_reads);
    DNASTORE_RETURN_IF_ERROR(p.AddBatch(reads.data() + b, e - b));
  }
  return p.Finish(strands, stats);
}

Status ReconstructStrandsPaired(const std::string& r1, const std::string& r2,
                                const FrontEndOptions& options, std::vector<Strand>* strands,
                                FrontEndStats* stats) {
  DNASTORE_RETURN_IF_ERROR(Pipeline::Validate(options));
  Pipeline p(options);
  MultiFileReader a({r1}, options.threads), b({r2}, options.threads);
  ReadBatch ba, bb, merged;
  for (;;) {
    DNASTORE_RETURN_IF_ERROR(a.Next(ba, options.batch_reads));
    DNASTORE_RETURN_IF_ERROR(b.Next(bb, options.batch_reads));
    if (ba.size() != bb.size())
      return BadInput("paired files " + r1 + " and " + r2 + " have different numbers of reads");
    if (ba.empty()) break;
    p.MergePairs(ba, bb, &merged);
    DNASTORE_RETURN_IF_ERROR(p.AddBatch(merged));
  }
  return p.Finish(strands, stats);
}

}  // namespace dnastore
