#include "codec/header_probe.h"

#include <algorithm>

#include "codec/data_frame.h"
#include "core/dna.h"

namespace dnastore {
namespace {

// How clean records are cut into primers and payload.
struct Placement {
  int pf = 0, pr = 0;
  bool reverse = false;
  Mapping mapping = Mapping::kDirect;
};

// Longest prefix (suffix) on which at least 90% of the sequences agree.
int CommonEdge(const std::vector<std::string>& seqs, bool suffix) {
  for (int i = 0;; ++i) {
    int counts[5] = {0, 0, 0, 0, 0}, total = 0;
    for (const auto& s : seqs) {
      if (static_cast<int>(s.size()) <= i) continue;
      char c = suffix ? s[s.size() - 1 - i] : s[i];
      int code = BaseCode(c);
      ++counts[code < 0 ? 4 : code];
      ++total;
    }
    int best = *std::max_element(counts, counts + 4);
    if (total == 0 || best < 0.9 * total || i >= 64) return i;
  }
}

// Looks for header frames in clean oligo records with unknown primer lengths.
std::optional<Placement> FindHeaderPlacement(const std::vector<std::string>& seqs,
                                             MapperCache& cache) {
  std::vector<std::pair<int, int>> cands = {{20, 20}};
  const int lcp = CommonEdge(seqs, false), lcs = CommonEdge(seqs, true);
  for (int a = lcp; a >= std::max(1, lcp - 10); --a)
    for (int b = lcs; b >= std::max(1, lcs - 10); --b) cands.push_back({a, b});
  const size_t limit = std::min<size_t>(seqs.size(), 256);
  for (size_t r = 0; r < limit; ++r) {
    for (int rev = 0; rev < 2; ++rev) {
      std::string s = rev ? ReverseComplement(seqs[r]) : seqs[r];
      for (auto [pf, pr] : cands) {
        const int l = static_cast<int>(s.size()) - pf - pr;
        if (l < 1) continue;
        for (Mapping m : {Mapping::kDirect, Mapping::kTransition})
          if (HeaderChunkOf(cache, std::string_view(s).substr(pf, l), m, s[pf - 1]))
            return Placement{pf, pr, rev == 1, m};
      }
    }
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

std::optional<ArchiveParams> HeaderFromRecords(const ReadBatch& batch, MapperCache& cache) {
  std::vector<std::string> seqs;
  seqs.reserve(batch.size());
  for (const auto& r : batch) seqs.push_back(NormalizeBases(r.seq));
  auto placement = FindHeaderPlacement(seqs, cache);
  if (!placement) return std::nullopt;
  HeaderAssembler assembler;
  for (const auto& s0 : seqs) {
    std::string s = placement->reverse ? ReverseComplement(s0) : s0;
    const int l = static_cast<int>(s.size()) - placement->pf - placement->pr;
    if (l < 1) continue;
    if (auto c = HeaderChunkOf(cache, std::string_view(s).substr(placement->pf, l),
                               placement->mapping, s[placement->pf - 1]))
      assembler.Add(*c);
  }
  return assembler.Assemble();
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

std::optional<ArchiveParams> HeaderFromStrands(MapperCache& cache,
                                               const std::vector<Strand>& strands,
                                               const std::string& fwd_primer, Mapping mapping,
                                               int length) {
  HeaderAssembler assembler;
  AddHeaderChunks(cache, strands, fwd_primer, mapping, length, &assembler, nullptr);
  return assembler.Assemble();
}

int StrandHeaderProbe::Offer(const std::vector<Strand>& chunk, const std::string& fwd_primer) {
  AddHeaderChunks(cache_, chunk, fwd_primer, mapping_, 0, &assembler_, &chunk_lengths_);
  if (auto header = assembler_.Assemble()) {
    header_ = std::move(header);
    settled_ = true;
    return header_->geometry.payload_nt;
  }
  for (const auto& [length, hits] : chunk_lengths_) {
    if (hits >= 2) {
      settled_ = true;
      return static_cast<int>(length);
    }
  }
  return 0;
}

FirstBatchFindings ProbeFirstBatch(const ReadBatch& batch, bool look_for_header,
                                   MapperCache& cache) {
  FirstBatchFindings found;
  if (look_for_header) found.header = HeaderFromRecords(batch, cache);
  if (found.header) found.designed_oligos = AreDesignedOligos(batch, found.header->geometry);
  found.tdt_like = LooksLikeTdt(batch);
  return found;
}

}  // namespace dnastore
