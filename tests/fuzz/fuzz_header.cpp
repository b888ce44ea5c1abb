// Fuzz target: the archive header (ParseHeader, UnpackHeaderFrame,
// HeaderAssembler).
// Mode (first byte % 3):
//   0: ParseHeader(rest). When it parses, SerializeHeader -> ParseHeader
//      must give the same serialisation (a parsed header is self-consistent).
//   1: frames of fuzzer bytes -> UnpackHeaderFrame -> HeaderAssembler.
//   2: header bytes from the fuzzer, packed into valid frames (so the CRC
//      passes), some dropped or corrupted -> unpack -> assemble -> parse.
#include <cstdint>
#include <cstring>
#include <vector>

#include "codec/archive_header.h"
#include "codec/data_frame.h"
#include "fuzz_util.h"

using namespace dnastore;
using namespace dnastore_fuzz;

namespace {

void CheckParsed(const ArchiveParams& p) {
  std::vector<uint8_t> s1 = SerializeHeader(p);
  auto again = ParseHeader(s1);
  if (!again.ok()) Violation("re-parse of a serialised header", again.status().message());
  if (SerializeHeader(again.value()) != s1) Violation("header round trip", "bytes differ");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 4096) return 0;
  Bytes in(data, size);
  const int mode = in.U8() % 3;
  if (mode == 0) {
    std::vector<uint8_t> b(in.data(), in.data() + in.remaining());
    auto r = ParseHeader(b);
    if (r.ok())
      CheckParsed(r.value());
    else if (r.status().code() != ErrorCode::kBadInput)
      Violation("ParseHeader error code", r.status().message());
    return 0;
  }
  // Frame geometry: body bits in [16, 8 * kMaxFrameBytes].
  const int body_bits = in.Range(16, 8 * kMaxFrameBytes);
  const int fb = FrameBytes(body_bits);
  HeaderAssembler assembler;
  if (mode == 1) {
    std::vector<uint8_t> frame(fb);
    while (in.remaining() > 0) {
      for (int i = 0; i < fb; ++i) frame[i] = in.U8();
      auto c = UnpackHeaderFrame(body_bits, frame.data());
      if (c) assembler.Add(*c);
    }
  } else {
    const int chunk = HeaderChunkBytes(body_bits);
    if (chunk < 1) return 0;
    const int copies = in.Range(1, 4);
    const uint8_t drop_mask = in.U8();
    const uint8_t flip = in.U8();
    std::vector<uint8_t> header(in.data(), in.data() + in.remaining());
    int total = static_cast<int>((header.size() + chunk - 1) / chunk);
    if (total < 1 || total > 255) return 0;
    std::vector<uint8_t> frame(fb);
    for (int copy = 0; copy < copies; ++copy)
      for (int seq = 0; seq < total; ++seq) {
        PackHeaderFrame(body_bits, header, seq, total, copy, frame.data());
        if (((seq + copy) & 7) == (drop_mask & 7) && (drop_mask & 0x80)) continue;
        if (flip && seq == flip % total && copy == 0) frame[flip % fb] ^= flip;
        auto c = UnpackHeaderFrame(body_bits, frame.data());
        if (c) {
          if (c->total != total || c->seq != seq || c->copy != copy)
            if (!(flip && seq == flip % total && copy == 0))
              Violation("header frame round trip", "fields differ");
          assembler.Add(*c);
        } else if (!(flip && seq == flip % total && copy == 0)) {
          Violation("valid header frame rejected", std::to_string(seq));
        }
      }
  }
  auto params = assembler.Assemble();
  if (params) CheckParsed(*params);
  return 0;
}
