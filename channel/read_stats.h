// What the simulator measures about the reads it writes: net edits between
// reads and references (by type and position), per-stage events, qualities.
// Chunks of reads are measured independently and summed in any order.
#pragma once

#include <cstdint>
#include <vector>

#include "dnastore/channel.h"

namespace dnastore::channel {

// The measurements of one chunk of reads.
struct ChunkStats {
  SimulateStats st;
  std::vector<uint64_t> ref_len_hist;  // reference length per counted reference
  uint64_t phred_sum = 0;
};

// Sizes the by-position counters for references up to max_len nt.
void InitStats(SimulateStats& st, uint32_t max_len);

// Diff sink (mutation.h) counting net edits into SimulateStats.
struct CountDiff {
  SimulateStats* st;
  uint32_t max_pos;
  void Sub(uint32_t pos, char, char) {
    ++st->substitutions;
    if (pos < max_pos) ++st->substitutions_by_position[pos];
  }
  void Ins(uint32_t pos, const char*, uint32_t n, const int32_t*) {
    st->insertions += n;
    ++st->insertion_events;
    if (pos < max_pos) st->insertions_by_position[pos] += n;
  }
  void Del(uint32_t pos, uint32_t len) {
    st->deletions += len;
    ++st->deletion_events;
    for (uint32_t i = pos; i < pos + len && i < max_pos; ++i) ++st->deletions_by_position[i];
  }
};

// Net edit events counted so far (to tell whether a read was error-free).
inline uint64_t EditEvents(const SimulateStats& st) {
  return st.substitutions + st.insertion_events + st.deletion_events;
}

// Sums chunk measurements into the stats of a whole run.
class StatsTotal {
 public:
  // Starts from the coverage stats of the pool (sampling.h CoverageStats).
  StatsTotal(const SimulateStats& pool_stats, uint32_t max_len);
  void Add(const ChunkStats& cs);
  // The totals, with reference_nt_by_position and mean_phred.
  SimulateStats Finish() const;

 private:
  SimulateStats total_;
  uint32_t max_len_;
  std::vector<uint64_t> len_hist_;
  uint64_t phred_ = 0;
};

}  // namespace dnastore::channel
