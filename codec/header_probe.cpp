#include "codec/header_probe.h"

#include <algorithm>

#include "codec/data_frame.h"
#include "core/dna.h"

namespace dnastore {
namespace {

// How clean records are cut into primers and payload.
struct Placement {
  int pf = 0, pr = 0;
  Mapping mapping = Mapping::kDirect;
  char before = 'A';                   // the base before the payload
  std::string fwd_primer, rev_primer;  // as the record that showed the header had them
};

// The placement of a header chunk found in `s` (designed orientation).
Placement PlacementOf(const std::string& s, int pf, int pr, std::pair<Mapping, char> m) {
  return {pf, pr, m.first, m.second, s.substr(0, pf), ReverseComplement(s.substr(s.size() - pr))};
}

// Longest prefix (suffix) on which at least 90% of the sequences agree.
int CommonEdge(const std::vector<const std::string*>& seqs, bool suffix) {
  for (int i = 0;; ++i) {
    int counts[5] = {0, 0, 0, 0, 0}, total = 0;
    for (const std::string* s : seqs) {
      if (static_cast<int>(s->size()) <= i) continue;
      char c = suffix ? (*s)[s->size() - 1 - i] : (*s)[i];
      int code = BaseCode(c);
      ++counts[code < 0 ? 4 : code];
      ++total;
    }
    int best = *std::max_element(counts, counts + 4);
    if (total == 0 || best < 0.9 * total || i >= 64) return i;
  }
}

// Records of one orientation share their first kOrientationPrefixNt bases.
constexpr size_t kOrientationPrefixNt = 12;

// The records of one orientation: those starting with the most common
// 12-mer (sequencer reads come in both; a pool file in one), of the most
// common length among them (reads without errors), at most kMaxGroup.
std::vector<const std::string*> OneOrientation(const std::vector<std::string>& seqs) {
  constexpr size_t kMaxGroup = 4096;
  std::map<std::string_view, int> prefixes;
  for (const std::string& s : seqs)
    if (s.size() >= kOrientationPrefixNt)
      ++prefixes[std::string_view(s).substr(0, kOrientationPrefixNt)];
  if (prefixes.empty()) return {};
  const std::string_view modal =
      std::max_element(prefixes.begin(), prefixes.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  std::map<size_t, int> lengths;
  for (const std::string& s : seqs)
    if (s.starts_with(modal)) ++lengths[s.size()];
  const size_t length = std::max_element(lengths.begin(), lengths.end(), [](auto& a, auto& b) {
                          return a.second < b.second;
                        })->first;
  std::vector<const std::string*> group;
  for (const std::string& s : seqs)
    if (group.size() < kMaxGroup && s.size() == length && s.starts_with(modal)) group.push_back(&s);
  return group;
}

// The mapping under which the payload of `s` between primers of pf and pr
// nt is a header chunk, and the base before the payload it assumed (the
// primer's last; any base when there is no primer).
std::optional<std::pair<Mapping, char>> HeaderMappingAt(MapperCache& cache, const std::string& s,
                                                        int pf, int pr) {
  const int l = static_cast<int>(s.size()) - pf - pr;
  if (pf < 0 || l < 1) return std::nullopt;
  const std::string_view payload = std::string_view(s).substr(pf, l);
  if (HeaderChunkOf(cache, payload, Mapping::kDirect, 'A'))
    return std::make_pair(Mapping::kDirect, 'A');
  // Transition payloads never repeat a base (nor the primer's last one).
  for (int i = std::max(pf, 1); i < pf + l; ++i)
    if (s[i] == s[i - 1]) return std::nullopt;
  for (char before : pf > 0 ? std::string(1, s[pf - 1]) : std::string("ACGT"))
    if (before != s[pf] && HeaderChunkOf(cache, payload, Mapping::kTransition, before))
      return std::make_pair(Mapping::kTransition, before);
  return std::nullopt;
}

// The records of one orientation (OneOrientation) and the primer lengths
// their conserved ends suggest: up to `spread` nt shorter than the
// conserved prefix (the seeds of the first payload bases are small numbers,
// so those bases are conserved too) and `spread` shorter than the suffix.
struct Guess {
  std::vector<const std::string*> group;
  std::vector<std::pair<int, int>> cands;
};
Guess GuessPlacement(const std::vector<std::string>& seqs, int spread) {
  Guess g;
  g.group = OneOrientation(seqs);
  // 0 + 0: reads whose primers a lab pipeline removed.
  g.cands = {{20, 20}, {0, 0}};
  const int lcp = CommonEdge(g.group, false), lcs = CommonEdge(g.group, true);
  for (int a = lcp; a >= std::max(1, lcp - spread); --a)
    for (int b = lcs; b >= std::max(1, lcs - spread); --b) g.cands.push_back({a, b});
  return g;
}

// A header chunk in `s` (a record of the group's orientation) or its
// reverse complement, cut by one of `cands`.
std::optional<Placement> PlacementIn(MapperCache& cache, const std::string& s,
                                     const std::vector<std::pair<int, int>>& cands) {
  const std::string rc = ReverseComplement(s);
  for (auto [pf, pr] : cands) {
    if (auto m = HeaderMappingAt(cache, s, pf, pr)) return PlacementOf(s, pf, pr, *m);
    if (auto m = HeaderMappingAt(cache, rc, pr, pf)) return PlacementOf(rc, pr, pf, *m);
  }
  return std::nullopt;
}

// Looks for header frames in clean records (designed oligos, or reads
// without errors among sequencer reads) with unknown primer lengths: the
// primers are the records' conserved ends, or a few bases shorter. Records
// of both orientations are tried.
std::optional<Placement> FindHeaderPlacement(const std::vector<std::string>& seqs,
                                             MapperCache& cache) {
  const Guess g = GuessPlacement(seqs, 10);
  for (const std::string* s : g.group)
    if (auto p = PlacementIn(cache, *s, g.cands)) return p;
  return std::nullopt;
}

// The primers of the record that showed a header chunk, when they are
// primers at all (a read's N or IUPAC codes make them none).
void TakePrimers(const Placement& p, HeaderInRecords* found) {
  found->primers_removed = p.pf == 0 && p.pr == 0;
  if (p.fwd_primer.find_first_not_of("ACGT") != std::string::npos ||
      p.rev_primer.find_first_not_of("ACGT") != std::string::npos)
    return;
  found->fwd_primer = p.fwd_primer;
  found->rev_primer = p.rev_primer;
}

// The header chunk of `s` (either orientation) cut as `p` says.
std::optional<HeaderChunk> ChunkAt(MapperCache& cache, const std::string& s, const Placement& p) {
  const int l = static_cast<int>(s.size()) - p.pf - p.pr;
  if (l < 1) return std::nullopt;
  const std::string rc = ReverseComplement(s);
  for (const std::string* o : {&s, &rc}) {
    const char before = p.pf > 0 ? (*o)[p.pf - 1] : p.before;
    if (auto c = HeaderChunkOf(cache, std::string_view(*o).substr(p.pf, l), p.mapping, before))
      return c;
  }
  return std::nullopt;
}

// Records that are exactly oligos of `g` (either orientation), of >= 98%.
bool AreDesignedOligos(const ReadBatch& batch, const OligoGeometry& g) {
  const std::string rev_rc = ReverseComplement(g.rev_primer);
  const std::string fwd_rc = ReverseComplement(g.fwd_primer);
  size_t exact = 0;
  for (const auto& r : batch) {
    std::string s = NormalizeBases(r.seq);
    if (static_cast<int>(s.size()) != g.length_nt()) continue;
    if ((s.starts_with(g.fwd_primer) && s.ends_with(rev_rc)) ||
        (s.starts_with(g.rev_primer) && s.ends_with(fwd_rc)))
      ++exact;
  }
  return exact >= 0.98 * batch.size();
}

// Share of bases that sit in homopolymer runs of 4 or more: near zero for
// designed pools (max run 3), large for terminator-free TdT synthesis.
bool LooksLikeTdt(const ReadBatch& batch) {
  uint64_t in_runs = 0, total = 0;
  for (const auto& r : batch) {
    int run = 0;
    for (size_t i = 0; i < r.seq.size(); ++i) {
      run = (i > 0 && r.seq[i] == r.seq[i - 1]) ? run + 1 : 1;
      if (run == 4)
        in_runs += 4;
      else if (run > 4)
        ++in_runs;
    }
    total += r.seq.size();
  }
  return total > 0 && in_runs > 0.05 * total;
}

}  // namespace

const PayloadMapper* MapperCache::Get(int payload_nt, Mapping mapping, char base_before) {
  if (mapping == Mapping::kDirect) base_before = 'A';
  auto key = std::make_tuple(payload_nt, static_cast<int>(mapping), base_before);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second.get();
  OligoGeometry g;
  g.fwd_primer = std::string("CAGTGACTCAGCAGTACGC") + base_before;
  g.rev_primer = kDefaultRevPrimer;
  g.payload_nt = payload_nt;
  g.mapping = mapping;
  g.constraints.max_homopolymer = 8;
  g.constraints.gc_min = 0;
  g.constraints.gc_max = 1;
  std::string err;
  auto m = MakeMapper(g, &err);
  const PayloadMapper* raw = m.get();
  cache_[key] = std::move(m);
  return raw;
}

std::optional<HeaderChunk> HeaderChunkOf(MapperCache& cache, std::string_view payload,
                                         Mapping mapping, char base_before) {
  const int l = static_cast<int>(payload.size());
  if (l < kMinPayloadNt || l > kMaxPayloadNt) return std::nullopt;
  const PayloadMapper* mp = cache.Get(l, mapping, base_before);
  uint8_t frame[kMaxFrameBytes];
  if (!mp || !mp->Demap(payload, FrameKind::kHeader, frame)) return std::nullopt;
  return UnpackHeaderFrame(mp->body_bits(), frame);
}

HeaderInRecords HeaderFromRecords(const ReadBatch& batch, MapperCache& cache) {
  std::vector<std::string> seqs;
  seqs.reserve(batch.size());
  for (const auto& r : batch) seqs.push_back(NormalizeBases(r.seq));
  HeaderInRecords found;
  const std::optional<Placement> p = FindHeaderPlacement(seqs, cache);
  if (!p) return found;
  TakePrimers(*p, &found);
  HeaderAssembler assembler;
  for (const std::string& s : seqs)
    if (auto c = ChunkAt(cache, s, *p)) assembler.Add(*c);
  found.header = assembler.Assemble();
  return found;
}

void AddHeaderChunks(MapperCache& cache, const std::vector<Strand>& strands,
                     const std::string& fwd_primer, Mapping mapping, int length,
                     HeaderAssembler* assembler, std::map<size_t, int>* lengths) {
  const char before = fwd_primer.empty() ? 'A' : fwd_primer.back();
  for (const auto& s : strands) {
    if (length > 0 && static_cast<int>(s.seq.size()) != length) continue;
    if (auto c = HeaderChunkOf(cache, s.seq, mapping, before)) {
      assembler->Add(*c);
      if (lengths) ++(*lengths)[s.seq.size()];
    }
  }
}

std::optional<HeaderChunk> StrandHeaderProbe::ChunkOf(const std::string& strand,
                                                      const std::string& fwd,
                                                      const std::string& rev, const GiveBack& g) {
  // The oligo as the designer wrote it: F + payload + rc(R).
  const std::string& first = g.flip ? rev : fwd;
  const std::string& second = g.flip ? fwd : rev;
  const int f = static_cast<int>(first.size()) - g.front;
  const int r = static_cast<int>(second.size()) - g.back;
  if (f < kMinPrimerNt || r < kMinPrimerNt) return std::nullopt;
  const std::string body = g.flip ? ReverseComplement(strand) : strand;
  const std::string payload = first.substr(static_cast<size_t>(f)) + body +
                              ReverseComplement(second).substr(0, static_cast<size_t>(g.back));
  return HeaderChunkOf(cache_, payload, mapping_, first[static_cast<size_t>(f) - 1]);
}

void StrandHeaderProbe::AddChunks(const std::vector<Strand>& strands, const std::string& fwd,
                                  const std::string& rev, int length, HeaderAssembler* assembler,
                                  std::map<size_t, int>* lengths) {
  if (primers_ == ProbePrimers::kRemoved) {
    std::vector<Strand> both;
    for (const Strand& s : strands) {
      if (length > 0 && static_cast<int>(s.seq.size()) != length) continue;
      both.push_back({s.seq, "", s.reads});
      both.push_back({ReverseComplement(s.seq), "", s.reads});
    }
    AddHeaderChunks(cache_, both, fwd, mapping_, 0, assembler, lengths);
    return;
  }
  if (primers_ == ProbePrimers::kKnown || fwd.empty()) {
    AddHeaderChunks(cache_, strands, fwd, mapping_, length, assembler, lengths);
    return;
  }
  for (const Strand& s : strands) {
    if (length > 0 && static_cast<int>(s.seq.size()) != length) continue;
    std::optional<HeaderChunk> c;
    if (placement_) {
      c = ChunkOf(s.seq, fwd, rev, *placement_);
    } else {
      for (int flip = 0; flip < 2 && !c; ++flip)
        for (int front = 0; front <= kMaxGiveBackNt && !c; ++front)
          for (int back = 0; back <= kMaxGiveBackNt && !c; ++back) {
            const GiveBack g{front, back, flip == 1};
            if ((c = ChunkOf(s.seq, fwd, rev, g))) placement_ = g;
          }
    }
    if (!c) continue;
    assembler->Add(*c);
    if (lengths) ++(*lengths)[s.seq.size()];
  }
}

int StrandHeaderProbe::Offer(const std::vector<Strand>& chunk, const std::string& fwd_primer,
                             const std::string& rev_primer) {
  AddChunks(chunk, fwd_primer, rev_primer, 0, &assembler_, &chunk_lengths_);
  if (auto header = assembler_.Assemble()) {
    header_ = std::move(header);
    settled_ = true;
    // With primer bases given back, the strands are shorter than payloads.
    if (!placement_) return header_->geometry.payload_nt;
    return static_cast<int>(
        std::max_element(chunk_lengths_.begin(), chunk_lengths_.end(),
                         [](const auto& x, const auto& y) { return x.second < y.second; })
            ->first);
  }
  for (const auto& [length, hits] : chunk_lengths_) {
    if (hits >= 2) {
      settled_ = true;
      return static_cast<int>(length);
    }
  }
  return 0;
}

std::optional<ArchiveParams> StrandHeaderProbe::HeaderAmong(const std::vector<Strand>& strands,
                                                            const std::string& fwd_primer,
                                                            const std::string& rev_primer,
                                                            int length) {
  HeaderAssembler assembler;
  AddChunks(strands, fwd_primer, rev_primer, length, &assembler, nullptr);
  return assembler.Assemble();
}

Result<HeaderInRecords> ScanForHeader(const ReadBatch& first,
                                      const std::vector<std::string>& inputs, MapperCache& cache,
                                      uint64_t max_records) {
  std::vector<std::string> seqs;
  for (const auto& r : first) seqs.push_back(NormalizeBases(r.seq));
  const Guess g = GuessPlacement(seqs, 3);
  HeaderInRecords found;
  // Without conserved primers (primer-less or junk reads) there is no
  // orientation to read the records in.
  if (g.group.empty() || CommonEdge(g.group, false) < static_cast<int>(kOrientationPrefixNt))
    return found;
  const size_t length = g.group.front()->size();
  const std::string prefix = g.group.front()->substr(0, kOrientationPrefixNt);
  std::optional<Placement> p;
  HeaderAssembler assembler;
  uint64_t seen = 0;
  ReadBatch batch;
  for (const std::string& path : inputs) {
    auto reader = SeqReader::Open(path);
    if (!reader.ok()) return reader.status();
    // No header chunk among the first kScanWithoutChunk records: junk, or
    // primers cut otherwise than guessed (the strands will tell).
    while (seen < max_records && (p || seen < kScanWithoutChunk)) {
      DNASTORE_RETURN_IF_ERROR((*reader)->Next(batch, kScanBatch));
      if (batch.empty()) break;
      for (const SeqRecord& r : batch) {
        ++seen;
        if (r.seq.size() != length) continue;  // reads with indels hold no exact chunk
        std::string s = NormalizeBases(r.seq);
        if (!p && !s.starts_with(prefix)) s = ReverseComplement(s);  // the group's orientation
        if (!p && s.starts_with(prefix) && (p = PlacementIn(cache, s, g.cands))) {
          TakePrimers(*p, &found);
        }
        std::optional<HeaderChunk> c = p ? ChunkAt(cache, s, *p) : std::nullopt;
        if (!c) continue;
        assembler.Add(*c);
        if ((found.header = assembler.Assemble())) return found;
      }
    }
  }
  return found;
}

bool PrimersAbsent(const ReadBatch& batch, const std::vector<std::string>& primers) {
  constexpr size_t kSample = 4096, kProbeNt = 12, kWindowNt = 40;
  size_t carrying = 0, seen = 0;
  for (size_t i = 0; i < batch.size() && seen < kSample; ++i, ++seen) {
    const std::string s = NormalizeBases(batch[i].seq);
    const std::string_view head = std::string_view(s).substr(0, kWindowNt);
    const std::string_view tail =
        std::string_view(s).substr(s.size() > kWindowNt ? s.size() - kWindowNt : 0);
    for (const std::string& p : primers) {
      if (p.size() < kProbeNt) continue;
      const std::string probe = p.substr(0, kProbeNt);
      if (head.find(probe) != std::string_view::npos ||
          tail.find(ReverseComplement(probe)) != std::string_view::npos) {
        ++carrying;
        break;
      }
    }
  }
  return seen > 0 && 100 * carrying <= seen;
}

FirstBatchFindings ProbeFirstBatch(const ReadBatch& batch, bool look_for_header,
                                   MapperCache& cache) {
  FirstBatchFindings found;
  if (look_for_header) {
    HeaderInRecords in_records = HeaderFromRecords(batch, cache);
    found.header = std::move(in_records.header);
    found.fwd_primer = std::move(in_records.fwd_primer);
    found.rev_primer = std::move(in_records.rev_primer);
    found.primers_removed = in_records.primers_removed;
  }
  if (found.header) found.designed_oligos = AreDesignedOligos(batch, found.header->geometry);
  found.tdt_like = LooksLikeTdt(batch);
  return found;
}

}  // namespace dnastore
