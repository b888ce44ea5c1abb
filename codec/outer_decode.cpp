#include "codec/outer_decode.h"

#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "codec/content_hash.h"
#include "codec/product_code.h"
#include "codec/reed_solomon.h"
#include "core/file_util.h"

namespace dnastore {
namespace {

// Outer decoding of one stripe (slot-major buffer: slot i holds `blocks`
// frames of D bytes). Syndromes are computed for the whole stripe in one
// ISA-L call (long buffers are what make it fast); erasures are filled per
// block from them; a second syndrome pass finds columns with errors, which
// are decoded one by one (errors and erasures). Blocks that still fail are
// retried with their suspect (CRC-failed) frames erased.
class StripeDecoder {
 public:
  StripeDecoder(const StripeLayout& st, int d, const ReedSolomon& rs, std::vector<uint8_t>& buf)
      : st_(st),
        d_(d),
        n_(st.n()),
        slot_bytes_(static_cast<size_t>(st.blocks) * d),
        rs_(rs),
        buf_(buf),
        erasures_(st.blocks),
        with_suspects_(st.blocks),
        failed_(st.blocks, 0),
        word_(st.n()) {}

  void Run(const SlotStore& store, uint64_t file_size, DecodeReport* report, int* min_margin) {
    MarkErasures(store);
    received_ = buf_;  // for the retry with suspects erased
    for (int i = 0; i < n_; ++i) slots_.push_back(buf_.data() + i * slot_bytes_);
    if (st_.p > 0) {
      FillErasures();
      for (int b = 0; b < st_.blocks; ++b) CorrectErrors(b);
    }
    for (int b = 0; b < st_.blocks; ++b) RetryWithSuspectsErased(b);
    for (int b = 0; b < st_.blocks; ++b) {
      if (failed_[b]) KeepReceived(b, file_size, report);
      Count(b, report, min_margin);
    }
  }

 private:
  uint8_t* Frame(int slot, int b) { return slots_[slot] + static_cast<size_t>(b) * d_; }

  // Empty slots are erasures (zeroed); empty, suspect or repaired ones are
  // erased in the retry.
  void MarkErasures(const SlotStore& store) {
    max_errors_.assign(st_.blocks, 0);
    retried_.assign(st_.blocks, 0);
    for (int b = 0; b < st_.blocks; ++b) {
      for (int i = 0; i < n_; ++i) {
        const uint8_t state =
            store.state(st_.first_index + static_cast<uint64_t>(i) * st_.blocks + b);
        if (state == SlotStore::kEmpty) erasures_[b].push_back(i);
        if (state != SlotStore::kValid) with_suspects_[b].push_back(i);
      }
      for (int i : erasures_[b])
        std::memset(buf_.data() + i * slot_bytes_ + static_cast<size_t>(b) * d_, 0, d_);
      any_erasure_ |= !erasures_[b].empty();
      // More erasures than parity (any erasure of a code without parity):
      // nothing can fill them.
      if (static_cast<int>(erasures_[b].size()) > st_.p) failed_[b] = 1;
    }
  }

  // Symbols of column c (word_, decoded) that differ from what was received
  // outside the erased positions: the errors corrected in that column.
  int ErrorsIn(int c, const std::vector<int>& erased) const {
    int errors = 0;
    for (int i = 0; i < n_; ++i)
      errors += word_[i] != received_[i * slot_bytes_ + c] &&
                std::find(erased.begin(), erased.end(), i) == erased.end();
    return errors;
  }

  // The block's counters, consistent by construction: a failed block fills
  // nothing and has no margin; a decoded one spends one parity symbol per
  // erasure and two per error (in its worst column) and keeps the rest.
  void Count(int b, DecodeReport* report, int* min_margin) const {
    ++report->codewords;
    if (failed_[b]) {
      *min_margin = 0;
      return;
    }
    const std::vector<int>& erased = retried_[b] ? with_suspects_[b] : erasures_[b];
    report->erasures += erasures_[b].size();
    report->columns_with_errors += max_errors_[b] > 0;
    const int used = static_cast<int>(erased.size()) + 2 * max_errors_[b];
    *min_margin = std::min(*min_margin, std::max(0, st_.p - used));
  }

  // Syndromes of the stripe; erasures filled from them (blocks with more
  // erasures than parity fail); syndromes again to find columns with errors.
  void FillErasures() {
    syn_store_.resize(static_cast<size_t>(st_.p) * slot_bytes_);
    for (int r = 0; r < st_.p; ++r) syn_.push_back(syn_store_.data() + r * slot_bytes_);
    rs_.Syndromes(slot_bytes_, slots_.data(), syn_.data());
    if (!any_erasure_) return;
    std::vector<uint8_t*> out;
    for (int b = 0; b < st_.blocks; ++b) {
      if (erasures_[b].empty()) continue;
      if (static_cast<int>(erasures_[b].size()) > st_.p) {
        failed_[b] = 1;
        continue;
      }
      out.clear();
      for (int i : erasures_[b]) out.push_back(Frame(i, b));
      rs_.FillErasures(d_, syn_.data(), static_cast<size_t>(b) * d_, erasures_[b], out.data());
    }
    rs_.Syndromes(slot_bytes_, slots_.data(), syn_.data());
  }

  // Columns of block b with nonzero syndromes, decoded one by one from the
  // received bytes (errors and erasures).
  void CorrectErrors(int b) {
    if (failed_[b]) return;
    for (int c = b * d_; c < (b + 1) * d_ && !failed_[b]; ++c) {
      bool bad = false;
      for (int r = 0; r < st_.p && !bad; ++r) bad = syn_[r][c] != 0;
      if (!bad) continue;
      for (int i = 0; i < n_; ++i) word_[i] = received_[i * slot_bytes_ + c];
      if (rs_.DecodeWord(word_.data(), erasures_[b]) < 0) {
        failed_[b] = 1;
        break;
      }
      max_errors_[b] = std::max(max_errors_[b], ErrorsIn(c, erasures_[b]));
      for (int i = 0; i < n_; ++i) slots_[i][c] = word_[i];
    }
  }

  // A failed block decoded again with its suspect frames erased too.
  void RetryWithSuspectsErased(int b) {
    const std::vector<int>& erased = with_suspects_[b];
    if (!failed_[b] || erased.size() == erasures_[b].size() ||
        static_cast<int>(erased.size()) > st_.p)
      return;
    bool ok = true;
    int max_errors = 0;
    for (int c = b * d_; c < (b + 1) * d_ && ok; ++c) {
      for (int i = 0; i < n_; ++i) word_[i] = received_[i * slot_bytes_ + c];
      const int changed = rs_.DecodeWord(word_.data(), erased);
      if (changed < 0) ok = false;
      if (ok) max_errors = std::max(max_errors, ErrorsIn(c, erased));
      for (int i = 0; i < n_ && ok; ++i) slots_[i][c] = word_[i];
    }
    if (ok) {
      failed_[b] = 0;
      retried_[b] = 1;
      max_errors_[b] = max_errors;
    }
  }

  // Keeps what arrived intact in a failed block (CRC-checked frames are
  // right); everything else in it is unknown and reported missing.
  void KeepReceived(int b, uint64_t file_size, DecodeReport* report) {
    ++report->codewords_failed;
    for (int i = 0; i < n_; ++i)
      std::memcpy(Frame(i, b), received_.data() + i * slot_bytes_ + static_cast<size_t>(b) * d_,
                  d_);
    for (int i = 0; i < st_.k; ++i) {
      const std::vector<int>& unsure = with_suspects_[b];
      if (std::find(unsure.begin(), unsure.end(), i) == unsure.end()) continue;
      uint64_t off = st_.data_offset + (static_cast<uint64_t>(i) * st_.blocks + b) * d_;
      if (off >= file_size) continue;
      report->missing.push_back({off, std::min<uint64_t>(d_, file_size - off)});
    }
  }

  const StripeLayout& st_;
  const int d_, n_;
  const size_t slot_bytes_;
  const ReedSolomon& rs_;
  std::vector<uint8_t>& buf_;
  std::vector<uint8_t> received_;
  std::vector<std::vector<int>> erasures_, with_suspects_;
  bool any_erasure_ = false;
  std::vector<char> failed_, retried_;
  std::vector<int> max_errors_;  // errors corrected in the block's worst column
  std::vector<uint8_t*> slots_, syn_;
  std::vector<uint8_t> syn_store_, word_;
};

// The output file name: the given one, or the archive's (base name only).
std::string OutputName(const std::string& given, const ArchiveParams& p) {
  if (!given.empty()) return given;
  // The name comes from the archive: no directories, no control characters,
  // never standard output.
  std::string name = BaseName(p.file_name);
  for (char& c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  if (name.empty() || name == "." || name == ".." || name == "-") name = "decoded.bin";
  return name;
}

// Sorted by offset, adjacent ranges merged.
std::vector<ByteRange> MergeRanges(std::vector<ByteRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.offset < b.offset; });
  std::vector<ByteRange> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && merged.back().offset + merged.back().length == r.offset)
      merged.back().length += r.length;
    else
      merged.push_back(r);
  }
  return merged;
}

// Why the data was not recovered (the file is not written).
Status NotRecovered(const ArchiveParams& p, const DecodeReport& r) {
  if (!r.missing.empty()) {
    uint64_t bytes = 0;
    for (const auto& m : r.missing) bytes += m.length;
    return Unrecoverable(std::to_string(r.codewords_failed) + " of " + std::to_string(r.codewords) +
                         " codewords could not be decoded; " + std::to_string(bytes) +
                         " bytes in " + std::to_string(r.missing.size()) + " ranges are missing (" +
                         std::to_string(r.oligos_present) + " of " +
                         std::to_string(r.oligos_expected) + " oligos recovered)");
  }
  return Unrecoverable("the decoded data does not match the archive hash (" + HashHex(p.hash) +
                       "); the reads are too corrupted to decode reliably");
}

// The outcome of a partial write.
Status PartialWritten(const DecodeReport& r) {
  std::string m = "partial recovery written to ";
  m += r.output_path;
  m += "; " + std::to_string(r.missing.size()) + " byte ranges are missing (listed in the report)";
  return Unrecoverable(std::move(m));
}

// The digest of every frame of a decoded stripe (slot-major `buf`).
void DigestFrames(const StripeLayout& st, int d, const std::vector<uint8_t>& buf,
                  std::vector<uint64_t>* digests) {
  const uint64_t oligos = st.oligos();
  if (digests->size() < st.first_index + oligos) digests->resize(st.first_index + oligos, 0);
  for (uint64_t o = 0; o < oligos; ++o)  // oligo o of the stripe is slot o / B, block o % B
    (*digests)[st.first_index + o] = FrameDigest(buf.data() + o * d, static_cast<size_t>(d));
}

// Decodes every stripe in order into `out` (when given) and `hasher`.
Status DecodeStripes(const ArchiveParams& p, const ArchiveLayout& layout, SlotStore& store,
                     const DecodeProgressFn& progress, AtomicOutput* out, ContentHasher& hasher,
                     std::vector<uint64_t>* digests, DecodeReport* report) {
  const int d = p.data_bytes;
  std::map<std::pair<int, int>, std::unique_ptr<ReedSolomon>> codes;
  std::vector<uint8_t> buf;
  int min_margin = 1 << 30;
  for (uint64_t s = 0; s < layout.num_stripes(); ++s) {
    const StripeLayout st = layout.Stripe(s);
    auto& rs = codes[{st.k, st.p}];
    if (!rs) rs = std::make_unique<ReedSolomon>(st.k, st.p);
    buf.resize(st.oligos() * d);
    DNASTORE_RETURN_IF_ERROR(store.Read(st.first_index, st.oligos(), buf.data()));
    StripeDecoder(st, d, *rs, buf).Run(store, p.file_size, report, &min_margin);
    uint64_t data_len = std::min<uint64_t>(static_cast<uint64_t>(st.k) * st.blocks * d,
                                           p.file_size - st.data_offset);
    hasher.Update(buf.data(), data_len);
    if (out) DNASTORE_RETURN_IF_ERROR(out->Append(buf.data(), data_len));
    if (digests) DigestFrames(st, d, buf, digests);
    if (progress) progress("decoding", s + 1, layout.num_stripes());
  }
  report->min_parity_margin = layout.num_stripes() ? min_margin : 0;
  return Status::Ok();
}

// v2: block `blk` read from `store` into a grid of frames (its known-zero
// positions zero); `erased` marks the empty slots, `unsure` every slot that
// is not a valid frame (suspect and repaired ones too).
Status ReadBlock(const ProductBlock& blk, int d, SlotStore& store, std::vector<uint8_t>* grid,
                 std::vector<uint8_t>* erased, std::vector<uint8_t>* unsure) {
  const size_t n = static_cast<size_t>(blk.rows) * blk.slots;
  std::vector<uint8_t> data(static_cast<size_t>(blk.data_frames) * d),
      parity(static_cast<size_t>(blk.parity_frames()) * d);
  DNASTORE_RETURN_IF_ERROR(store.Read(blk.first_data, blk.data_frames, data.data()));
  DNASTORE_RETURN_IF_ERROR(store.Read(blk.first_parity, blk.parity_frames(), parity.data()));
  grid->assign(n * d, 0);
  erased->assign(n, 0);
  unsure->assign(n, 0);
  for (int r = 0; r < blk.rows; ++r)
    for (int s = 0; s < blk.slots; ++s) {
      const int64_t idx = blk.IndexAt(r, s);
      if (idx < 0) continue;
      const size_t pos = static_cast<size_t>(r) * blk.slots + s;
      const uint64_t i = static_cast<uint64_t>(idx);
      const uint8_t state = store.state(i);
      (*erased)[pos] = state == SlotStore::kEmpty;
      (*unsure)[pos] = state != SlotStore::kValid;
      const uint8_t* src = i >= blk.first_parity ? parity.data() + (i - blk.first_parity) * d
                                                 : data.data() + (i - blk.first_data) * d;
      if (!(*erased)[pos]) std::memcpy(grid->data() + pos * d, src, d);
    }
  return Status::Ok();
}

// v2: decodes one block with its suspect frames as received symbols (the
// product code corrects them as errors), then, if that fails, with them
// erased. Appends the block's file bytes to *out_data (data frames in
// stream order; frames that stayed unknown are zero and reported missing).
Status DecodeBlock(const ProductBlock& blk, int d, const ProductCode& code, SlotStore& store,
                   uint64_t file_size, std::vector<uint8_t>* out_data, DecodeReport* report,
                   int* min_margin) {
  std::vector<uint8_t> grid, erased, unsure;
  DNASTORE_RETURN_IF_ERROR(ReadBlock(blk, d, store, &grid, &erased, &unsure));
  const std::vector<uint8_t> received = grid;
  const uint64_t empty = std::count(erased.begin(), erased.end(), 1);
  std::vector<uint8_t> left = erased;
  ProductCode::DecodeResult res = code.Decode(d, grid.data(), &left);
  bool ok = res.erasures_left == 0 && res.words_failed == 0;
  if (!ok && unsure != erased) {
    grid = received;
    left = unsure;
    res = code.Decode(d, grid.data(), &left);
    ok = res.erasures_left == 0 && res.words_failed == 0;
  }
  ++report->codewords;
  report->erasures += empty;
  report->columns_with_errors += res.words_corrected;
  int margin = blk.slot_parity();
  for (int r = 0; r < blk.rows && ok; ++r) {
    const auto row = erased.begin() + static_cast<ptrdiff_t>(r) * blk.slots;
    margin =
        std::min(margin, blk.slot_parity() - static_cast<int>(std::count(row, row + blk.slots, 1)));
  }
  *min_margin = std::min(*min_margin, ok ? std::max(0, margin) : 0);
  if (!ok) ++report->codewords_failed;
  const size_t base = out_data->size();
  out_data->resize(base + static_cast<size_t>(blk.data_frames) * d);
  for (int j = 0; j < blk.data_frames; ++j) {
    const size_t pos = blk.DataPosition(j);
    uint8_t* dst = out_data->data() + base + static_cast<size_t>(j) * d;
    if (!ok && left[pos]) {
      std::memset(dst, 0, d);
      const uint64_t off = blk.data_offset + static_cast<uint64_t>(j) * d;
      if (off < file_size) report->missing.push_back({off, std::min<uint64_t>(d, file_size - off)});
      continue;
    }
    std::memcpy(dst, grid.data() + pos * d, d);
  }
  return Status::Ok();
}

// v2: DecodeStripes' twin over product blocks.
Status DecodeBlocks(const ArchiveParams& p, SlotStore& store, const DecodeProgressFn& progress,
                    AtomicOutput* out, ContentHasher& hasher, std::vector<uint64_t>* digests,
                    DecodeReport* report) {
  const int d = p.data_bytes;
  const ProductLayout layout(p);
  std::map<std::array<int, 4>, std::unique_ptr<ProductCode>> codes;
  std::vector<uint8_t> data;
  int min_margin = 1 << 30;
  for (uint64_t b = 0; b < layout.num_blocks(); ++b) {
    const ProductBlock blk = layout.Block(b);
    auto& code = codes[{blk.rows, blk.slots, blk.row_parity(), blk.slot_parity()}];
    if (!code)
      code =
          std::make_unique<ProductCode>(blk.rows, blk.slots, blk.row_parity(), blk.slot_parity());
    data.clear();
    DNASTORE_RETURN_IF_ERROR(
        DecodeBlock(blk, d, *code, store, p.file_size, &data, report, &min_margin));
    const uint64_t len = std::min<uint64_t>(data.size(), p.file_size - blk.data_offset);
    hasher.Update(data.data(), len);
    if (out) DNASTORE_RETURN_IF_ERROR(out->Append(data.data(), len));
    if (digests) {  // data frames only: parity frames are recomputed, not compared
      if (digests->size() < layout.total_oligos()) digests->resize(layout.total_oligos(), 0);
      for (int j = 0; j < blk.data_frames; ++j)
        (*digests)[blk.first_data + j] =
            FrameDigest(data.data() + static_cast<size_t>(j) * d, static_cast<size_t>(d));
    }
    if (progress) progress("decoding", b + 1, layout.num_blocks());
  }
  report->min_parity_margin = layout.num_blocks() ? min_margin : 0;
  return Status::Ok();
}

// The stripes (v1) or blocks (v2) of the archive, decoded in order.
Status DecodeAll(const ArchiveParams& p, const ArchiveLayout& layout, SlotStore& store,
                 const DecodeProgressFn& progress, AtomicOutput* out, ContentHasher& hasher,
                 std::vector<uint64_t>* digests, DecodeReport* report) {
  if (p.version == kFormatVersion2)
    return DecodeBlocks(p, store, progress, out, hasher, digests, report);
  return DecodeStripes(p, layout, store, progress, out, hasher, digests, report);
}

}  // namespace

uint64_t FrameDigest(const uint8_t* data, size_t n) { return XXH3_64bits(data, n) | 1; }

Status OuterDecodeAndWrite(const ArchiveParams& p, const ArchiveLayout& layout, SlotStore& store,
                           const OutputPlan& output, const DecodeProgressFn& progress,
                           DecodeReport* report) {
  report->codewords = report->codewords_failed = report->erasures = 0;
  report->columns_with_errors = 0;
  report->missing.clear();
  report->oligos_present = store.count(SlotStore::kValid) + store.count(SlotStore::kRepaired);
  report->suspect_frames_used = store.count(SlotStore::kSuspect);
  if (output.discard) {
    ContentHasher hasher;
    std::vector<uint64_t> digests;
    DNASTORE_RETURN_IF_ERROR(DecodeAll(p, layout, store, progress, nullptr, hasher,
                                       output.frame_digests ? &digests : nullptr, report));
    report->missing = MergeRanges(std::move(report->missing));
    report->hash_ok = hasher.Digest() == p.hash;
    if (!report->hash_ok || !report->missing.empty()) return NotRecovered(p, *report);
    if (output.frame_digests) *output.frame_digests = std::move(digests);
    return Status::Ok();
  }
  const std::string out_path = OutputName(output.path, p);
  if (output.path.empty()) {  // a name from the archive: not one of the run's files
    std::vector<std::string> outputs = output.other_outputs;
    outputs.insert(outputs.begin(), out_path);
    DNASTORE_RETURN_IF_ERROR(CheckRunFiles(output.inputs, outputs, output.force));
  }
  // Standard output and devices are staged privately and copied on Commit.
  auto out = AtomicOutput::Create(out_path, output.force);
  if (!out.ok()) return out.status();
  ContentHasher hasher;
  DNASTORE_RETURN_IF_ERROR(
      DecodeAll(p, layout, store, progress, &*out, hasher, output.frame_digests, report));
  report->missing = MergeRanges(std::move(report->missing));
  report->hash_ok = hasher.Digest() == p.hash;
  const bool recovered = report->hash_ok && report->missing.empty();
  if (!recovered && !output.write_partial) return NotRecovered(p, *report);
  DNASTORE_RETURN_IF_ERROR(out->Commit());
  report->output_path = out_path;  // "-" for standard output
  return recovered ? Status::Ok() : PartialWritten(*report);
}

}  // namespace dnastore
