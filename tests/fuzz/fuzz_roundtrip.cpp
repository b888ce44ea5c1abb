// Fuzz target: encode -> decode round trip with fuzzer-chosen parameters.
// Input layout: payload length (60..260 nt), mapping, redundancy, stripe
// blocks, header copies, how many data/parity oligos to drop (at most the
// smallest codeword's parity), then the file content (<= 1 KiB).
// Properties: a plan the encoder accepts decodes back to exactly the same
// bytes, also after losing up to the smallest codeword's parity in oligos;
// encode errors are kUsage/kBadInput only (parameter combinations it rejects).
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dnastore/decoder.h"
#include "dnastore/encoder.h"
#include "dnastore/seq_io.h"
#include "fuzz_util.h"

using namespace dnastore;
using namespace dnastore_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8 || size > 8 + 1024) return 0;
  Bytes in(data, size);
  EncodeOptions o;
  o.geometry.fwd_primer = kDefaultFwdPrimer;
  o.geometry.rev_primer = kDefaultRevPrimer;
  o.geometry.payload_nt = 60 + in.U8() % 201;
  const uint8_t m = in.U8();
  o.geometry.mapping = (m & 1) ? Mapping::kTransition : Mapping::kDirect;
  o.format_version = (m & 2) ? kFormatVersion2 : kFormatVersion;
  o.redundancy = 0.02 + (in.U8() % 90) / 100.0;  // 0.02 .. 0.91
  o.stripe_blocks = 1 + in.U8() % 8;
  o.header_copies = 1 + in.U8() % 4;
  const int drop_seed = in.U8();
  const int drop_count = in.U8() % 4;
  o.threads = 1;
  o.file_name = "content.bin";
  const std::string content(reinterpret_cast<const char*>(in.data()), in.remaining());

  const std::string src = ScratchPath("rt_content.bin");
  const std::string pool_path = ScratchPath("rt_pool.fasta");
  const std::string out_path = ScratchPath("rt_out.bin");
  WriteFile(src, content.data(), content.size());
  EncodeSummary summary;
  Status st = EncodeFile(src, pool_path, o, nullptr, &summary);
  if (!st.ok()) {
    if (st.code() != ErrorCode::kUsage && st.code() != ErrorCode::kBadInput)
      Violation("encode error code", st.message());
    return 0;
  }
  if (drop_count > 0 && summary.smallest_codeword_p > 0 && summary.data_oligos > 0) {
    auto recs = ReadAllRecords(pool_path);
    if (!recs.ok()) Violation("re-read pool", recs.status().message());
    std::vector<SeqRecord> v = recs.value();
    // Header oligos come first; drop data/parity oligos only, no more than
    // the smallest codeword's parity, so every codeword stays decodable
    // wherever the drops fall.
    const size_t first = summary.header_oligos;
    const int drops = std::min(drop_count, summary.smallest_codeword_p);
    for (int i = 0; i < drops && v.size() > first; ++i) {
      size_t idx = first + (static_cast<size_t>(drop_seed) * 97 + i * 131) % (v.size() - first);
      v.erase(v.begin() + idx);
    }
    std::string text;
    for (const auto& r : v) FormatRecord(r, SeqFormat::kFasta, text);
    WriteFile(pool_path, text.data(), text.size());
  }
  DecodeOptions d;
  d.inputs = {pool_path};
  d.output_path = out_path;
  d.force = true;
  d.threads = 1;
  DecodeReport report;
  st = DecodeFile(d, nullptr, &report);
  if (!st.ok()) Violation("round trip decode failed", st.message());
  if (ReadFile(out_path) != content) Violation("round trip", "bytes differ");
  return 0;
}
