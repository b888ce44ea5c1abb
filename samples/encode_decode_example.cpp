// Using dnastore as a library: encode a file into an oligo pool and decode it
// back, without the CLI. Build: with the project, or against an installed
// dnastore (samples/CMakeLists.txt); run: encode_decode_example INPUT WORKDIR
#include <cstdio>
#include <string>

#include "dnastore/decoder.h"
#include "dnastore/encoder.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s INPUT WORKDIR\n", argv[0]);
    return 1;
  }
  const std::string input = argv[1], dir = argv[2];
  dnastore::EncodeOptions enc;  // defaults: 20 + 150 + 20 nt, built-in primers
  dnastore::EncodeSummary summary;
  dnastore::Status st = dnastore::EncodeFile(input, dir + "/pool.fasta", enc, nullptr, &summary);
  if (!st.ok()) {
    std::fprintf(stderr, "encode: %s\n", st.message().c_str());
    return dnastore::ExitCodeFor(st.code());
  }
  std::printf("%llu oligos, %.3f bits/nt\n", (unsigned long long)summary.total_oligos,
              summary.bits_per_nt_payload);
  dnastore::DecodeOptions dec;
  dec.inputs = {dir + "/pool.fasta"};
  dec.output_path = dir + "/decoded";
  dec.force = true;
  dnastore::DecodeReport report;
  st = dnastore::DecodeFile(dec, nullptr, &report);
  if (!st.ok()) {
    std::fprintf(stderr, "decode: %s\n", st.message().c_str());
    return dnastore::ExitCodeFor(st.code());
  }
  std::printf("decoded %s, hash verified: %s\n", report.output_path.c_str(),
              report.hash_ok ? "yes" : "no");
  return 0;
}
