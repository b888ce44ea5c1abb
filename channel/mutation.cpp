// The generic mutation kernel every error stage uses (synthesis, decay, PCR,
// sequencing), and ApplyEdits, its inverse on the truth.
#include "channel/mutation.h"

#include <algorithm>

#include "channel/illumina.h"
#include "channel/nanopore.h"

namespace dnastore::channel {

SubTable::SubTable(const SubstitutionBias& b) {
  double rows[4], total = 0;
  for (int f = 0; f < 4; ++f) {
    rows[f] = 0;
    for (int t = 0; t < 4; ++t)
      if (t != f) rows[f] += b[f][t];
    total += rows[f];
  }
  if (total > 0) {
    max_rel = 0;
    for (int f = 0; f < 4; ++f) {
      rel[f] = rows[f] / (total / 4);
      max_rel = std::max(max_rel, rel[f]);
    }
  }
  for (int f = 0; f < 4; ++f) {
    double w[3], sum = 0;
    int k = 0;
    for (int t = 0; t < 4; ++t) {
      if (t == f) continue;
      to[f][k] = kBases[t];
      w[k] = b[f][t];
      sum += w[k++];
    }
    if (!(sum > 0)) {
      w[0] = w[1] = w[2] = 1;
      sum = 3;
    }
    double acc = 0;
    for (k = 0; k < 3; ++k) cdf[f][k] = (acc += w[k] / sum);
    cdf[f][2] = 1.0;
  }
}

namespace {

// One Mutate call: the stage's rates over this read, as candidate bounds for
// thinning. Candidates are placed at rate p_max; each is accepted with its
// position's share of that bound, then split into an event type.
struct Candidates {
  const StageModel& m;
  const View& v;
  bool reverse;
  IlluminaProfile prof;
  double prof_mean = 1.0, max_factor = 1.0;
  double del_norm = 1.0, p_tot = 0, log_q = 0;

  Candidates(const StageModel& model, const View& view, bool rev, double scale)
      : m(model), v(view), reverse(rev), prof{model.end_factor} {
    if (m.mode == FactorMode::kIllumina) {
      prof_mean = prof.Mean(v.n);
      max_factor = prof.Max() / prof_mean;
    } else if (m.mode == FactorMode::kHomopolymer) {
      max_factor = std::max(1.0, m.hp_factor);
    }
    // `scale` is this molecule's / read's rate multiplier (error clustering);
    // the type split below is relative to p_tot and unaffected by it.
    double p_del_max = m.p_del;
    if (m.del_5p_excess > 0) {
      // Over the synthesized part: the primers' margins are not made here.
      const uint32_t margins = m.lo_margin + m.hi_margin;
      const double d = m.del_5p_decay_nt, n = v.n > margins ? v.n - margins : 1;
      del_norm = 1.0 + m.del_5p_excess * d * (1.0 - std::exp(-n / d)) / n;
      p_del_max = m.p_del * (1.0 + m.del_5p_excess) / del_norm;
    }
    p_tot = m.p_tot - m.p_del + p_del_max;
    double p_max = std::min(0.95, p_tot * max_factor * scale);
    log_q = std::log1p(-p_max);
  }

  // Share of the bound that position p's rate is (>= 1: always accepted).
  double Acceptance(uint32_t p) const {
    if (m.mode == FactorMode::kIllumina) {
      uint32_t r = reverse ? v.n - 1 - p : p;
      return prof.Raw(r, v.n) / prof_mean / max_factor;
    }
    if (m.mode == FactorMode::kHomopolymer && max_factor > 1.0) {
      return HomopolymerFactor(v, p, m.hp_min, m.hp_factor) / max_factor;
    }
    return 1.0;
  }

  // Whether a deletion drawn at p (u_del into the deletion share of the
  // bound) is rejected: away from the 5' end its rate is below the bound.
  bool DeletionRejected(double u_del, uint32_t p) const {
    return m.del_5p_excess > 0 &&
           u_del >= m.p_del *
                        (1.0 + m.del_5p_excess * std::exp(-static_cast<double>(p - m.lo_margin) /
                                                          m.del_5p_decay_nt)) /
                        del_norm;
  }
};

// Rewrites the tokens of one Mutate call into a scratch buffer, event by
// event; the buffer is claimed at the first accepted candidate.
struct Rewriter {
  Scratch& s;
  const View& v;
  bool record;
  Buf* out = nullptr;
  uint32_t cursor = 0;

  // Copies the tokens up to p (exclusive) into the output.
  void CopyTo(uint32_t p) {
    if (!out) {
      out = &NextBuf(s);
      out->Clear(v.n + 16);
      if (record) s.seq_err.clear();
    }
    out->Append(v, cursor, p);
    cursor = p;
  }
  void Substitute(uint32_t p, char to) {
    if (record) s.seq_err.push_back(out->n);
    out->Push(to, v.o[p]);
    cursor = p + 1;
  }
  void Insert(uint32_t p, uint32_t len, bool same_base, Rng& rng) {
    for (uint32_t i = 0; i < len; ++i) {
      if (record) s.seq_err.push_back(out->n);
      out->Push(same_base ? v.b[p] : kBases[rng.Below(4)], -1);
    }
    out->Push(v.b[p], v.o[p]);
    cursor = p + 1;
  }
  // Deletes [p, end). Base callers usually lower the quality next to a
  // deletion: the next base written gets an error quality half of the time.
  void Delete(uint32_t end, Rng& rng) {
    if (record && end < v.n && rng.Uniform() < 0.5) s.seq_err.push_back(out->n);
    cursor = end;
  }
  void Finish(View& result) {
    if (!out) return;
    out->Append(v, cursor, v.n);
    result = out->view();
  }
};

// Draws the event of an accepted candidate at p; returns the position after
// it (where the next skip starts). A candidate on a less mutable base, or a
// deletion away from the 5' end, is rejected there without an event.
uint64_t Event(const Candidates& c, uint32_t p, uint32_t hi, Rng& rng, Rewriter& w,
               uint64_t* events) {
  const StageModel& m = c.m;
  const View& v = c.v;
  w.CopyTo(p);
  double u = rng.Uniform() * c.p_tot;
  const double p_sub_max = m.p_sub * m.sub.max_rel;
  if (u < p_sub_max) {
    int code = BaseCode(v.b[p]);
    if (code >= 0 && c.reverse) code = 3 - code;
    if (code >= 0 && u >= m.p_sub * m.sub.rel[code]) return uint64_t{p} + 1;
    char from = v.b[p];
    char to =
        c.reverse ? ComplementBase(m.sub.Draw(ComplementBase(from), rng)) : m.sub.Draw(from, rng);
    w.Substitute(p, to);
    ++events[0];
    return uint64_t{p} + 1;
  }
  if (u < p_sub_max + m.p_ins) {
    w.Insert(p, m.ins_len.Draw(rng), m.ins_same_base, rng);
    ++events[1];
    return uint64_t{p} + 1;
  }
  if (c.DeletionRejected(u - p_sub_max - m.p_ins, p)) return uint64_t{p} + 1;
  uint32_t len = m.del_len.Draw(rng);
  uint32_t end = std::min<uint32_t>(p + len, hi);
  w.Delete(end, rng);
  ++events[2];
  return end;  // continue after the deleted bases
}

}  // namespace

void Mutate(const StageModel& m, Rng& rng, Scratch& s, View& v, bool reverse, bool record,
            uint64_t* events, double scale) {
  if (!m.active() || v.n == 0) return;
  const Candidates c(m, v, reverse, scale);
  uint32_t lo = m.lo_margin, hi = v.n > m.hi_margin ? v.n - m.hi_margin : 0;
  if (lo >= hi) return;
  uint64_t pos = lo + GeometricSkip(rng, c.log_q);
  if (pos >= hi) return;
  Rewriter w{s, v, record};
  while (pos < hi) {
    uint32_t p = static_cast<uint32_t>(pos);
    double accept = c.Acceptance(p);
    uint64_t next = pos + 1;  // candidate rejected by thinning
    if (accept >= 1.0 || rng.Uniform() < accept) next = Event(c, p, hi, rng, w, events);
    pos = next + GeometricSkip(rng, c.log_q);
  }
  w.Finish(v);
}

Result<std::string> ApplyEdits(const std::string& ref, const std::vector<Edit>& edits) {
  std::string out;
  size_t cursor = 0;
  for (const Edit& e : edits) {
    if (e.pos < cursor || e.pos > ref.size())
      return BadInput("edit at " + std::to_string(e.pos) + " is out of order or out of range");
    out.append(ref, cursor, e.pos - cursor);
    cursor = e.pos;
    switch (e.type) {
      case EditType::kSubstitution:
        if (e.pos >= ref.size() || e.bases.size() != 1)
          return BadInput("bad substitution at " + std::to_string(e.pos));
        out += e.bases;
        ++cursor;
        break;
      case EditType::kInsertion:
        out += e.bases;
        break;
      case EditType::kDeletion:
        if (e.pos + e.length > ref.size())
          return BadInput("deletion at " + std::to_string(e.pos) + " runs past the end");
        cursor += e.length;
        break;
    }
  }
  out.append(ref, cursor, std::string::npos);
  return out;
}

}  // namespace dnastore::channel
