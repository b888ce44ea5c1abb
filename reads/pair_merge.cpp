#include "reads/pair_merge.h"

#include <algorithm>

#include "core/dna.h"
#include "core/phred.h"

namespace dnastore {

bool MergePair(const SeqRecord& r1, const SeqRecord& r2, const PairMergeOptions& options,
               SeqRecord* merged) {
  const std::string& a = r1.seq;
  const std::string b = ReverseComplement(r2.seq);  // r2 in r1's orientation
  const int la = static_cast<int>(a.size()), lb = static_cast<int>(b.size());
  const int min_ov = std::max(1, options.min_overlap_nt);
  if (la < min_ov || lb < min_ov) return false;
  const bool qa = r1.qual.size() == a.size(), qb = r2.qual.size() == r2.seq.size();
  // b occupies [o, o + lb) in a's coordinates; o < 0 means read-through.
  // Score = overlap - 5 * mismatches: long clean overlaps beat short exact
  // ones (a random 12-mer match must not win over a true 150-nt overlap).
  int best_o = 0, best_score = -1;
  for (int o = -(lb - min_ov); o <= la - min_ov; ++o) {
    const int lo = std::max(0, o), hi = std::min(la, o + lb);
    const int ov = hi - lo;
    if (ov < min_ov) continue;
    const int max_mm = static_cast<int>(options.max_mismatch_fraction * ov);
    int mm = 0;
    for (int i = lo; i < hi && mm <= max_mm; ++i) mm += a[i] != b[i - o] || a[i] == 'N';
    if (mm > max_mm) continue;
    const int score = ov - 5 * mm;
    if (score > best_score) {
      best_score = score;
      best_o = o;
    }
  }
  if (best_score < 0) return false;
  const int o = best_o;
  // Span of the insert in a's coordinates.
  const int begin = 0;
  const int end = o >= 0 ? std::max(la, o + lb) : std::min(la, o + lb);
  merged->name = r1.name;
  merged->seq.assign(static_cast<size_t>(end - begin), 'N');
  const bool with_qual = qa && qb;
  merged->qual.assign(with_qual ? merged->seq.size() : 0, '!');
  // b's qualities in a's orientation: r2.qual reversed.
  auto qual_b = [&](int j) { return r2.qual[static_cast<size_t>(lb - 1 - j)]; };
  for (int p = begin; p < end; ++p) {
    const bool in_a = p < la, in_b = p >= o && p < o + lb;
    char base;
    int q;
    if (in_a && in_b) {
      char ca = a[p], cb = b[p - o];
      int qa_v = with_qual ? PhredScore(r1.qual[p]) : 30;
      int qb_v = with_qual ? PhredScore(qual_b(p - o)) : 30;
      if (ca == cb) {
        base = ca;
        q = std::min(60, std::max(qa_v, qb_v) + std::min(10, std::min(qa_v, qb_v)));
      } else if (qa_v >= qb_v) {
        base = ca;
        q = std::max(2, qa_v - qb_v);
      } else {
        base = cb;
        q = std::max(2, qb_v - qa_v);
      }
    } else if (in_a) {
      base = a[p];
      q = with_qual ? PhredScore(r1.qual[p]) : 30;
    } else {
      base = b[p - o];
      q = with_qual ? PhredScore(qual_b(p - o)) : 30;
    }
    merged->seq[p] = base;
    if (with_qual) merged->qual[p] = PhredChar(std::clamp(q, 0, 93));
  }
  return true;
}

}  // namespace dnastore
