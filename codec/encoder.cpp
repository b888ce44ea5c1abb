#include "dnastore/encoder.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "codec/archive_header.h"
#include "codec/archive_layout.h"
#include "codec/base_mapper.h"
#include "codec/content_hash.h"
#include "codec/data_frame.h"
#include "codec/product_code.h"
#include "codec/reed_solomon.h"
#include "core/file_util.h"
#include "dnastore/seq_io.h"

namespace dnastore {

double CodewordFailureProbability(int n, int p, double q) {
  if (q <= 0) return 0.0;
  if (q >= 1) return p < n ? 1.0 : 0.0;
  // P(Binomial(n, q) > p), summed in log space.
  double total = 0;
  for (int x = p + 1; x <= n; ++x) {
    double lg = std::lgamma(n + 1.0) - std::lgamma(x + 1.0) - std::lgamma(n - x + 1.0) +
                x * std::log(q) + (n - x) * std::log1p(-q);
    total += std::exp(lg);
  }
  return std::min(1.0, total);
}

Result<ArchiveParams> PlanArchive(const EncodeOptions& o, uint64_t file_size) {
  if (!(o.redundancy > 0 && o.redundancy < 0.9))
    return UsageError("--redundancy must be between 0 and 0.9 (fraction of parity oligos)");
  if (o.stripe_blocks < 1 || o.stripe_blocks > 4096)
    return UsageError("stripe blocks must be between 1 and 4096");
  if (o.header_copies < 1 || o.header_copies > 64)
    return UsageError("header copies must be between 1 and 64");
  std::string err;
  auto mapper = MakeMapper(o.geometry, &err);
  if (!mapper) return UsageError(err);
  if (o.format_version != kFormatVersion && o.format_version != kFormatVersion2)
    return UsageError("archive format version must be 1 or 2");
  ArchiveParams p;
  p.geometry = o.geometry;
  p.version = o.format_version;
  p.rs_p = std::max(1, static_cast<int>(std::lround(o.redundancy * 255)));
  p.rs_k = 255 - p.rs_p;
  p.stripe_blocks = o.stripe_blocks;
  p.header_copies = o.header_copies;
  p.file_size = file_size;
  p.file_name = o.file_name.substr(0, 255);
  DNASTORE_RETURN_IF_ERROR(ChooseFrameLayout(p, mapper->body_bits(), o.redundancy));
  const int chunk = HeaderChunkBytes(mapper->body_bits());
  const size_t header_size = SerializeHeader(p).size();
  if (chunk < 1 || (header_size + chunk - 1) / chunk > 255)
    return UsageError("the payload is too short to carry the archive header");
  return p;
}

namespace {

class RsCache {
 public:
  const ReedSolomon& Get(int k, int p) {
    auto& slot = codes_[{k, p}];
    if (!slot) slot = std::make_unique<ReedSolomon>(k, p);
    return *slot;
  }

 private:
  std::map<std::pair<int, int>, std::unique_ptr<ReedSolomon>> codes_;
};

// Thread-safe: blocks are product-encoded in the pipeline's parallel stage.
class ProductCache {
 public:
  const ProductCode& Get(const ProductBlock& b) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = codes_[{{b.rows, b.slots, b.row_parity(), b.slot_parity()}}];
    if (!slot)
      slot = std::make_unique<ProductCode>(b.rows, b.slots, b.row_parity(), b.slot_parity());
    return *slot;
  }

 private:
  std::mutex mu_;
  std::map<std::array<int, 4>, std::unique_ptr<ProductCode>> codes_;
};

// One unit of encoding work: `count` frames (D bytes each, in `data`),
// frame o being oligo first + o for o < split and second + (o - split) after.
struct EncodeUnit {
  uint64_t first = 0, split = 0, second = 0, count = 0;
  uint64_t data_offset = 0, want = 0;  // file bytes the unit carries
  uint64_t parity = 0;                 // parity frames among them
  uint64_t block = 0;                  // the stripe or block it comes from
  std::vector<uint8_t> data;
  uint64_t IndexOf(uint64_t o) const { return o < split ? first + o : second + (o - split); }
};

// v1: stripe s, its slots RS-encoded; frames in index order.
void FillStripeUnit(const StripeLayout& st, int d, RsCache& cache, EncodeUnit* u) {
  const uint64_t slot_bytes = static_cast<uint64_t>(st.blocks) * d;
  std::vector<uint8_t*> slots(st.n());
  for (int i = 0; i < st.n(); ++i) slots[i] = u->data.data() + i * slot_bytes;
  cache.Get(st.k, st.p).Encode(slot_bytes, slots.data(), slots.data() + st.k);
  u->first = st.first_index;
  u->split = u->count = st.oligos();
  u->parity = static_cast<uint64_t>(st.p) * st.blocks;
}

// v2: block b's data frames (u->data, in stream order) product-encoded; the
// unit becomes its data frames, then its parity frames in index order.
void FillBlockUnit(const ProductBlock& blk, int d, ProductCache& cache, EncodeUnit* u) {
  std::vector<uint8_t> grid(static_cast<size_t>(blk.rows) * blk.slots * d, 0);
  for (int j = 0; j < blk.data_frames; ++j) {
    const size_t pos = blk.DataPosition(j);
    std::memcpy(grid.data() + pos * d, u->data.data() + static_cast<size_t>(j) * d, d);
  }
  cache.Get(blk).Encode(d, grid.data());
  u->data.resize(static_cast<size_t>(blk.data_frames + blk.parity_frames()) * d);
  for (int r = 0; r < blk.rows; ++r)
    for (int s = 0; s < blk.slots; ++s) {
      if (r < blk.data_rows && s < blk.data_slots) continue;
      const uint64_t o = blk.data_frames + (blk.IndexAt(r, s) - blk.first_parity);
      std::memcpy(u->data.data() + o * d,
                  grid.data() + (static_cast<size_t>(r) * blk.slots + s) * d, d);
    }
  u->first = blk.first_data;
  u->split = blk.data_frames;
  u->second = blk.first_parity;
  u->count = blk.data_frames + blk.parity_frames();
  u->parity = blk.parity_frames();
}

Status MapFailure(const std::string& what) {
  return BadInput("cannot build " + what +
                  " within the sequence constraints; relax --gc-min/--gc-max or "
                  "--max-homopolymer");
}

}  // namespace

namespace {

// EncodeFile writing the pool to `output_path` itself.
Status EncodeInto(const std::string& input_path, const std::string& output_path,
                  const EncodeOptions& options, const ProgressFn& progress,
                  EncodeSummary* summary) {
  const auto start = std::chrono::steady_clock::now();
  auto input = InputFile::Open(input_path);
  if (!input.ok()) return input.status();
  const uint64_t size = input->size();

  EncodeOptions opts = options;
  if (opts.file_name.empty()) opts.file_name = input_path == "-" ? "stdin" : BaseName(input_path);
  auto planned = PlanArchive(opts, size);
  if (!planned.ok()) return planned.status();
  ArchiveParams params = *planned;
  std::string err;
  auto mapper = MakeMapper(params.geometry, &err);
  const int body_bits = mapper->body_bits();
  const int frame_bytes = FrameBytes(body_bits);

  // Pass 1: hash (the header goes first in the pool).
  std::vector<uint8_t> buf(4 << 20);
  {
    ContentHasher hasher;
    for (uint64_t off = 0; off < size;) {
      auto got = input->ReadAt(off, buf.data(), std::min<uint64_t>(buf.size(), size - off));
      if (!got.ok()) return got.status();
      if (*got == 0) return IoError(input->path() + ": file shrank while reading");
      hasher.Update(buf.data(), *got);
      off += *got;
    }
    params.hash = hasher.Digest();
  }

  auto writer = SeqWriter::Open(output_path, SeqFormat::kFasta, opts.threads);
  if (!writer.ok()) return writer.status();
  tbb::task_arena arena(std::max(1, opts.threads));
  uint64_t total_nt = 0;

  // Header oligos.
  auto header_oligos_or = HeaderOligos(params, *mapper);
  if (!header_oligos_or.ok()) return MapFailure("a header oligo");
  const std::vector<std::string>& header_oligo_seqs = *header_oligos_or;
  const int chunks = static_cast<int>(header_oligo_seqs.size()) / params.header_copies;
  std::string text;
  for (size_t i = 0; i < header_oligo_seqs.size(); ++i) {
    text += ">h" + std::to_string(i % chunks) + "." + std::to_string(i / chunks) + "\n" +
            header_oligo_seqs[i] + "\n";
    total_nt += header_oligo_seqs[i].size();
  }
  DNASTORE_RETURN_IF_ERROR((*writer)->WriteRaw(text.data(), text.size()));
  const uint64_t header_oligos = header_oligo_seqs.size();

  // Pass 2: stripes through a three-stage pipeline (read + outer code, map
  // in parallel, write in order), so I/O overlaps the mapping.
  ArchiveLayout layout(params);
  ProductLayout product(params);
  const bool v2 = params.version == kFormatVersion2;
  const uint64_t units = v2 ? product.num_blocks() : layout.num_stripes();
  RsCache rs_cache;
  ProductCache product_cache;
  ContentHasher recheck;
  const int d = params.data_bytes;
  constexpr uint64_t kGrain = 512;
  uint64_t parity_oligos = 0;
  struct StripeWork {
    EncodeUnit unit;
    std::vector<std::string> text;
  };
  Status pipeline_status;
  std::atomic<bool> map_failed{false};
  uint64_t next_unit = 0;
  // Reads unit u's file bytes into w (zero padded) and encodes them.
  auto fill = [&](uint64_t u, StripeWork* w) -> Status {
    EncodeUnit& e = w->unit;
    const StripeLayout st = v2 ? StripeLayout() : layout.Stripe(u);
    uint64_t frames = 0, room = 0;  // frames read, file bytes they hold
    if (v2) {
      const ProductBlock blk = product.Block(u);
      e.data_offset = blk.data_offset;
      frames = blk.data_frames;
      room = frames * d;
    } else {
      e.data_offset = st.data_offset;
      frames = st.oligos();
      room = static_cast<uint64_t>(st.k) * st.blocks * d;
    }
    e.data.assign(frames * d, 0);
    e.want = std::min<uint64_t>(room, size - e.data_offset);
    auto got = input->ReadAt(e.data_offset, e.data.data(), e.want);
    if (!got.ok()) return got.status();
    if (*got != e.want) return IoError(input->path() + ": file changed while encoding");
    recheck.Update(e.data.data(), e.want);
    e.block = u;
    // v1 stripes are RS-encoded here (one ISA-L call over long slots); v2
    // blocks, whose grid copies cost more, in the parallel stage.
    if (!v2) FillStripeUnit(st, d, rs_cache, &e);
    return Status::Ok();
  };
  arena.execute([&] {
    tbb::parallel_pipeline(
        static_cast<size_t>(2 * std::max(1, opts.threads)),
        tbb::make_filter<void, std::shared_ptr<StripeWork>>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> std::shared_ptr<StripeWork> {
              if (next_unit >= units || !pipeline_status.ok()) {
                fc.stop();
                return nullptr;
              }
              auto w = std::make_shared<StripeWork>();
              Status st = fill(next_unit++, w.get());
              if (!st.ok()) {
                pipeline_status = st;
                fc.stop();
                return nullptr;
              }
              return w;
            }) &
            tbb::make_filter<std::shared_ptr<StripeWork>, std::shared_ptr<StripeWork>>(
                tbb::filter_mode::parallel,
                [&](std::shared_ptr<StripeWork> w) {
                  if (v2) FillBlockUnit(product.Block(w->unit.block), d, product_cache, &w->unit);
                  const uint64_t count = w->unit.count;
                  const uint64_t nchunks = (count + kGrain - 1) / kGrain;
                  w->text.assign(nchunks, std::string());
                  tbb::parallel_for(tbb::blocked_range<uint64_t>(0, nchunks), [&](const auto& r) {
                    std::vector<uint8_t> f(frame_bytes + 8);
                    std::string ol;
                    for (uint64_t c = r.begin(); c != r.end(); ++c) {
                      std::string& out = w->text[c];
                      out.reserve(kGrain * (params.geometry.length_nt() + 16));
                      for (uint64_t o = c * kGrain; o < std::min(count, (c + 1) * kGrain); ++o) {
                        const uint64_t index = w->unit.IndexOf(o);
                        PackDataFrame(params, index, w->unit.data.data() + o * d, f.data());
                        if (!mapper->Map(f.data(), FrameKind::kData, &ol)) {
                          map_failed = true;
                          return;
                        }
                        out += ">d";
                        out += std::to_string(index);
                        out += '\n';
                        out += ol;
                        out += '\n';
                      }
                    }
                  });
                  return w;
                }) &
            tbb::make_filter<std::shared_ptr<StripeWork>, void>(
                tbb::filter_mode::serial_in_order, [&](std::shared_ptr<StripeWork> w) {
                  if (!pipeline_status.ok()) return;
                  for (const auto& t : w->text) {
                    Status st = (*writer)->WriteRaw(t.data(), t.size());
                    if (!st.ok()) {
                      pipeline_status = st;
                      return;
                    }
                  }
                  total_nt += w->unit.count * params.geometry.length_nt();
                  parity_oligos += w->unit.parity;
                  if (progress) progress(w->unit.data_offset + w->unit.want, size);
                }));
  });
  if (map_failed) return MapFailure("a data oligo");
  DNASTORE_RETURN_IF_ERROR(pipeline_status);
  if (recheck.Digest() != params.hash)
    return IoError(input->path() + ": file changed while encoding");
  DNASTORE_RETURN_IF_ERROR((*writer)->Close());

  if (summary) {
    summary->params = params;
    summary->data_oligos = layout.data_oligos();
    summary->parity_oligos = parity_oligos;
    summary->header_oligos = header_oligos;
    summary->total_oligos = layout.total_oligos() + header_oligos;
    summary->total_nt = total_nt;
    summary->payload_nt = summary->total_oligos * params.geometry.payload_nt;
    const double bits = 8.0 * static_cast<double>(size);
    summary->bits_per_nt_payload = summary->payload_nt ? bits / summary->payload_nt : 0;
    summary->bits_per_nt_total = total_nt ? bits / total_nt : 0;
    summary->parity_fraction = static_cast<double>(params.rs_p) / (params.rs_k + params.rs_p);
    if (v2 && product.num_blocks() > 0) {
      const ProductBlock b0 = product.Block(0);
      summary->parity_fraction = static_cast<double>(b0.parity_frames()) / (b0.rows * b0.slots);
      summary->blocks = product.num_blocks();
      summary->smallest_codeword_n = b0.slots;  // a row: any rs_p losses in it are filled
      summary->smallest_codeword_p = b0.slot_parity();
    }
    if (!v2 && layout.num_stripes() > 0) {
      StripeLayout last = layout.Stripe(layout.num_stripes() - 1);
      summary->smallest_codeword_n = last.n();
      summary->smallest_codeword_p = last.p;
    }
    summary->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return Status::Ok();
}

}  // namespace

Status EncodeFile(const std::string& input_path, const std::string& output_path,
                  const EncodeOptions& options, const ProgressFn& progress,
                  EncodeSummary* summary) {
  // Regular files are written under a temporary name and renamed when
  // complete, so an interrupted or failed run leaves no partial pool behind;
  // errors name the output, never the temporary.
  TemporaryName temp(output_path);
  DNASTORE_RETURN_IF_ERROR(temp.status());
  DNASTORE_RETURN_IF_ERROR(
      temp.Explain(EncodeInto(input_path, temp.path(), options, progress, summary)));
  return temp.Commit();
}

}  // namespace dnastore

namespace dnastore {

double RandomLossTolerance(const ArchiveParams& params, double success) {
  ArchiveLayout layout(params);
  if (layout.num_stripes() == 0) return 0;
  auto fail_prob = [&](double q) {
    // log of P(all codeword groups decode)
    double log_ok = 0;
    const StripeLayout full = layout.Stripe(0);
    const uint64_t full_stripes = layout.num_stripes() - 1;
    const StripeLayout last = layout.Stripe(layout.num_stripes() - 1);
    log_ok += static_cast<double>(full_stripes) * full.blocks *
              std::log1p(-std::min(1.0 - 1e-300, CodewordFailureProbability(full.n(), full.p, q)));
    log_ok += last.blocks *
              std::log1p(-std::min(1.0 - 1e-300, CodewordFailureProbability(last.n(), last.p, q)));
    return 1.0 - std::exp(log_ok);
  };
  double lo = 0, hi = 1;
  for (int it = 0; it < 40; ++it) {
    double mid = (lo + hi) / 2;
    if (fail_prob(mid) <= 1.0 - success)
      lo = mid;
    else
      hi = mid;
  }
  return std::floor(lo * 1000) / 1000;
}

}  // namespace dnastore

namespace dnastore {

double DensityPresetRedundancy(const std::string& preset) {
  if (preset == "dense") return 30.0 / 255;
  if (preset == "balanced" || preset.empty()) return 45.0 / 255;
  if (preset == "robust") return 85.0 / 255;
  return -1;
}

}  // namespace dnastore
