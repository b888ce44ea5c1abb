#include "reads/primer_trim.h"

#include <edlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <unordered_map>

#include "core/dna.h"

namespace dnastore {
namespace {

bool IsAcgt(const std::string& s) {
  for (char c : s)
    if (c != 'A' && c != 'C' && c != 'G' && c != 'T') return false;
  return !s.empty();
}

std::string Upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// Candidate boundary positions of one primer hit (several optimal alignments
// may end at different places; the caller picks the pair giving the most
// plausible payload length).
struct Boundaries {
  int edits = -1;
  int n = 0;
  std::array<int, 4> pos{};
};

Boundaries Search(std::string_view window, const std::string& primer, int max_edits, bool want_end,
                  int offset) {
  Boundaries b;
  if (window.empty()) return b;
  EdlibAlignResult r =
      edlibAlign(primer.data(), static_cast<int>(primer.size()), window.data(),
                 static_cast<int>(window.size()),
                 edlibNewAlignConfig(max_edits, EDLIB_MODE_HW,
                                     want_end ? EDLIB_TASK_DISTANCE : EDLIB_TASK_LOC, nullptr, 0));
  if (r.status == EDLIB_STATUS_OK && r.editDistance >= 0) {
    b.edits = r.editDistance;
    for (int i = 0; i < r.numLocations && b.n < 4; ++i) {
      // Start primer: the payload begins after the match end. End primer: the
      // payload ends at the match start.
      int p = want_end ? r.endLocations[i] + 1 : r.startLocations[i];
      b.pos[b.n++] = p + offset;
    }
  }
  edlibFreeAlignResult(r);
  return b;
}

}  // namespace

Result<PrimerTrimmer> PrimerTrimmer::Create(const PrimerTrimOptions& options) {
  PrimerTrimmer t;
  t.options_ = options;
  t.options_.fwd_primer = Upper(options.fwd_primer);
  t.options_.rev_primer = Upper(options.rev_primer);
  const bool primers_ok = IsAcgt(t.options_.fwd_primer) && IsAcgt(t.options_.rev_primer);
  const bool none = t.options_.fwd_primer.empty() && t.options_.rev_primer.empty();
  if (!primers_ok && !(options.primers_removed && none))
    return UsageError("primers must be non-empty ACGT sequences (got '" + options.fwd_primer +
                      "', '" + options.rev_primer + "')");
  if (!(options.max_primer_error_fraction >= 0 && options.max_primer_error_fraction < 1) ||
      !(options.max_payload_length_deviation >= 0 && options.max_payload_length_deviation < 1))
    return UsageError("primer error fraction and payload length deviation must be in [0, 1)");
  if (options.primer_search_slack_nt < 0 || options.payload_nt < 0)
    return UsageError("primer search slack and payload length must be >= 0");
  t.fwd_rc_ = ReverseComplement(t.options_.fwd_primer);
  t.rev_rc_ = ReverseComplement(t.options_.rev_primer);
  auto edits = [&](size_t n) {
    return static_cast<int>(std::floor(options.max_primer_error_fraction * n + 0.5));
  };
  t.max_edits_fwd_ = edits(t.options_.fwd_primer.size());
  t.max_edits_rev_ = edits(t.options_.rev_primer.size());
  return t;
}

bool PrimerTrimmer::TakeWhole(std::string_view seq, std::string_view qual, TrimmedRead* out) const {
  if (!PlausibleLength(seq.size())) return false;
  std::string rc = ReverseComplement(std::string(seq));
  if (rc < seq) {
    out->seq = std::move(rc);
    out->qual.assign(qual.rbegin(), qual.rend());
    out->orientation = ReadOrientation::kReverse;
  } else {
    out->seq.assign(seq);
    out->qual.assign(qual);
    out->orientation = ReadOrientation::kForward;
  }
  out->start_primer_edits = out->end_primer_edits = 0;
  return true;
}

bool PrimerTrimmer::PlausibleLength(size_t n) const {
  if (n > static_cast<size_t>(std::max(1, options_.max_payload_nt))) return false;
  if (options_.payload_nt > 0) {
    double lo = (1.0 - options_.max_payload_length_deviation) * options_.payload_nt;
    double hi = (1.0 + options_.max_payload_length_deviation) * options_.payload_nt;
    return n >= std::max(1.0, lo) && n <= hi;
  }
  return n >= static_cast<size_t>(std::max(1, options_.min_payload_nt));
}

bool PrimerTrimmer::Trim(std::string_view seq, std::string_view qual, TrimmedRead* out) const {
  out->orientation = ReadOrientation::kJunk;
  out->seq.clear();
  out->qual.clear();
  out->start_primer_edits = out->end_primer_edits = -1;
  const int n = static_cast<int>(seq.size());
  const bool has_qual = !qual.empty() && qual.size() == seq.size();

  // Normalise case lazily: reads from SeqReader are upper case already.
  std::string upper_buf;
  for (char c : seq) {
    if (c >= 'a' && c <= 'z') {
      upper_buf = Upper(std::string(seq));
      seq = upper_buf;
      break;
    }
  }
  if (options_.primers_removed) return TakeWhole(seq, has_qual ? qual : std::string_view(), out);

  struct Candidate {
    bool ok = false;
    int edits = 0, start_edits = 0, end_edits = 0, begin = 0, end = 0;
  };
  auto evaluate = [&](const std::string& start_primer, int start_max, const std::string& end_primer,
                      int end_max) {
    Candidate c;
    const int ls = static_cast<int>(start_primer.size());
    const int le = static_cast<int>(end_primer.size());
    if (n < ls + le) return c;
    Boundaries s, e;
    // Fast path: exact primers at the very ends (most Illumina reads).
    if (std::string_view(seq.data(), ls) == start_primer) {
      s.edits = 0;
      s.n = 1;
      s.pos[0] = ls;
    } else {
      int w = std::min(n, ls + options_.primer_search_slack_nt);
      s = Search(seq.substr(0, w), start_primer, start_max, true, 0);
      if (s.edits < 0) return c;
    }
    if (std::string_view(seq.data() + n - le, le) == end_primer) {
      e.edits = 0;
      e.n = 1;
      e.pos[0] = n - le;
    } else {
      int w = std::min(n, le + options_.primer_search_slack_nt);
      e = Search(seq.substr(n - w), end_primer, end_max, false, n - w);
      if (e.edits < 0) return c;
    }
    // Pick the boundary pair giving the most plausible payload length.
    int best_cost = 1 << 30;
    for (int i = 0; i < s.n; ++i) {
      for (int j = 0; j < e.n; ++j) {
        int len = e.pos[j] - s.pos[i];
        if (len <= 0) continue;
        int cost = options_.payload_nt > 0 ? std::abs(len - options_.payload_nt)
                                           : -len;  // unknown length: widest payload
        if (cost < best_cost) {
          best_cost = cost;
          c.begin = s.pos[i];
          c.end = e.pos[j];
          c.ok = true;
        }
      }
    }
    c.start_edits = s.edits;
    c.end_edits = e.edits;
    c.edits = s.edits + e.edits;
    return c;
  };

  Candidate fwd = evaluate(options_.fwd_primer, max_edits_fwd_, rev_rc_, max_edits_rev_);
  Candidate rev;
  // Both primers found with <= 2 edits in total: the reverse orientation
  // cannot do better unless the primers are near-identical; skip it.
  if (!(fwd.ok && fwd.edits <= 2 && fwd.edits * 4 <= max_edits_fwd_ + max_edits_rev_))
    rev = evaluate(options_.rev_primer, max_edits_rev_, fwd_rc_, max_edits_fwd_);
  bool use_rev = rev.ok && (!fwd.ok || rev.edits < fwd.edits);
  const Candidate& c = use_rev ? rev : fwd;
  if (!c.ok || !PlausibleLength(static_cast<size_t>(c.end - c.begin))) return false;

  std::string_view payload = seq.substr(c.begin, c.end - c.begin);
  if (use_rev) {
    out->seq = ReverseComplement(payload);
    if (has_qual) out->qual.assign(qual.rbegin() + (n - c.end), qual.rbegin() + (n - c.begin));
    out->orientation = ReadOrientation::kReverse;
  } else {
    out->seq.assign(payload);
    if (has_qual) out->qual.assign(qual.substr(c.begin, c.end - c.begin));
    out->orientation = ReadOrientation::kForward;
  }
  out->start_primer_edits = static_cast<int16_t>(c.start_edits);
  out->end_primer_edits = static_cast<int16_t>(c.end_edits);
  return true;
}

void CollapseHomopolymers(std::string_view seq, std::string_view qual, std::string* out_seq,
                          std::string* out_qual) {
  const bool has_qual = !qual.empty() && qual.size() == seq.size();
  out_seq->clear();
  out_qual->clear();
  for (size_t i = 0; i < seq.size();) {
    size_t j = i + 1;
    char q = has_qual ? qual[i] : 0;
    while (j < seq.size() && seq[j] == seq[i]) {
      if (has_qual) q = std::max(q, qual[j]);
      ++j;
    }
    out_seq->push_back(seq[i]);
    if (has_qual) out_qual->push_back(q);
    i = j;
  }
}

namespace {

// Window variant of InferPrimers: the most common k-mer within the first
// k + kWindowSlackNt bases of reads is one primer (as it starts reads of its
// strand); among reads containing it, the most common k-mer near the read end
// is the reverse complement of the other primer.
InferredPrimers InferPrimersInWindows(const std::vector<SeqRecord>& sample, size_t k) {
  constexpr size_t kWindowSlackNt = 24;
  InferredPrimers res;
  res.reads_examined = sample.size();
  auto window_kmers = [&](const std::string& s, bool at_start, std::vector<std::string>* out) {
    out->clear();
    if (s.size() < k) return;
    const size_t w = std::min(s.size(), k + kWindowSlackNt);
    const size_t begin = at_start ? 0 : s.size() - w;
    for (size_t p = begin; p + k <= begin + w; ++p) {
      std::string km = s.substr(p, k);
      if (km.find_first_not_of("ACGT") == std::string::npos) out->push_back(std::move(km));
    }
    std::sort(out->begin(), out->end());
    out->erase(std::unique(out->begin(), out->end()), out->end());
  };
  constexpr size_t kMaxSample = 20000;  // bounded time on big batches
  std::vector<std::string> upper;
  for (size_t i = 0; i < sample.size() && i < kMaxSample; ++i)
    upper.push_back(Upper(sample[i].seq));
  std::map<std::string, uint64_t> start_counts;
  std::vector<std::string> km;
  for (const std::string& s : upper) {
    window_kmers(s, true, &km);
    for (auto& x : km) ++start_counts[x];
  }
  std::string p1;
  uint64_t p1_count = 0;
  for (const auto& [x, c] : start_counts)
    if (c > p1_count) {
      p1 = x;
      p1_count = c;
    }
  if (p1.empty()) return res;
  std::map<std::string, uint64_t> end_counts;
  std::vector<std::string> ends;
  for (const std::string& s : upper) {
    window_kmers(s, true, &km);
    if (!std::binary_search(km.begin(), km.end(), p1)) continue;
    window_kmers(s, false, &ends);
    for (auto& x : ends) ++end_counts[x];
  }
  std::string e1;
  uint64_t e1_count = 0;
  for (const auto& [x, c] : end_counts)
    if (c > e1_count) {
      e1 = x;
      e1_count = c;
    }
  if (e1.empty()) return res;
  // Orientation: FWD is the primer starting more reads.
  const std::string other = ReverseComplement(e1);
  uint64_t other_count = 0;
  if (auto it = start_counts.find(other); it != start_counts.end()) other_count = it->second;
  const bool p1_is_fwd = p1_count > other_count || (p1_count == other_count && p1 <= other);
  res.fwd_primer = p1_is_fwd ? p1 : other;
  res.rev_primer = p1_is_fwd ? other : p1;
  res.reads_supporting = e1_count;
  res.reads_forward = std::max(p1_count, other_count);
  return res;
}

}  // namespace

namespace {

// Grows both primers base by base while at least 90% of the reads that
// carry them as grown so far (either strand, exactly: a read with an indel
// in the primer would shift the next base) agree on the next base, up to
// kMaxLength nt.
void ExtendByConservation(const std::vector<SeqRecord>& sample, InferredPrimers* p) {
  constexpr size_t kMaxLength = 32, kMaxSample = 20000;
  for (std::string* primer : {&p->fwd_primer, &p->rev_primer}) {
    while (primer->size() < kMaxLength) {
      const std::string probe = *primer, probe_rc = ReverseComplement(*primer);
      const size_t at = primer->size();
      uint64_t counts[4] = {0, 0, 0, 0}, total = 0;
      for (size_t i = 0; i < sample.size() && i < kMaxSample; ++i) {
        const std::string& r = sample[i].seq;
        if (r.size() < 2 * kMaxLength) continue;
        int code = -1;
        if (r.compare(0, probe.size(), probe) == 0)  // this strand: the primer starts the read
          code = BaseCode(r[at]);
        else if (r.compare(r.size() - probe.size(), probe.size(), probe_rc) == 0)
          code = 3 - BaseCode(r[r.size() - 1 - at]);  // the other: its reverse complement ends it
        if (code < 0 || code > 3) continue;
        ++counts[code];
        ++total;
      }
      const int best = static_cast<int>(std::max_element(counts, counts + 4) - counts);
      if (total < 3 || counts[best] < 0.9 * static_cast<double>(total)) break;
      primer->push_back("ACGT"[best]);
    }
  }
}

}  // namespace

Result<InferredPrimers> InferPrimers(const std::vector<SeqRecord>& sample, int primer_length) {
  if (primer_length != 0) return InferPrimersOfLength(sample, primer_length);
  Result<InferredPrimers> res = InferPrimersOfLength(sample, kMinInferredPrimerNt);
  if (res.ok()) ExtendByConservation(sample, &res.value());
  return res;
}

Result<InferredPrimers> InferPrimersOfLength(const std::vector<SeqRecord>& sample,
                                             int primer_length) {
  if (primer_length < 8) return UsageError("primer length must be at least 8 nt");
  const size_t k = static_cast<size_t>(primer_length);
  // Pair (prefix, suffix) -> count; a read of the other strand shows the
  // mirror pair (RC(suffix), RC(prefix)).
  std::unordered_map<std::string, uint64_t> pair_counts;
  InferredPrimers res;
  for (const SeqRecord& r : sample) {
    ++res.reads_examined;
    if (r.seq.size() < 2 * k) continue;
    std::string s = Upper(r.seq);
    std::string key = s.substr(0, k) + s.substr(s.size() - k);
    if (key.find_first_not_of("ACGT") != std::string::npos) continue;
    ++pair_counts[key];
  }
  // Fold mirrors; deterministic choice: highest count, then smallest key.
  std::string best_key;
  uint64_t best = 0, best_fwd = 0;
  for (const auto& [key, cnt] : pair_counts) {
    std::string p = key.substr(0, k), s = key.substr(k);
    std::string mirror = ReverseComplement(s) + ReverseComplement(p);
    auto it = pair_counts.find(mirror);
    uint64_t mirror_cnt = (it != pair_counts.end() && mirror != key) ? it->second : 0;
    uint64_t total = cnt + mirror_cnt;
    // Orientation: this key's prefix is FWD if it starts more reads than the mirror's.
    bool this_is_fwd = cnt > mirror_cnt || (cnt == mirror_cnt && key <= mirror);
    if (!this_is_fwd) continue;  // the mirror key will be considered as FWD
    if (total > best || (total == best && key < best_key)) {
      best = total;
      best_key = key;
      best_fwd = cnt;
    }
  }
  res.fwd_primer = best_key.substr(0, k);
  res.rev_primer = best_key.empty() ? "" : ReverseComplement(best_key.substr(k));
  res.reads_supporting = best;
  res.reads_forward = best_fwd;
  // Noisy reads (nanopore) or adapters before the primers: exact primers at
  // the exact read ends are rare, so look for them in windows near the ends.
  if (best * 20 < res.reads_examined) {
    InferredPrimers w = InferPrimersInWindows(sample, k);
    if (w.reads_supporting > res.reads_supporting) res = w;
  }
  if (res.reads_supporting < 3 || res.reads_supporting * 100 < res.reads_examined)
    return BadInput("cannot infer primers: no primer pair is shared by enough reads (best " +
                    std::to_string(res.reads_supporting) + " of " +
                    std::to_string(res.reads_examined) + ")");
  return res;
}

PrimerErrorProfile EstimatePrimerErrors(const SeqRecord* reads, size_t n,
                                        const std::string& fwd_primer,
                                        const std::string& rev_primer, double max_error_fraction,
                                        int slack_nt) {
  constexpr int kEdge = 3;  // primer bases at each end not counted
  uint64_t sub = 0, ins = 0, del = 0, nt = 0;
  const size_t sample = std::min<size_t>(n, 4096);
  for (size_t r = 0; r < sample; ++r) {
    const std::string& seq = reads[r].seq;
    // The read starts with one of the primers: the nearer one (primers
    // that look alike would otherwise be taken for each other, and the
    // difference counted as errors).
    EdlibAlignResult best{};
    best.status = -1;
    int best_lp = 0;
    for (const std::string* primer : {&fwd_primer, &rev_primer}) {
      const int lp = static_cast<int>(primer->size());
      if (lp == 0) continue;
      const int max_edits = static_cast<int>(std::floor(max_error_fraction * lp + 0.5));
      const int w = std::min(static_cast<int>(seq.size()), lp + slack_nt);
      if (w <= 0) continue;
      // Primer = query, read = target: an edlib "insertion" is a primer base
      // missing from the read, a "deletion" a read base not in the primer.
      EdlibAlignResult a =
          edlibAlign(primer->data(), lp, seq.data(), w,
                     edlibNewAlignConfig(max_edits, EDLIB_MODE_HW, EDLIB_TASK_PATH, nullptr, 0));
      const bool found = a.status == EDLIB_STATUS_OK && a.editDistance >= 0 && a.alignment;
      if (found && (best.status != EDLIB_STATUS_OK || a.editDistance < best.editDistance)) {
        if (best.status == EDLIB_STATUS_OK) edlibFreeAlignResult(best);
        best = a;
        best_lp = lp;
      } else {
        edlibFreeAlignResult(a);
      }
    }
    if (best.status != EDLIB_STATUS_OK) continue;
    if (best_lp > 2 * kEdge) {
      // Only the primer's interior counts: at its ends an indel and a
      // substitution cost the same to a local alignment.
      int qi = 0;  // primer bases consumed so far
      for (int i = 0; i < best.alignmentLength; ++i) {
        const unsigned char op = best.alignment[i];
        const bool interior = qi >= kEdge && qi < best_lp - kEdge;
        if (interior) {
          del += op == EDLIB_EDOP_INSERT;
          ins += op == EDLIB_EDOP_DELETE;
          sub += op == EDLIB_EDOP_MISMATCH;
        }
        if (op != EDLIB_EDOP_DELETE) ++qi;
      }
      nt += static_cast<uint64_t>(best_lp - 2 * kEdge);
    }
    edlibFreeAlignResult(best);
  }
  PrimerErrorProfile p;
  p.bases = nt;
  if (nt > 0) {
    const double d = static_cast<double>(nt);
    p.sub = static_cast<double>(sub) / d;
    p.ins = static_cast<double>(ins) / d;
    p.del = static_cast<double>(del) / d;
  }
  return p;
}

}  // namespace dnastore
