// Fuzz target: FASTA/FASTQ/SAM/BAM parsing (core SeqReader on a temp file,
// plain or gzip/bgzf, format detected from content).
// Properties: never crashes; errors are kBadInput/kIo with a message naming
// the file; records have qualities either empty or as long as the sequence;
// no record exceeds kMaxReadNt.
#include <cstdint>

#include "dnastore/seq_io.h"
#include "fuzz_util.h"

using namespace dnastore;
using namespace dnastore_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = ScratchPath("reads.in");
  WriteFile(path, data, size);
  auto r = SeqReader::Open(path);
  if (!r.ok()) {
    const Status& st = r.status();
    if (st.code() != ErrorCode::kBadInput && st.code() != ErrorCode::kIo)
      Violation("Open error code", st.message());
    if (st.message().find(path) == std::string::npos)
      Violation("Open error does not name the file", st.message());
    return 0;
  }
  SeqReader& reader = *r.value();
  ReadBatch batch;
  for (int round = 0; round < 10000; ++round) {
    Status st = reader.Next(batch, 16);
    if (!st.ok()) {
      if (st.code() != ErrorCode::kBadInput && st.code() != ErrorCode::kIo)
        Violation("Next error code", st.message());
      if (st.message().find(path) == std::string::npos)
        Violation("Next error does not name the file", st.message());
      break;
    }
    if (batch.empty()) break;
    for (const SeqRecord& rec : batch) {
      if (!rec.qual.empty() && rec.qual.size() != rec.seq.size())
        Violation("quality length", rec.name);
      if (rec.seq.size() > SeqReader::kMaxReadNt) Violation("read too long", rec.name);
    }
  }
  return 0;
}
