// Fuzz target: decode of arbitrary reads against a fixed small pool.
// At start-up a 300-byte file is encoded (default primers, 150-nt payload,
// 20% parity). Each input then becomes a small FASTA/FASTQ file:
//   byte 0 bit 0..1: 0 = the rest of the input is the read file as is;
//                    otherwise the rest is a list of edits applied to the
//                    pool's records (drop, substitute, insert, delete, reverse
//                    complement, duplicate, truncate) and the result is
//                    written as FASTQ (bit 2: as FASTA);
//   bit 3: --partial; bit 4: force reads mode.
// Properties: never crashes; a successful decode writes exactly the original
// bytes (no silent corruption); on failure without --partial nothing is
// written; error codes are in the documented set.
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

namespace {

struct Pool {
  std::string original;
  std::vector<SeqRecord> records;
};

const Pool& GetPool() {
  static const Pool pool = [] {
    Pool p;
    for (int i = 0; i < 300; ++i) p.original.push_back(static_cast<char>((i * 131 + 7) % 251));
    std::string in = ScratchPath("decode_original.bin");
    std::string out = ScratchPath("decode_pool.fasta");
    WriteFile(in, p.original.data(), p.original.size());
    EncodeOptions o;
    o.geometry.fwd_primer = kDefaultFwdPrimer;
    o.geometry.rev_primer = kDefaultRevPrimer;
    o.geometry.payload_nt = 150;
    o.redundancy = 0.2;
    o.header_copies = 2;
    o.file_name = "original.bin";
    EncodeSummary s;
    Status st = EncodeFile(in, out, o, nullptr, &s);
    if (!st.ok()) Violation("fixture encode", st.message());
    auto recs = ReadAllRecords(out);
    if (!recs.ok()) Violation("fixture read", recs.status().message());
    p.records = recs.value();
    return p;
  }();
  return pool;
}

char Base(uint8_t b) { return "ACGTNacgtRYKM-*"[b % 15]; }

std::string RevComp(const std::string& s) {
  std::string r(s.rbegin(), s.rend());
  for (char& c : r) {
    switch (c) {
      case 'A':
        c = 'T';
        break;
      case 'C':
        c = 'G';
        break;
      case 'G':
        c = 'C';
        break;
      case 'T':
        c = 'A';
        break;
      default:
        break;
    }
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 4096) return 0;
  const Pool& pool = GetPool();
  Bytes in(data, size);
  const uint8_t flags = in.U8();
  const std::string reads_path = ScratchPath("decode_reads.in");
  const std::string out_path = ScratchPath("decode_out.bin");
  std::error_code ec;
  std::filesystem::remove(out_path, ec);

  if ((flags & 3) == 0) {
    WriteFile(reads_path, in.data(), in.remaining());
  } else {
    std::vector<SeqRecord> recs = pool.records;
    while (in.remaining() >= 3 && !recs.empty()) {
      const uint8_t op = in.U8();
      size_t r = in.U8() % recs.size();
      const uint8_t arg = in.U8();
      std::string& s = recs[r].seq;
      size_t pos = s.empty() ? 0 : (static_cast<size_t>(arg) * 7 + op) % s.size();
      switch (op % 8) {
        case 0:
          recs.erase(recs.begin() + r);
          break;
        case 1:
          if (!s.empty()) s[pos] = Base(arg);
          break;
        case 2:
          s.insert(s.begin() + pos, Base(arg >> 4));
          break;
        case 3:
          if (!s.empty()) s.erase(s.begin() + pos);
          break;
        case 4:
          s = RevComp(s);
          break;
        case 5:
          if (recs.size() < 400) recs.push_back(recs[r]);
          break;
        case 6:
          s.resize(pos);
          break;
        case 7:  // drop a run of records
          recs.erase(recs.begin() + r, recs.begin() + std::min(recs.size(), r + arg % 16));
          break;
      }
    }
    std::string text;
    const SeqFormat fmt = (flags & 4) ? SeqFormat::kFasta : SeqFormat::kFastq;
    for (SeqRecord rec : recs) {
      if (fmt == SeqFormat::kFastq) rec.qual.assign(rec.seq.size(), 'I');
      FormatRecord(rec, fmt, text);
    }
    WriteFile(reads_path, text.data(), text.size());
  }

  DecodeOptions o;
  o.inputs = {reads_path};
  o.output_path = out_path;
  o.force = true;
  o.partial = flags & 8;
  o.force_reads_mode = flags & 16;
  o.threads = 1;
  DecodeReport report;
  Status st = DecodeFile(o, nullptr, &report);
  const bool exists = std::filesystem::exists(out_path, ec);
  if (st.ok()) {
    if (!exists) Violation("ok without output", "");
    if (ReadFile(out_path) != pool.original) Violation("silent corruption", "ok but bytes differ");
  } else {
    switch (st.code()) {
      case ErrorCode::kBadInput:
      case ErrorCode::kIo:
      case ErrorCode::kUnrecoverable:
        break;
      default:
        Violation("unexpected error code", st.message());
    }
    if (st.message().empty()) Violation("empty error message", "");
    if (exists && !o.partial)
      Violation("output written on failure without --partial", st.message());
  }
  return 0;
}
