#include "reads/read_cluster.h"

#include <edlib.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/parallel_sort.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <numeric>

#include "core/dna.h"
#include "core/phred.h"
#include "reads/front_end_profile.h"

namespace dnastore {
namespace {

constexpr uint32_t kNone = 0xFFFFFFFFu;
constexpr int kMaxBucketScan = 64;  // entries read per sketch bucket (low-complexity k-mers)
// Queries matched at once by MatchToTargets (bounds its candidate pairs).
constexpr size_t kMatchQueryBlock = size_t{1} << 15;

// Open-addressing hash map uint64 -> uint32 (key 0 is reserved as empty).
class FlatMap {
 public:
  FlatMap() { Rehash(1024); }
  static uint64_t Fix(uint64_t k) { return k == 0 ? 1 : k; }
  uint32_t Find(uint64_t key) const {
    key = Fix(key);
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      if (keys_[i] == key) return vals_[i];
      if (keys_[i] == 0) return kNone;
    }
  }
  // Returns the value slot for key, inserting `init` if absent.
  uint32_t& Upsert(uint64_t key, uint32_t init) {
    if ((size_ + 1) * 2 > keys_.size()) Rehash(keys_.size() * 2);
    key = Fix(key);
    size_t i = Slot(key);
    for (;; i = (i + 1) & mask_) {
      if (keys_[i] == key) return vals_[i];
      if (keys_[i] == 0) break;
    }
    keys_[i] = key;
    vals_[i] = init;
    ++size_;
    return vals_[i];
  }
  // Hints the cache that Find(key) will follow soon.
  void Prefetch(uint64_t key) const { __builtin_prefetch(&keys_[Slot(Fix(key))]); }
  void Clear() {
    std::fill(keys_.begin(), keys_.end(), 0);
    size_ = 0;
  }
  void Reserve(size_t n) {
    size_t cap = keys_.size();
    while (cap < 2 * n + 2) cap *= 2;
    if (cap != keys_.size()) Rehash(cap);
  }

 private:
  size_t Slot(uint64_t key) const { return (key * 0x9E3779B97F4A7C15ULL >> 17) & mask_; }
  void Rehash(size_t cap) {
    std::vector<uint64_t> old_keys(cap, 0);
    std::vector<uint32_t> old_vals(cap, 0);
    old_keys.swap(keys_);
    old_vals.swap(vals_);
    mask_ = cap - 1;
    size_ = 0;
    for (size_t i = 0; i < old_keys.size(); ++i)
      if (old_keys[i] != 0) Upsert(old_keys[i], old_vals[i]);
  }
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> vals_;
  size_t size_ = 0;
  size_t mask_ = 0;
};

inline uint64_t MixKmer(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// Calls fn(hash) for every k-mer of seq (k-mers with N skipped), in order.
template <typename Fn>
inline void ForEachKmerHash(std::string_view seq, int k, Fn&& fn) {
  const uint64_t mask = (k >= 32) ? ~0ULL : ((1ULL << (2 * k)) - 1);
  uint64_t code = 0;
  int valid = 0;
  for (char c : seq) {
    int b = BaseCode(c);
    if (b < 0) {
      valid = 0;
      code = 0;
      continue;
    }
    code = ((code << 2) | static_cast<uint64_t>(b)) & mask;
    if (++valid < k) continue;
    fn(MixKmer(code + static_cast<uint64_t>(k)));
  }
}

// Bottom-s MinHash sketch of the k-mers of seq (k-mers with N skipped):
// the s smallest distinct k-mer hashes, ascending. Kept by insertion into a
// small sorted array (most hashes are rejected by one comparison).
void Sketch(std::string_view seq, int k, int s, std::vector<uint64_t>* out) {
  out->clear();
  out->reserve(static_cast<size_t>(s) + 1);
  const size_t cap = static_cast<size_t>(s);
  ForEachKmerHash(seq, k, [&](uint64_t h) {
    if (out->size() == cap && h >= out->back()) return;
    auto it = std::lower_bound(out->begin(), out->end(), h);
    if (it != out->end() && *it == h) return;
    if (out->size() == cap) out->pop_back();
    out->insert(std::lower_bound(out->begin(), out->end(), h), h);
  });
}

inline uint64_t SeqHash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

float ExpectedErrors(std::string_view seq, std::string_view qual, int payload_nt) {
  static const std::array<float, 128> kErr = [] {
    std::array<float, 128> t{};
    for (int i = 0; i < 128; ++i)
      t[i] = static_cast<float>(PhredErrorProbability(static_cast<char>(i)));
    return t;
  }();
  float ee = 0;
  if (!qual.empty()) {
    // Four partial sums: no loop-carried dependency on one adder.
    float e4[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= qual.size(); i += 4)
      for (int k = 0; k < 4; ++k) e4[k] += kErr[static_cast<unsigned char>(qual[i + k]) & 127];
    for (; i < qual.size(); ++i) e4[0] += kErr[static_cast<unsigned char>(qual[i]) & 127];
    ee = (e4[0] + e4[1]) + (e4[2] + e4[3]);
  } else {
    ee = 0.01f * static_cast<float>(seq.size());
  }
  if (payload_nt > 0) ee += static_cast<float>(std::abs(static_cast<int>(seq.size()) - payload_nt));
  return ee;
}

// Candidate (id, count) ranking shared by the two query paths.
struct CandidateList {
  std::vector<uint64_t> raw;
  std::vector<std::pair<int, uint64_t>> ranked;  // (-count, id)
  void Rank(int max_candidates) {
    std::sort(raw.begin(), raw.end());
    ranked.clear();
    for (size_t i = 0; i < raw.size();) {
      size_t j = i;
      while (j < raw.size() && raw[j] == raw[i]) ++j;
      ranked.emplace_back(-static_cast<int>(j - i), raw[i]);
      i = j;
    }
    size_t m = std::min(ranked.size(), static_cast<size_t>(max_candidates));
    std::partial_sort(ranked.begin(), ranked.begin() + m, ranked.end());
    ranked.resize(m);
  }
};

class SketchGreedyClusterer final : public ReadClusterer {
 public:
  explicit SketchGreedyClusterer(const ClusterOptions& o) : opt_(o) {
    const FrontEndProfile& profile = FrontEndProfileFor(o.error_rate);
    noisy_ = profile.sketch_every_anchor;
    k_ = o.kmer_nt > 0 ? std::clamp(o.kmer_nt, 4, 31) : profile.kmer_nt;
    s_ = o.sketch_size > 0 ? std::clamp(o.sketch_size, 1, 256) : profile.sketch_size;
    // Low error: most reads are found by exact or first/last-third keys; one
    // sketched anchor per cluster catches the rest and keeps the index
    // (random memory accesses) small.
    sketch_anchors_ = noisy_ ? o.anchors_per_cluster : 1;
    frac_ = o.max_edit_fraction > 0 ? o.max_edit_fraction : ClusterEditFraction(o.error_rate);
    half_nt_ = o.payload_nt > 0 ? std::clamp(o.payload_nt / 3, 16, 64) : 40;
    opt_.max_candidates = std::max(1, o.max_candidates);
    opt_.anchors_per_cluster = std::clamp(o.anchors_per_cluster, 1, 255);
    opt_.max_reads_per_cluster = std::max(1, o.max_reads_per_cluster);
  }

  size_t num_clusters() const override { return clusters_.size(); }

  std::vector<ReadCluster> TakeClusters() override {
    std::vector<ReadCluster> out;
    out.reserve(clusters_.size());
    for (auto& c : clusters_) {
      ReadCluster rc;
      rc.reads = std::move(c.kept);
      rc.read_count = c.count;
      rc.first_read_index = c.first_index;
      out.push_back(std::move(rc));
    }
    clusters_.clear();
    exact_.Clear();
    halves_.Clear();
    sketch_heads_.Clear();
    buckets_.clear();
    return out;
  }

  void AddBatch(std::vector<PayloadRead>&& reads, uint64_t first_read_index) override {
    const size_t n = reads.size();
    if (n == 0) return;
    std::vector<uint64_t> hash(n);
    std::vector<uint32_t> assign(n, kNone);
    std::vector<std::vector<uint64_t>> sketch(n);
    std::vector<float> ee(n, 0);

    // 1. Match against existing clusters (index is read-only here).
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, n, 256), [&](const tbb::blocked_range<size_t>& r) {
          CandidateList cand;
          // Hash the whole range first and prefetch the table
          // slots: the lookups are cache misses, overlapped this way.
          for (size_t i = r.begin(); i != r.end(); ++i) {
            hash[i] = SeqHash(reads[i].seq);
            exact_.Prefetch(hash[i]);
          }
          for (size_t i = r.begin(); i != r.end(); ++i) {
            const std::string& seq = reads[i].seq;
            uint32_t c = exact_.Find(hash[i]);
            ee[i] = ExpectedErrors(seq, reads[i].qual, opt_.payload_nt);
            if (c != kNone) {
              assign[i] = c;
              continue;
            }
            // With no clusters yet, sketch lazily (duplicates need none).
            if (clusters_.empty()) continue;
            if (!noisy_) {
              // Low error: a read with an error or two still shares its
              // first or last third exactly with an anchor of its oligo.
              uint32_t tried_c = kNone;
              for (int side = 0; side < 2 && assign[i] == kNone; ++side) {
                const uint32_t c = halves_.Find(HalfKey(seq, side));
                if (c == kNone || c == tried_c) continue;
                tried_c = c;
                for (const std::string& a : clusters_[c].anchors) {
                  if (Close(seq, a)) {
                    assign[i] = c;
                    break;
                  }
                }
              }
              if (assign[i] != kNone) continue;
            }
            Sketch(seq, k_, s_, &sketch[i]);
            for (uint64_t key : sketch[i]) sketch_heads_.Prefetch(key);
            if (!noisy_) {
              // Low error: the first candidate is nearly always
              // right; verify as found instead of ranking (saves
              // most bucket lookups, i.e. cache misses).
              int tried = 0;
              uint64_t seen[16];
              for (uint64_t key : sketch[i]) {
                const uint32_t b = sketch_heads_.Find(key);
                if (b == kNone) continue;
                for (uint64_t id : buckets_[b]) {
                  if (tried >= opt_.max_candidates || tried >= 16) break;
                  if (std::find(seen, seen + tried, id) != seen + tried) continue;
                  seen[tried++] = id;
                  if (Close(seq, clusters_[id >> 8].anchors[id & 0xFF])) {
                    assign[i] = static_cast<uint32_t>(id >> 8);
                    break;
                  }
                }
                if (assign[i] != kNone || tried >= opt_.max_candidates) break;
              }
              continue;
            }
            cand.raw.clear();
            for (uint64_t key : sketch[i]) {
              const uint32_t b = sketch_heads_.Find(key);
              if (b == kNone) continue;
              const auto& bucket = buckets_[b];
              const size_t scan = std::min(bucket.size(), static_cast<size_t>(kMaxBucketScan));
              cand.raw.insert(cand.raw.end(), bucket.begin(), bucket.begin() + scan);
            }
            cand.Rank(opt_.max_candidates);
            for (const auto& [neg, id] : cand.ranked) {
              const Cluster& cl = clusters_[id >> 8];
              if (Close(seq, cl.anchors[id & 0xFF])) {
                assign[i] = static_cast<uint32_t>(id >> 8);
                break;
              }
            }
          }
        });

    // 2. Cluster the unmatched reads among themselves (union-find).
    std::vector<uint32_t> unmatched;
    for (size_t i = 0; i < n; ++i)
      if (assign[i] == kNone) unmatched.push_back(static_cast<uint32_t>(i));
    if (!unmatched.empty())
      ClusterUnmatched(reads, hash, sketch, unmatched, first_read_index, &assign);

    // 3. Add reads to their clusters: clusters in parallel, each cluster's
    // reads in input order; then index the new anchors sequentially in input
    // order (same result as one sequential pass, at any thread count).
    std::vector<std::pair<uint32_t, uint32_t>> by_cluster(n);  // (cluster, read)
    for (size_t i = 0; i < n; ++i) by_cluster[i] = {assign[i], static_cast<uint32_t>(i)};
    tbb::parallel_sort(by_cluster.begin(), by_cluster.end());  // unique keys: deterministic
    std::vector<size_t> group_begin;
    for (size_t g = 0; g < n; ++g)
      if (g == 0 || by_cluster[g].first != by_cluster[g - 1].first) group_begin.push_back(g);
    group_begin.push_back(n);
    std::vector<uint8_t> new_anchor(n, 0);
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, group_begin.size() - 1, 64),
        [&](const tbb::blocked_range<size_t>& r) {
          for (size_t g = r.begin(); g != r.end(); ++g) {
            Cluster& cl = clusters_[by_cluster[group_begin[g]].first];
            for (size_t e = group_begin[g]; e < group_begin[g + 1]; ++e) {
              const uint32_t i = by_cluster[e].second;
              ++cl.count;
              PayloadRead& pr = reads[i];
              if (static_cast<int>(cl.anchors.size()) < opt_.anchors_per_cluster &&
                  !HasAnchor(cl, hash[i], pr.seq)) {
                if (sketch[i].empty() && static_cast<int>(cl.anchors.size()) < sketch_anchors_)
                  Sketch(pr.seq, k_, s_, &sketch[i]);
                new_anchor[i] = static_cast<uint8_t>(cl.anchors.size() + 1);
                cl.anchors.push_back(pr.seq);
                cl.anchor_hashes.push_back(hash[i]);
              }
              if (static_cast<int>(cl.kept.size()) < opt_.max_reads_per_cluster) {
                cl.kept.push_back({std::move(pr.seq), std::move(pr.qual), ee[i]});
              } else {
                // Replace the worst kept read (first one on ties) if this one is better.
                size_t worst = 0;
                for (size_t j = 1; j < cl.kept.size(); ++j)
                  if (cl.kept[j].expected_errors > cl.kept[worst].expected_errors) worst = j;
                if (ee[i] < cl.kept[worst].expected_errors) {
                  cl.kept.erase(cl.kept.begin() + static_cast<std::ptrdiff_t>(worst));
                  cl.kept.push_back({std::move(pr.seq), std::move(pr.qual), ee[i]});
                }
              }
            }
          }
        });
    // The exact/thirds maps and the sketch index are independent: filled
    // concurrently, each in input order.
    tbb::parallel_invoke(
        [&] {
          for (size_t i = 0; i < n; ++i)
            if (new_anchor[i]) IndexAnchorExact(assign[i], new_anchor[i] - 1, hash[i]);
        },
        [&] {
          for (size_t i = 0; i < n; ++i)
            if (new_anchor[i]) IndexAnchorSketch(assign[i], new_anchor[i] - 1, sketch[i]);
        });
  }

 private:
  struct Cluster {
    uint64_t first_index = 0;
    uint64_t count = 0;
    std::vector<ClusterMember> kept;
    std::vector<std::string> anchors;
    std::vector<uint64_t> anchor_hashes;  // SeqHash of each anchor
  };

  int MaxEdits(size_t la, size_t lb) const {
    size_t l = std::max({la, lb, static_cast<size_t>(opt_.payload_nt)});
    return static_cast<int>(std::ceil(frac_ * static_cast<double>(l)));
  }
  bool Close(std::string_view a, std::string_view b) const {
    const int k = MaxEdits(a.size(), b.size());
    // Edit distance <= the cost of the best alignment with at most one
    // indel: most Illumina pairs need no dynamic programming.
    if (OneIndelDistance(a, b, k) <= k) return true;
    return BoundedEditDistance(a, b, k) >= 0;
  }

  // Key of the first (side 0) or last (side 1) third of a payload; 0 when
  // the payload is too short to have one.
  uint64_t HalfKey(std::string_view seq, int side) const {
    if (seq.size() < 2 * static_cast<size_t>(half_nt_)) return 0;
    const char* p = side == 0 ? seq.data() : seq.data() + seq.size() - half_nt_;
    return XXH3_64bits_withSeed(p, static_cast<size_t>(half_nt_), 1 + static_cast<uint64_t>(side));
  }

  static bool HasAnchor(const Cluster& cl, uint64_t hash, const std::string& seq) {
    for (size_t a = 0; a < cl.anchors.size(); ++a)
      if (cl.anchor_hashes[a] == hash && cl.anchors[a] == seq) return true;
    return false;
  }

  // Index anchor `a` of `cluster` (already stored in its anchors).
  void IndexAnchorExact(uint32_t cluster, uint32_t a, uint64_t hash) {
    exact_.Upsert(hash, cluster);  // keeps the first cluster for this exact sequence
    if (!noisy_ && a < 2) {
      const std::string& seq = clusters_[cluster].anchors[a];
      for (int side = 0; side < 2; ++side)
        if (uint64_t key = HalfKey(seq, side)) halves_.Upsert(key, cluster);
    }
  }
  void IndexAnchorSketch(uint32_t cluster, uint32_t a, const std::vector<uint64_t>& sk) {
    if (static_cast<int>(a) >= sketch_anchors_) return;
    for (uint64_t key : sk) {
      uint32_t& b = sketch_heads_.Upsert(key, static_cast<uint32_t>(buckets_.size()));
      if (b == buckets_.size()) buckets_.emplace_back();
      buckets_[b].push_back((static_cast<uint64_t>(cluster) << 8) | a);
    }
  }

  void ClusterUnmatched(const std::vector<PayloadRead>& reads, const std::vector<uint64_t>& hash,
                        std::vector<std::vector<uint64_t>>& sketch, const std::vector<uint32_t>& um,
                        uint64_t first_read_index, std::vector<uint32_t>* assign) {
    const size_t m = um.size();
    // Local index over the unmatched reads (u = position in `um`).
    FlatMap local_exact, bucket_of;
    local_exact.Reserve(m);
    std::vector<uint32_t> first_same(m);
    for (uint32_t u = 0; u < m; ++u) first_same[u] = local_exact.Upsert(hash[um[u]], u);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, m, 256),
                      [&](const tbb::blocked_range<size_t>& r) {
                        for (size_t u = r.begin(); u != r.end(); ++u) {
                          const uint32_t i = um[u];
                          if (first_same[u] == u && sketch[i].empty())
                            Sketch(reads[i].seq, k_, s_, &sketch[i]);
                        }
                      });
    // Buckets in CSR form, members in increasing u, so a query for u scans
    // only earlier reads and stops at the first later one.
    std::vector<uint32_t> key_bucket;  // per (u, sketch slot), flattened
    std::vector<uint32_t> key_begin(m + 1, 0);
    std::vector<uint32_t> bucket_size;
    for (uint32_t u = 0; u < m; ++u) {
      key_begin[u] = static_cast<uint32_t>(key_bucket.size());
      if (first_same[u] != u) continue;  // duplicates of an earlier read are not indexed
      for (uint64_t key : sketch[um[u]]) {
        uint32_t& b = bucket_of.Upsert(key, static_cast<uint32_t>(bucket_size.size()));
        if (b == bucket_size.size()) bucket_size.push_back(0);
        ++bucket_size[b];
        key_bucket.push_back(b);
      }
    }
    key_begin[m] = static_cast<uint32_t>(key_bucket.size());
    std::vector<uint32_t> bucket_begin(bucket_size.size() + 1, 0);
    for (size_t b = 0; b < bucket_size.size(); ++b)
      bucket_begin[b + 1] = bucket_begin[b] + bucket_size[b];
    std::vector<uint32_t> members(key_bucket.size());
    {
      std::vector<uint32_t> fill(bucket_begin.begin(), bucket_begin.end() - 1);
      for (uint32_t u = 0; u < m; ++u)
        for (uint32_t t = key_begin[u]; t < key_begin[u + 1]; ++t)
          members[fill[key_bucket[t]]++] = u;
    }
    // Each read links to one earlier read it is close to.
    std::vector<uint32_t> parent(m);
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, m, 128), [&](const tbb::blocked_range<size_t>& r) {
          CandidateList cand;
          for (size_t u = r.begin(); u != r.end(); ++u) {
            parent[u] = static_cast<uint32_t>(u);
            if (first_same[u] != u) {
              parent[u] = first_same[u];
              continue;
            }
            const uint32_t i = um[u];
            cand.raw.clear();
            for (uint32_t t = key_begin[u]; t < key_begin[u + 1]; ++t) {
              const uint32_t b = key_bucket[t];
              const uint32_t end = std::min(bucket_begin[b + 1], bucket_begin[b] + kMaxBucketScan);
              for (uint32_t e = bucket_begin[b]; e < end && members[e] < u; ++e)
                cand.raw.push_back(members[e]);
            }
            cand.Rank(opt_.max_candidates);
            for (const auto& [neg, v] : cand.ranked) {
              if (Close(reads[i].seq, reads[um[v]].seq)) {
                parent[u] = static_cast<uint32_t>(v);
                break;
              }
            }
          }
        });
    // Union-find; the root of a component is its smallest member.
    std::vector<uint32_t> root(m);
    std::iota(root.begin(), root.end(), 0u);
    auto find = [&](uint32_t x) {
      while (root[x] != x) {
        root[x] = root[root[x]];
        x = root[x];
      }
      return x;
    };
    for (uint32_t u = 0; u < m; ++u) {
      uint32_t a = find(u), b = find(parent[u]);
      if (a != b) root[std::max(a, b)] = std::min(a, b);
    }
    std::vector<uint32_t> cluster_of(m, kNone);
    for (uint32_t u = 0; u < m; ++u) {
      uint32_t r = find(u);
      if (cluster_of[r] == kNone) {
        cluster_of[r] = static_cast<uint32_t>(clusters_.size());
        Cluster c;
        c.first_index = first_read_index + um[u];
        clusters_.push_back(std::move(c));
      }
      (*assign)[um[u]] = cluster_of[r];
    }
  }

  ClusterOptions opt_;
  int k_ = 14, s_ = 8, sketch_anchors_ = 2;
  bool noisy_ = false;
  double frac_ = 0.1;
  std::vector<Cluster> clusters_;
  FlatMap exact_;
  FlatMap halves_;  // first/last third of low-error anchors -> cluster
  int half_nt_ = 40;
  FlatMap sketch_heads_;                        // sketch key -> index in buckets_
  std::vector<std::vector<uint64_t>> buckets_;  // (cluster << 8 | anchor) per key, oldest first
};

// MatchToTargets on queries [q0, q1): the queries are indexed by sketch
// key; the targets' sketches stream past the index in parallel, emitting
// (query, target) pairs for every shared key; keys shared by more than
// kMaxBucketScan targets (low complexity) propose nothing.
void MatchBlock(const std::vector<std::string_view>& targets,
                const std::vector<std::string_view>& queries, size_t q0, size_t q1,
                const std::vector<uint64_t>& flat, const std::vector<uint16_t>& flat_n,
                const ClusterOptions& o, int k, int s, double frac, std::vector<int64_t>* out) {
  FlatMap bucket_of;
  std::vector<std::vector<uint32_t>> buckets;
  std::vector<uint64_t> sk;
  for (size_t q = q0; q < q1; ++q) {
    Sketch(queries[q], k, s, &sk);
    for (uint64_t key : sk) {
      uint32_t& b = bucket_of.Upsert(key, static_cast<uint32_t>(buckets.size()));
      if (b == buckets.size()) buckets.emplace_back();
      buckets[b].push_back(static_cast<uint32_t>(q));
    }
  }
  std::vector<std::atomic<uint32_t>> hits(buckets.size());
  const size_t n_targets = flat_n.size();
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n_targets, 256),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t t = r.begin(); t != r.end(); ++t)
                        for (size_t h = 0; h < flat_n[t]; ++h) {
                          const uint32_t b = bucket_of.Find(flat[t * s + h]);
                          if (b != kNone) hits[b].fetch_add(1, std::memory_order_relaxed);
                        }
                    });
  tbb::enumerable_thread_specific<std::vector<uint64_t>> pairs_local;
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, n_targets, 256), [&](const tbb::blocked_range<size_t>& r) {
        auto& pairs = pairs_local.local();
        for (size_t t = r.begin(); t != r.end(); ++t) {
          for (size_t h = 0; h < flat_n[t]; ++h) {
            const uint32_t b = bucket_of.Find(flat[t * s + h]);
            if (b == kNone ||
                hits[b].load(std::memory_order_relaxed) > static_cast<uint32_t>(kMaxBucketScan))
              continue;
            for (uint32_t q : buckets[b]) pairs.push_back((uint64_t{q} << 32) | t);
          }
        }
      });
  std::vector<uint64_t> pairs;
  size_t n = 0;
  for (auto& p : pairs_local) n += p.size();
  pairs.reserve(n);
  for (auto& p : pairs_local) {
    pairs.insert(pairs.end(), p.begin(), p.end());
    std::vector<uint64_t>().swap(p);
  }
  std::sort(pairs.begin(), pairs.end());
  // Per query: candidates ranked by shared keys (then lower index).
  std::vector<size_t> begin;
  for (size_t i = 0; i < pairs.size(); ++i)
    if (i == 0 || (pairs[i] >> 32) != (pairs[i - 1] >> 32)) begin.push_back(i);
  begin.push_back(pairs.size());
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, begin.size() - 1, 16),
      [&](const tbb::blocked_range<size_t>& r) {
        CandidateList cand;
        for (size_t g = r.begin(); g != r.end(); ++g) {
          const size_t q = pairs[begin[g]] >> 32;
          cand.raw.clear();
          for (size_t i = begin[g]; i < begin[g + 1]; ++i)
            cand.raw.push_back(pairs[i] & 0xFFFFFFFFu);
          cand.Rank(std::max(1, o.max_candidates));
          int best_d = -1;
          for (const auto& [neg, t] : cand.ranked) {
            const std::string_view a = queries[q];
            const std::string_view b = targets[t];
            size_t l = std::max({a.size(), b.size(), static_cast<size_t>(o.payload_nt)});
            int max_d = static_cast<int>(std::ceil(frac * static_cast<double>(l)));
            if (best_d >= 0) max_d = std::min(max_d, best_d - 1);
            int d = BoundedEditDistance(a, b, max_d);
            if (d >= 0 && (best_d < 0 || d < best_d)) {
              best_d = d;
              (*out)[q] = static_cast<int64_t>(t);
            }
          }
        }
      });
}

}  // namespace

double ClusterEditFraction(double error_rate) {
  if (!(error_rate >= 0)) error_rate = kDefaultReadErrorRate;
  return std::clamp(0.05 + 3.0 * error_rate, 0.08, 0.35);
}

int OneIndelDistance(std::string_view a, std::string_view b, int limit, int* indel_pos) {
  if (a.size() == b.size()) {
    int mism = 0;
    for (size_t i = 0; i < a.size() && mism <= limit; ++i) mism += a[i] != b[i];
    if (indel_pos) *indel_pos = -1;
    return mism;
  }
  if (a.size() < b.size()) std::swap(a, b);  // a is the longer one
  if (a.size() != b.size() + 1) return limit + 1;
  // suf[p] = mismatches of a[p + 1, n) vs b[p, n - 1); pre = of a[0, p) vs b[0, p).
  const int m = static_cast<int>(b.size());
  uint32_t stack[1026];
  std::vector<uint32_t> heap;
  uint32_t* suf = stack;
  if (m + 1 > 1026) {
    heap.resize(static_cast<size_t>(m) + 1);
    suf = heap.data();
  }
  suf[m] = 0;
  for (int p = m - 1; p >= 0; --p) suf[p] = suf[p + 1] + (a[p + 1] != b[p]);
  int best = static_cast<int>(suf[0]), best_p = 0, pre = 0;
  for (int p = 1; p <= m && pre < best; ++p) {
    pre += a[p - 1] != b[p - 1];
    if (pre + static_cast<int>(suf[p]) < best) {
      best = pre + static_cast<int>(suf[p]);
      best_p = p;
    }
  }
  if (indel_pos) *indel_pos = best_p;
  return best + 1;
}

int BoundedEditDistance(std::string_view a, std::string_view b, int max_edits) {
  if (max_edits < 0) return -1;
  const size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > static_cast<size_t>(max_edits)) return -1;
  if (a == b) return 0;
  if (a.empty() || b.empty()) return static_cast<int>(diff);
  EdlibAlignResult r =
      edlibAlign(a.data(), static_cast<int>(a.size()), b.data(), static_cast<int>(b.size()),
                 edlibNewAlignConfig(max_edits, EDLIB_MODE_NW, EDLIB_TASK_DISTANCE, nullptr, 0));
  int d = (r.status == EDLIB_STATUS_OK) ? r.editDistance : -1;
  edlibFreeAlignResult(r);
  return d;
}

std::vector<int64_t> MatchToTargets(const std::vector<std::string_view>& targets,
                                    const std::vector<std::string_view>& queries,
                                    const ClusterOptions& o) {
  const FrontEndProfile& profile = FrontEndProfileFor(o.error_rate);
  const int k = o.kmer_nt > 0 ? std::clamp(o.kmer_nt, 4, 31) : profile.kmer_nt;
  const int s = o.sketch_size > 0 ? std::clamp(o.sketch_size, 1, 256) : profile.sketch_size;
  const double frac =
      o.max_edit_fraction > 0 ? o.max_edit_fraction : ClusterEditFraction(o.error_rate);
  std::vector<int64_t> out(queries.size(), -1);
  if (targets.empty() || queries.empty()) return out;
  // Targets' sketches (flat, s slots each), once.
  std::vector<uint64_t> flat(targets.size() * static_cast<size_t>(s), 0);
  std::vector<uint16_t> flat_n(targets.size(), 0);
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, targets.size(), 256), [&](const tbb::blocked_range<size_t>& r) {
        std::vector<uint64_t> ts;
        for (size_t t = r.begin(); t != r.end(); ++t) {
          Sketch(targets[t], k, s, &ts);
          flat_n[t] = static_cast<uint16_t>(ts.size());
          std::copy(ts.begin(), ts.end(), flat.begin() + static_cast<std::ptrdiff_t>(t * s));
        }
      });
  // The queries in blocks, so that the (query, target) pairs of one block
  // bound the memory; each query's answer does not depend on the blocks.
  for (size_t q0 = 0; q0 < queries.size(); q0 += kMatchQueryBlock) {
    const size_t q1 = std::min(queries.size(), q0 + kMatchQueryBlock);
    MatchBlock(targets, queries, q0, q1, flat, flat_n, o, k, s, frac, &out);
  }
  return out;
}

std::unique_ptr<ReadClusterer> MakeReadClusterer(const ClusterOptions& options) {
  switch (options.method) {
    case ClusterMethod::kSketchGreedy:
      break;
  }
  return std::make_unique<SketchGreedyClusterer>(options);
}

uint64_t MinimizerHash(std::string_view seq, int k) {
  uint64_t best = UINT64_MAX;
  ForEachKmerHash(seq, k, [&best](uint64_t h) { best = std::min(best, h); });
  return best;
}

}  // namespace dnastore
