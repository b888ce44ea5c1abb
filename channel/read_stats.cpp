// Read statistics: chunk counters and their totals.
#include "channel/read_stats.h"

namespace dnastore::channel {
namespace {

void MergeStats(SimulateStats& a, const SimulateStats& b) {
  a.reads += b.reads;
  a.read_nt += b.read_nt;
  a.reference_nt += b.reference_nt;
  a.substitutions += b.substitutions;
  a.insertions += b.insertions;
  a.deletions += b.deletions;
  a.insertion_events += b.insertion_events;
  a.deletion_events += b.deletion_events;
  a.error_free_reads += b.error_free_reads;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) a.stage_events[i][j] += b.stage_events[i][j];
  auto add = [](std::vector<uint64_t>& x, const std::vector<uint64_t>& y) {
    if (x.size() < y.size()) x.resize(y.size(), 0);
    for (size_t i = 0; i < y.size(); ++i) x[i] += y[i];
  };
  add(a.substitutions_by_position, b.substitutions_by_position);
  add(a.insertions_by_position, b.insertions_by_position);
  add(a.deletions_by_position, b.deletions_by_position);
}

// Position p is covered by every reference longer than p.
std::vector<uint64_t> CoverageByPosition(const std::vector<uint64_t>& len_hist, uint32_t max_len) {
  std::vector<uint64_t> cov(max_len + 1, 0);
  uint64_t acc = 0;
  for (size_t len = len_hist.size(); len-- > 1;) {
    acc += len_hist[len];
    if (len - 1 < cov.size()) cov[len - 1] = acc;
  }
  return cov;
}

}  // namespace

void InitStats(SimulateStats& st, uint32_t max_len) {
  st.substitutions_by_position.assign(max_len + 1, 0);
  st.insertions_by_position.assign(max_len + 1, 0);
  st.deletions_by_position.assign(max_len + 1, 0);
}

StatsTotal::StatsTotal(const SimulateStats& pool_stats, uint32_t max_len)
    : total_(pool_stats), max_len_(max_len) {
  InitStats(total_, max_len);
}

void StatsTotal::Add(const ChunkStats& cs) {
  MergeStats(total_, cs.st);
  if (len_hist_.size() < cs.ref_len_hist.size()) len_hist_.resize(cs.ref_len_hist.size());
  for (size_t i = 0; i < cs.ref_len_hist.size(); ++i) len_hist_[i] += cs.ref_len_hist[i];
  phred_ += cs.phred_sum;
}

SimulateStats StatsTotal::Finish() const {
  SimulateStats st = total_;
  st.reference_nt_by_position = CoverageByPosition(len_hist_, max_len_);
  st.mean_phred = st.read_nt ? static_cast<double>(phred_) / st.read_nt : 0;
  return st;
}

double SimulateStats::SubstitutionRate() const {
  return reference_nt ? static_cast<double>(substitutions) / static_cast<double>(reference_nt) : 0;
}
double SimulateStats::InsertionRate() const {
  return reference_nt ? static_cast<double>(insertions) / static_cast<double>(reference_nt) : 0;
}
double SimulateStats::DeletionRate() const {
  return reference_nt ? static_cast<double>(deletions) / static_cast<double>(reference_nt) : 0;
}

}  // namespace dnastore::channel
