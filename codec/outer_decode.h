// Outer decoding: the Reed-Solomon code across each stripe's slots (errors
// and erasures, per codeword block), the content hash, and the write of the
// output file (atomically; only when the hash verifies, unless a partial
// file was asked for).
#pragma once

#include <string>
#include <vector>

#include "codec/archive_layout.h"
#include "codec/slot_store.h"
#include "dnastore/archive.h"
#include "dnastore/decoder.h"
#include "dnastore/status.h"

namespace dnastore {

// Where and how the decoded file is written.
struct OutputPlan {
  std::string path;            // "" = the archive's file name (sanitised), "-" = stdout
  bool force = false;          // overwrite an existing file
  bool write_partial = false;  // on failure, still write the recovered bytes
  // With `path` empty: the run's inputs and other outputs, which the name
  // from the archive must not be (core's CheckRunFiles).
  std::vector<std::string> inputs, other_outputs;
  // Decode without writing anything, only to learn the archive's frames
  // (reads of several archives mixed: another archive's frames are set
  // aside by what they hold).
  bool discard = false;
  // When set: FrameDigest of every data and parity frame as decoded, by
  // oligo index (filled only when the file was recovered).
  std::vector<uint64_t>* frame_digests = nullptr;
};

// A frame's bytes as a nonzero 64-bit digest.
uint64_t FrameDigest(const uint8_t* data, size_t n);

// Decodes every stripe of `layout` from `store`, checks the hash of the
// result against params.hash and writes it per `output`. Sets (replaces) the
// report fields of this step: oligos_present, suspect_frames_used, erasures,
// codewords, codewords_failed, columns_with_errors, min_parity_margin,
// missing (sorted, adjacent ranges merged), hash_ok, output_path.
// Errors: kUnrecoverable when the data cannot be recovered (also after a
// partial write), kIo from the scratch file or the output.
Status OuterDecodeAndWrite(const ArchiveParams& params, const ArchiveLayout& layout,
                           SlotStore& store, const OutputPlan& output,
                           const DecodeProgressFn& progress, DecodeReport* report);

}  // namespace dnastore
