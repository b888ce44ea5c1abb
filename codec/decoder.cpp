#include "dnastore/decoder.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "codec/archive_header.h"
#include "codec/archive_layout.h"
#include "codec/base_mapper.h"
#include "codec/content_hash.h"
#include "codec/data_frame.h"
#include "codec/reed_solomon.h"
#include "core/dna.h"
#include "core/file_util.h"
#include "dnastore/read_front_end.h"
#include "dnastore/seq_io.h"
#include "reads/front_end_profile.h"

namespace dnastore {
namespace {

constexpr size_t kBatch = 1 << 15;

// Mappers for candidate geometries while the header is still unknown. Demap
// only depends on the payload length, the mapping and (for the transition
// mapping) the base before the payload.
class MapperCache {
 public:
  const PayloadMapper* Get(int payload_nt, Mapping mapping, char base_before) {
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

 private:
  std::map<std::tuple<int, int, char>, std::unique_ptr<PayloadMapper>> cache_;
};

// The header chunk a payload carries under `mapping`, if it is one.
std::optional<HeaderChunk> HeaderChunkOf(MapperCache& cache, std::string_view payload,
                                         Mapping mapping, char base_before) {
  const int l = static_cast<int>(payload.size());
  if (l < kMinPayloadNt || l > kMaxPayloadNt) return std::nullopt;
  const PayloadMapper* mp = cache.Get(l, mapping, base_before);
  uint8_t frame[kMaxFrameBytes];
  if (!mp || !mp->Demap(payload, FrameKind::kHeader, frame)) return std::nullopt;
  return UnpackHeaderFrame(mp->body_bits(), frame);
}

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

// Holds recovered frames on disk, indexed by oligo index, so memory stays
// bounded by the number of oligos (one byte each), not by the data.
class SlotStore {
 public:
  SlotStore(const ArchiveParams& params, ScratchFile scratch, uint64_t total)
      : d_(params.data_bytes), scratch_(std::move(scratch)), present_(total, 0) {}

  // Slot states: kEmpty, kValid (CRC checked), kSuspect (CRC failed but the
  // frame may still be mostly right; the outer code decides).
  static constexpr uint8_t kEmpty = 0, kValid = 1, kSuspect = 2;
  // Returns false when the index already holds a frame at least as good.
  bool Add(uint64_t index, const uint8_t* data, bool suspect) {
    const uint8_t state = suspect ? kSuspect : kValid;
    if (present_[index] == kValid || (suspect && present_[index] != kEmpty)) return false;
    present_[index] = state;
    pending_.push_back(index);
    pending_data_.insert(pending_data_.end(), data, data + d_);
    return true;
  }
  Status Flush() {
    if (pending_.empty()) return Status::Ok();
    std::vector<size_t> order(pending_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return pending_[a] < pending_[b]; });
    std::vector<uint8_t> run;
    size_t i = 0;
    while (i < order.size()) {
      uint64_t start = pending_[order[i]];
      run.clear();
      size_t j = i;
      while (j < order.size() && pending_[order[j]] == start + (j - i)) {
        const uint8_t* src = pending_data_.data() + order[j] * d_;
        run.insert(run.end(), src, src + d_);
        ++j;
      }
      DNASTORE_RETURN_IF_ERROR(scratch_.WriteAt(start * d_, run.data(), run.size()));
      i = j;
    }
    pending_.clear();
    pending_data_.clear();
    return Status::Ok();
  }
  uint8_t state(uint64_t index) const { return present_[index]; }
  uint64_t count(uint8_t state) const {
    uint64_t c = 0;
    for (uint8_t p : present_) c += (p == state);
    return c;
  }
  Status Read(uint64_t first_index, uint64_t count, uint8_t* out) {
    auto got = scratch_.ReadAt(first_index * d_, out, count * d_);
    if (!got.ok()) return got.status();
    if (*got < count * d_) std::memset(out + *got, 0, count * d_ - *got);
    return Status::Ok();
  }

 private:
  uint64_t d_;
  ScratchFile scratch_;
  std::vector<uint8_t> present_;
  std::vector<uint64_t> pending_;
  std::vector<uint8_t> pending_data_;
};

struct FrameResult {
  enum Kind : uint8_t { kNone, kData, kSuspect, kHeader } kind = kNone;
  uint64_t index = 0;
  HeaderChunk header;
};

class Decoder {
 public:
  Decoder(const DecodeOptions& o, const DecodeProgressFn& progress, DecodeReport* r)
      : opts_(o), progress_(progress), report_(r), arena_(std::max(1, o.threads)) {}

  Status Run();

 private:
  Status SetArchive(const ArchiveParams& params);
  // Decodes payloads (primers removed, forward orientation) into the store.
  Status AddPayloads(const std::vector<std::string_view>& payloads);
  Status CleanPass(ReadBatch first_batch, std::unique_ptr<SeqReader> first_reader);
  Status OuterDecodeAndWrite();
  Status DecodeStripe(const StripeLayout& st, const ReedSolomon& rs, std::vector<uint8_t>& buf,
                      int* min_margin);
  Status ReadsPass(bool tdt_hint);
  std::string InputNames() const {
    std::string names;
    for (const auto& p : display_inputs_) names += (names.empty() ? "" : ", ") + p;
    if (!opts_.paired_r1.empty())
      names += (names.empty() ? "" : ", ") + opts_.paired_r1 + " + " + opts_.paired_r2;
    return names;
  }
  std::vector<std::string> display_inputs_;
  bool write_partial_ = true;
  Status RunFrontEnd(const FrontEndOptions& fo, std::vector<Strand>* strands, FrontEndStats* stats);
  // The header among strands read with `mapping`'s run handling; `length` >
  // 0 skips strands of other lengths (a header chunk has the payload length).
  std::optional<ArchiveParams> HeaderFromStrands(const std::vector<Strand>& strands,
                                                 const std::string& fwd_primer, Mapping mapping,
                                                 int length);
  // Feeds the header chunks among `strands` to `assembler` (same filters);
  // `lengths` (optional) counts them per strand length.
  void AddHeaderChunks(const std::vector<Strand>& strands, const std::string& fwd_primer,
                       Mapping mapping, int length, HeaderAssembler* assembler,
                       std::map<size_t, int>* lengths);
  std::optional<ArchiveParams> DiscoverFromBatch(const ReadBatch& batch);

  DecodeOptions opts_;
  std::vector<InputFile> spooled_;  // standard input, spooled so it can be read again
  const DecodeProgressFn& progress_;
  DecodeReport* report_;
  tbb::task_arena arena_;
  MapperCache cache_;
  std::optional<ArchiveParams> params_;
  std::unique_ptr<PayloadMapper> mapper_;
  std::unique_ptr<ArchiveLayout> layout_;
  std::unique_ptr<SlotStore> store_;
  HeaderAssembler assembler_;
};

std::optional<ArchiveParams> Decoder::DiscoverFromBatch(const ReadBatch& batch) {
  std::vector<std::string> seqs;
  seqs.reserve(batch.size());
  for (const auto& r : batch) seqs.push_back(NormalizeBases(r.seq));
  auto placement = FindHeaderPlacement(seqs, cache_);
  if (!placement) return std::nullopt;
  HeaderAssembler assembler;
  for (const auto& s0 : seqs) {
    std::string s = placement->reverse ? ReverseComplement(s0) : s0;
    const int l = static_cast<int>(s.size()) - placement->pf - placement->pr;
    if (l < 1) continue;
    if (auto c = HeaderChunkOf(cache_, std::string_view(s).substr(placement->pf, l),
                               placement->mapping, s[placement->pf - 1]))
      assembler.Add(*c);
  }
  return assembler.Assemble();
}

Status Decoder::SetArchive(const ArchiveParams& params) {
  std::string err;
  mapper_ = MakeMapper(params.geometry, &err);
  if (!mapper_) return BadInput("archive header describes an unusable geometry: " + err);
  params_ = params;
  layout_ = std::make_unique<ArchiveLayout>(params);
  report_->header_found = true;
  report_->params = params;
  report_->oligos_expected = layout_->total_oligos();
  std::string dir =
      opts_.output_path.empty() || opts_.output_path == "-" ? "." : DirName(opts_.output_path);
  auto scratch = ScratchFile::Create(dir);
  if (!scratch.ok()) return scratch.status();
  store_ = std::make_unique<SlotStore>(params, std::move(*scratch), layout_->total_oligos());
  return Status::Ok();
}

Status Decoder::AddPayloads(const std::vector<std::string_view>& payloads) {
  const ArchiveParams& p = *params_;
  const int body_bits = mapper_->body_bits();
  const int d = p.data_bytes;
  std::vector<FrameResult> results(payloads.size());
  std::vector<uint8_t> data(payloads.size() * d);
  arena_.execute([&] {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, payloads.size(), 256), [&](const auto& r) {
      std::vector<uint8_t> frame(kMaxFrameBytes);
      for (size_t i = r.begin(); i != r.end(); ++i) {
        FrameResult& res = results[i];
        if (!mapper_->Demap(payloads[i], FrameKind::kData, frame.data())) continue;
        bool crc_ok = false;
        UnpackDataFrame(p, body_bits, frame.data(), &res.index, data.data() + i * d, &crc_ok);
        const bool in_range = res.index < layout_->total_oligos();
        if (crc_ok && in_range) {
          res.kind = FrameResult::kData;
          continue;
        }
        if (mapper_->Demap(payloads[i], FrameKind::kHeader, frame.data())) {
          if (auto c = UnpackHeaderFrame(body_bits, frame.data())) {
            res.kind = FrameResult::kHeader;
            res.header = std::move(*c);
            continue;
          }
        }
        if (in_range) res.kind = FrameResult::kSuspect;
      }
    });
  });
  for (size_t i = 0; i < payloads.size(); ++i) {
    switch (results[i].kind) {
      case FrameResult::kData:
        ++report_->data_frames;
        if (!store_->Add(results[i].index, data.data() + i * d, false)) ++report_->duplicate_frames;
        break;
      case FrameResult::kSuspect:
        ++report_->frames_rejected;
        store_->Add(results[i].index, data.data() + i * d, true);
        break;
      case FrameResult::kHeader:
        ++report_->header_frames;
        break;
      default:
        ++report_->frames_rejected;
    }
  }
  report_->strands += payloads.size();
  return store_->Flush();
}

Status Decoder::CleanPass(ReadBatch batch, std::unique_ptr<SeqReader> reader) {
  const OligoGeometry& g = params_->geometry;
  const std::string rev_rc = ReverseComplement(g.rev_primer);
  const size_t total = static_cast<size_t>(g.length_nt());
  size_t input = 0;
  std::vector<std::string> oriented;
  std::vector<std::string_view> payloads;
  while (true) {
    oriented.assign(batch.size(), std::string());
    payloads.clear();
    arena_.execute([&] {
      tbb::parallel_for(tbb::blocked_range<size_t>(0, batch.size(), 512), [&](const auto& r) {
        for (size_t i = r.begin(); i != r.end(); ++i) {
          std::string s = NormalizeBases(batch[i].seq);
          if (s.size() == total &&
              s.compare(s.size() - rev_rc.size(), rev_rc.size(), rev_rc) != 0 &&
              s.compare(0, g.fwd_primer.size(), g.fwd_primer) != 0)
            s = ReverseComplement(s);
          oriented[i] = std::move(s);
        }
      });
    });
    for (const auto& s : oriented) {
      if (s.size() != total) {
        ++report_->frames_rejected;
        continue;
      }
      payloads.push_back(std::string_view(s).substr(g.fwd_primer.size(), g.payload_nt));
    }
    DNASTORE_RETURN_IF_ERROR(AddPayloads(payloads));
    report_->records += batch.size();
    if (progress_) progress_("reading", report_->records, 0);
    DNASTORE_RETURN_IF_ERROR(reader->Next(batch, kBatch));
    if (batch.empty()) {
      if (++input >= opts_.inputs.size()) break;
      auto next = SeqReader::Open(opts_.inputs[input]);
      if (!next.ok()) return next.status();
      reader = std::move(*next);
      DNASTORE_RETURN_IF_ERROR(reader->Next(batch, kBatch));
    }
  }
  return Status::Ok();
}

// Outer decoding of one stripe (slot-major buffer: slot i holds `blocks`
// frames of D bytes). Syndromes are computed for the whole stripe in one
// ISA-L call (long buffers are what make it fast); erasures are filled per
// block from them; a second syndrome pass finds columns with errors, which
// are decoded one by one (errors and erasures). Blocks that still fail are
// retried with their suspect (CRC-failed) frames erased.
Status Decoder::DecodeStripe(const StripeLayout& st, const ReedSolomon& rs,
                             std::vector<uint8_t>& buf, int* min_margin) {
  const ArchiveParams& p = *params_;
  const int d = p.data_bytes, n = st.n();
  const size_t slot_bytes = static_cast<size_t>(st.blocks) * d;
  std::vector<std::vector<int>> erasures(st.blocks), with_suspects(st.blocks);
  bool any_erasure = false;
  for (int b = 0; b < st.blocks; ++b) {
    for (int i = 0; i < n; ++i) {
      const uint8_t state =
          store_->state(st.first_index + static_cast<uint64_t>(i) * st.blocks + b);
      if (state == SlotStore::kEmpty) erasures[b].push_back(i);
      if (state != SlotStore::kValid) with_suspects[b].push_back(i);
    }
    for (int i : erasures[b])
      std::memset(buf.data() + i * slot_bytes + static_cast<size_t>(b) * d, 0, d);
    any_erasure |= !erasures[b].empty();
    ++report_->codewords;
    report_->erasures += erasures[b].size();
    *min_margin = std::min(*min_margin, st.p - static_cast<int>(erasures[b].size()));
  }
  const std::vector<uint8_t> received = buf;  // for the retry with suspects erased
  std::vector<uint8_t*> slots(n);
  for (int i = 0; i < n; ++i) slots[i] = buf.data() + i * slot_bytes;
  std::vector<uint8_t> syn_store(static_cast<size_t>(st.p) * slot_bytes);
  std::vector<uint8_t*> syn(st.p);
  for (int r = 0; r < st.p; ++r) syn[r] = syn_store.data() + r * slot_bytes;
  std::vector<char> failed(st.blocks, 0);
  if (st.p > 0) {
    rs.Syndromes(slot_bytes, slots.data(), syn.data());
    if (any_erasure) {
      std::vector<uint8_t*> out;
      for (int b = 0; b < st.blocks; ++b) {
        if (erasures[b].empty()) continue;
        if (static_cast<int>(erasures[b].size()) > st.p) {
          failed[b] = 1;
          continue;
        }
        out.clear();
        for (int i : erasures[b]) out.push_back(slots[i] + static_cast<size_t>(b) * d);
        rs.FillErasures(d, syn.data(), static_cast<size_t>(b) * d, erasures[b], out.data());
      }
      rs.Syndromes(slot_bytes, slots.data(), syn.data());
    }
  }
  std::vector<uint8_t> word(n);
  for (int b = 0; b < st.blocks; ++b) {
    if (failed[b] || st.p == 0) continue;
    size_t corrected = 0;
    for (int c = b * d; c < (b + 1) * d && !failed[b]; ++c) {
      bool bad = false;
      for (int r = 0; r < st.p && !bad; ++r) bad = syn[r][c] != 0;
      if (!bad) continue;
      for (int i = 0; i < n; ++i) word[i] = received[i * slot_bytes + c];
      if (rs.DecodeWord(word.data(), erasures[b]) < 0) {
        failed[b] = 1;
        break;
      }
      for (int i = 0; i < n; ++i) slots[i][c] = word[i];
      ++corrected;
    }
    report_->columns_with_errors += corrected;
  }
  // Retry failing blocks with suspect frames erased.
  for (int b = 0; b < st.blocks; ++b) {
    if (!failed[b] || with_suspects[b].size() == erasures[b].size() ||
        static_cast<int>(with_suspects[b].size()) > st.p)
      continue;
    bool ok = true;
    size_t corrected = 0;
    for (int c = b * d; c < (b + 1) * d && ok; ++c) {
      for (int i = 0; i < n; ++i) word[i] = received[i * slot_bytes + c];
      int changed = rs.DecodeWord(word.data(), with_suspects[b]);
      if (changed < 0) ok = false;
      for (int i = 0; i < n && ok; ++i) slots[i][c] = word[i];
      corrected += changed > 0;
    }
    if (ok) {
      failed[b] = 0;
      report_->columns_with_errors += corrected;
    }
  }
  for (int b = 0; b < st.blocks; ++b) {
    if (!failed[b]) continue;
    ++report_->codewords_failed;
    // Keep what arrived intact (CRC-checked frames are right); everything
    // else in this codeword is unknown and reported missing.
    for (int i = 0; i < n; ++i)
      std::memcpy(slots[i] + static_cast<size_t>(b) * d,
                  received.data() + i * slot_bytes + static_cast<size_t>(b) * d, d);
    for (int i = 0; i < st.k; ++i) {
      if (std::find(with_suspects[b].begin(), with_suspects[b].end(), i) == with_suspects[b].end())
        continue;
      uint64_t off = st.data_offset + (static_cast<uint64_t>(i) * st.blocks + b) * d;
      if (off >= p.file_size) continue;
      report_->missing.push_back({off, std::min<uint64_t>(d, p.file_size - off)});
    }
  }
  return Status::Ok();
}

Status Decoder::OuterDecodeAndWrite() {
  const ArchiveParams& p = *params_;
  const int d = p.data_bytes;
  report_->oligos_present = store_->count(SlotStore::kValid);
  report_->suspect_frames_used = store_->count(SlotStore::kSuspect);
  std::string out_path = opts_.output_path;
  bool to_stdout = out_path == "-";
  if (out_path.empty()) {
    out_path = BaseName(p.file_name);
    if (out_path.empty() || out_path == "." || out_path == "..") out_path = "decoded.bin";
  }
  std::string write_path =
      to_stdout ? std::string("/tmp/dnastore-stdout-") + std::to_string(getpid()) : out_path;
  auto out = AtomicOutput::Create(write_path, opts_.force || to_stdout);
  if (!out.ok()) return out.status();
  std::map<std::pair<int, int>, std::unique_ptr<ReedSolomon>> codes;
  ContentHasher hasher;
  std::vector<uint8_t> buf;
  int min_margin = 1 << 30;
  for (uint64_t s = 0; s < layout_->num_stripes(); ++s) {
    const StripeLayout st = layout_->Stripe(s);
    auto& rs = codes[{st.k, st.p}];
    if (!rs) rs = std::make_unique<ReedSolomon>(st.k, st.p);
    buf.resize(st.oligos() * d);
    DNASTORE_RETURN_IF_ERROR(store_->Read(st.first_index, st.oligos(), buf.data()));
    DNASTORE_RETURN_IF_ERROR(DecodeStripe(st, *rs, buf, &min_margin));
    uint64_t data_len = std::min<uint64_t>(static_cast<uint64_t>(st.k) * st.blocks * d,
                                           p.file_size - st.data_offset);
    hasher.Update(buf.data(), data_len);
    DNASTORE_RETURN_IF_ERROR(out->Append(buf.data(), data_len));
    if (progress_) progress_("decoding", s + 1, layout_->num_stripes());
  }
  report_->min_parity_margin = layout_->num_stripes() ? min_margin : 0;
  std::sort(report_->missing.begin(), report_->missing.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.offset < b.offset; });
  std::vector<ByteRange> merged;
  for (const auto& r : report_->missing) {
    if (!merged.empty() && merged.back().offset + merged.back().length == r.offset)
      merged.back().length += r.length;
    else
      merged.push_back(r);
  }
  report_->missing = std::move(merged);
  report_->hash_ok = hasher.Digest() == p.hash;
  const bool recovered = report_->hash_ok && report_->missing.empty();
  if (!recovered && !(opts_.partial && write_partial_)) {
    if (!report_->missing.empty()) {
      uint64_t bytes = 0;
      for (const auto& r : report_->missing) bytes += r.length;
      return Unrecoverable(
          std::to_string(report_->codewords_failed) + " of " + std::to_string(report_->codewords) +
          " codewords could not be decoded; " + std::to_string(bytes) + " bytes in " +
          std::to_string(report_->missing.size()) + " ranges are missing (" +
          std::to_string(report_->oligos_present) + " of " +
          std::to_string(report_->oligos_expected) + " oligos recovered)");
    }
    return Unrecoverable("the decoded data does not match the archive hash (" + HashHex(p.hash) +
                         "); the reads are too corrupted to decode reliably");
  }
  if (to_stdout) {
    std::vector<uint8_t> chunk(1 << 20);
    for (uint64_t off = 0; off < p.file_size;) {
      auto got =
          out->ReadAt(off, chunk.data(), std::min<uint64_t>(chunk.size(), p.file_size - off));
      if (!got.ok()) return got.status();
      if (*got == 0) break;
      size_t done = 0;
      while (done < *got) {
        ssize_t w = write(STDOUT_FILENO, chunk.data() + done, *got - done);
        if (w < 0) {
          if (errno == EINTR) continue;
          return IoError(std::string("standard output: write failed: ") + std::strerror(errno));
        }
        done += static_cast<size_t>(w);
      }
      off += *got;
    }
    report_->output_path = "-";
  } else {
    DNASTORE_RETURN_IF_ERROR(out->Commit());
    report_->output_path = out_path;
  }
  if (!recovered) {
    return Unrecoverable("partial recovery written to " + report_->output_path + "; " +
                         std::to_string(report_->missing.size()) +
                         " byte ranges are missing (listed in the report)");
  }
  return Status::Ok();
}

Status Decoder::RunFrontEnd(const FrontEndOptions& fo, std::vector<Strand>* strands,
                            FrontEndStats* stats) {
  Status st;
  if (!opts_.paired_r1.empty()) {
    st = ReconstructStrandsPaired(opts_.paired_r1, opts_.paired_r2, fo, strands, stats);
    if (st.ok() && !opts_.inputs.empty()) {
      std::vector<Strand> more;
      FrontEndStats more_stats;
      st = ReconstructStrands(opts_.inputs, fo, &more, &more_stats);
      strands->insert(strands->end(), more.begin(), more.end());
      stats->reads_total += more_stats.reads_total;
      stats->reads_used += more_stats.reads_used;
      stats->reads_junk += more_stats.reads_junk;
      stats->clusters += more_stats.clusters;
    }
  } else {
    st = ReconstructStrands(opts_.inputs, fo, strands, stats);
  }
  ++report_->front_end_passes;
  if (stats->payload_nt_estimated > 0) report_->payload_nt_estimated = stats->payload_nt_estimated;
  report_->seconds_trim += stats->seconds_trim;
  report_->seconds_cluster += stats->seconds_cluster;
  report_->seconds_consensus += stats->seconds_consensus;
  if (st.ok()) {
    report_->records = stats->reads_total;
    report_->reads_junk = stats->reads_junk;
    report_->clusters = stats->clusters;
    report_->coverage_histogram = stats->coverage_histogram;
  }
  return st;
}

void Decoder::AddHeaderChunks(const std::vector<Strand>& strands, const std::string& fwd_primer,
                              Mapping mapping, int length, HeaderAssembler* assembler,
                              std::map<size_t, int>* lengths) {
  const char before = fwd_primer.empty() ? 'A' : fwd_primer.back();
  for (const auto& s : strands) {
    if (length > 0 && static_cast<int>(s.seq.size()) != length) continue;
    if (auto c = HeaderChunkOf(cache_, s.seq, mapping, before)) {
      assembler->Add(*c);
      if (lengths) ++(*lengths)[s.seq.size()];
    }
  }
}

std::optional<ArchiveParams> Decoder::HeaderFromStrands(const std::vector<Strand>& strands,
                                                        const std::string& fwd_primer,
                                                        Mapping mapping, int length) {
  HeaderAssembler assembler;
  AddHeaderChunks(strands, fwd_primer, mapping, length, &assembler, nullptr);
  return assembler.Assemble();
}

Status Decoder::ReadsPass(bool tdt_hint) {
  report_->mode = "reads";
  // Spool standard input so that several attempts can read it.
  // Attempts: (primers, collapse). Known header params fix both.
  struct Attempt {
    std::string fwd, rev;
    bool collapse;
    int payload_nt;
  };
  std::vector<Attempt> attempts;
  if (params_) {
    const OligoGeometry& g = params_->geometry;
    attempts.push_back(
        {g.fwd_primer, g.rev_primer, g.mapping == Mapping::kTransition, g.payload_nt});
  } else {
    std::vector<std::pair<std::string, std::string>> primer_sets;
    if (!opts_.fwd_primer.empty()) primer_sets.push_back({opts_.fwd_primer, opts_.rev_primer});
    primer_sets.push_back({kDefaultFwdPrimer, kDefaultRevPrimer});
    primer_sets.push_back({"", ""});  // inferred from the reads
    for (const auto& ps : primer_sets)
      for (bool collapse : {tdt_hint, !tdt_hint})
        attempts.push_back({ps.first, ps.second, collapse, 0});
  }
  Status last = Unrecoverable("no dnastore archive header found in " + InputNames());
  for (const Attempt& a : attempts) {
    FrontEndOptions fo;
    fo.fwd_primer = a.fwd;
    fo.rev_primer = a.rev;
    fo.collapse_homopolymers = a.collapse;
    fo.payload_nt = a.payload_nt;
    fo.threads = std::max(1, opts_.threads);
    // Terminator-free TdT: primers are ligated (error-free), so the error rate
    // estimated from them says nothing about the payload, where missed
    // cycles leave ~5% deletions after run collapsing (channel docs).
    if (a.collapse) fo.error_rate = kTdtCollapsedErrorRate;
    // Without the archive's parameters, the header is looked for while the
    // consensus stage runs (chunk by chunk), so that the payload length is
    // known for the rest and one pass over the reads suffices.
    // A header chunk only demaps from a strand of the archive's payload
    // length, so two of them at one length settle it even before the whole
    // header is seen (the header is then read from the final strands).
    std::optional<ArchiveParams> early;
    HeaderAssembler assembler;
    std::map<size_t, int> chunk_lengths;  // strand length -> header chunks found
    bool resolved = false;                // the payload length was settled
    const Mapping mapping = a.collapse ? Mapping::kTransition : Mapping::kDirect;
    if (!params_) {
      fo.resolve_payload_nt = [&](const std::vector<Strand>& chunk, const std::string& fwd) {
        AddHeaderChunks(chunk, fwd, mapping, 0, &assembler, &chunk_lengths);
        if (auto header = assembler.Assemble()) {
          early = std::move(header);
          resolved = true;
          return early->geometry.payload_nt;
        }
        for (const auto& [length, hits] : chunk_lengths) {
          if (hits >= 2) {
            resolved = true;
            return static_cast<int>(length);
          }
        }
        return 0;
      };
    }
    std::vector<Strand> strands;
    FrontEndStats stats;
    if (progress_) progress_("clustering", 0, 0);
    Status st = RunFrontEnd(fo, &strands, &stats);
    if (st.ok() && !params_ && !resolved && assembler.chunks_seen() > 0 &&
        stats.payload_nt_estimated > 0) {
      // Header strands were seen but not the whole header: the payload-length
      // estimate may be what spoiled the rest; read once more without it.
      fo.estimate_payload_nt = false;
      assembler = HeaderAssembler();
      chunk_lengths.clear();
      strands.clear();
      stats = FrontEndStats();
      st = RunFrontEnd(fo, &strands, &stats);
    }
    if (!st.ok()) {
      // Reads we cannot even find primers in hold no archive we can read:
      // "not recoverable" (exit 3), not malformed input.
      if (st.code() != ErrorCode::kBadInput || !a.fwd.empty()) return st;
      last = Unrecoverable("no dnastore archive found in " + InputNames() + ": " + st.message());
      continue;
    }
    if (stats.reads_used == 0) continue;
    if (!params_) {
      // One pass was enough when the strands were built with the header's
      // payload length from reads trimmed with its primers; otherwise read
      // again knowing the geometry.
      auto header =
          early ? early : HeaderFromStrands(strands, stats.fwd_primer, mapping, stats.payload_nt);
      if (!header) continue;
      const bool one_pass = header->geometry.fwd_primer == stats.fwd_primer &&
                            header->geometry.rev_primer == stats.rev_primer &&
                            header->geometry.payload_nt == stats.payload_nt;
      // The header must agree with how we read: transition pools need collapsing.
      if ((header->geometry.mapping == Mapping::kTransition) != a.collapse) continue;
      DNASTORE_RETURN_IF_ERROR(SetArchive(*header));
      if (!one_pass) {
        // The front end then rejects and trims by the true geometry.
        fo.fwd_primer = header->geometry.fwd_primer;
        fo.rev_primer = header->geometry.rev_primer;
        fo.payload_nt = header->geometry.payload_nt;
        fo.resolve_payload_nt = nullptr;
        strands.clear();
        stats = FrontEndStats();
        DNASTORE_RETURN_IF_ERROR(RunFrontEnd(fo, &strands, &stats));
      }
    }
    // Best-supported strands first: they win duplicate indices.
    std::stable_sort(strands.begin(), strands.end(),
                     [](const Strand& x, const Strand& y) { return x.reads > y.reads; });
    std::vector<std::string_view> payloads;
    payloads.reserve(strands.size());
    for (const auto& s : strands) payloads.push_back(s.seq);
    DNASTORE_RETURN_IF_ERROR(AddPayloads(payloads));
    return OuterDecodeAndWrite();
  }
  return last;
}

// Share of bases that sit in homopolymer runs of 4 or more: near zero for
// designed pools (max run 3), large for terminator-free TdT synthesis.
static bool LooksLikeTdt(const ReadBatch& batch) {
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

Status Decoder::Run() {
  if (opts_.inputs.empty() && opts_.paired_r1.empty()) return UsageError("no input files given");
  display_inputs_ = opts_.inputs;
  for (auto& n : display_inputs_)
    if (n == "-") n = "standard input";
  for (auto& path : opts_.inputs) {
    if (path != "-") continue;
    auto in = InputFile::Open("-");
    if (!in.ok()) return in.status();
    if (in->size() == 0) return BadInput("standard input is empty");
    spooled_.push_back(std::move(*in));
    path = spooled_.back().ReopenPath();
  }
  if (!opts_.output_path.empty() && opts_.output_path != "-") {
    // Fail fast on an output we may not write.
    auto probe = AtomicOutput::Create(opts_.output_path, opts_.force);
    if (!probe.ok()) return probe.status();
  }
  std::unique_ptr<SeqReader> reader;
  ReadBatch batch;
  if (!opts_.inputs.empty()) {
    auto r = SeqReader::Open(opts_.inputs[0]);
    if (!r.ok()) return r.status();
    reader = std::move(*r);
    DNASTORE_RETURN_IF_ERROR(reader->Next(batch, kBatch));
    if (batch.empty()) return BadInput(opts_.inputs[0] + ": no sequences");
  }
  if (reader && !opts_.force_reads_mode) {
    if (auto params = DiscoverFromBatch(batch)) {
      DNASTORE_RETURN_IF_ERROR(SetArchive(*params));
      const OligoGeometry& g = params->geometry;
      const std::string rev_rc = ReverseComplement(g.rev_primer);
      size_t exact = 0;
      for (const auto& r : batch) {
        std::string s = NormalizeBases(r.seq);
        if (static_cast<int>(s.size()) != g.length_nt()) continue;
        if ((s.starts_with(g.fwd_primer) && s.ends_with(rev_rc)) ||
            (s.starts_with(g.rev_primer) && s.ends_with(ReverseComplement(g.fwd_primer))))
          ++exact;
      }
      // Designed oligos (a pool file, or perfect reads): decode every record
      // directly. Sequencer reads with errors go through clustering and
      // consensus instead, which is also the fallback when this fails.
      if (exact >= 0.98 * batch.size()) {
        report_->mode = "strands";
        DNASTORE_RETURN_IF_ERROR(CleanPass(std::move(batch), std::move(reader)));
        // A partial file is written only by the last attempt.
        write_partial_ = false;
        Status st = OuterDecodeAndWrite();
        write_partial_ = true;
        if (st.code() != ErrorCode::kUnrecoverable) return st;
        // Retry as sequencer reads (clustering + consensus) with a fresh store;
        // keep the first attempt in case the retry does no better.
        std::unique_ptr<SlotStore> first_store = std::move(store_);
        const DecodeReport first_report = *report_;
        DNASTORE_RETURN_IF_ERROR(SetArchive(*params_));
        *report_ = DecodeReport();
        report_->header_found = true;
        report_->params = *params_;
        report_->oligos_expected = layout_->total_oligos();
        Status reads = ReadsPass(false);
        if (reads.code() != ErrorCode::kUnrecoverable || !report_->output_path.empty() ||
            (!opts_.partial && !report_->missing.empty()))
          return reads;
        // The retry found nothing better: report (and, with --partial, write)
        // the first attempt.
        store_ = std::move(first_store);
        *report_ = first_report;
        report_->missing.clear();
        report_->codewords = report_->codewords_failed = report_->erasures = 0;
        report_->columns_with_errors = 0;
        return OuterDecodeAndWrite();
      }
    }
  }
  return ReadsPass(reader ? LooksLikeTdt(batch) : false);
}

}  // namespace

Status DecodeFile(const DecodeOptions& options, const DecodeProgressFn& progress,
                  DecodeReport* report) {
  const auto start = std::chrono::steady_clock::now();
  DecodeReport local;
  DecodeReport* r = report ? report : &local;
  *r = DecodeReport();
  Decoder decoder(options, progress, r);
  Status st = decoder.Run();
  r->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return st;
}

}  // namespace dnastore
