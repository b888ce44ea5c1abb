// Finding the archive header before the archive's parameters are known:
// among clean records (designed oligos, primer lengths unknown), among the
// strands a front-end pass builds (chunk by chunk, while it runs, or at the
// end), and what the first batch of records says about how to read the rest.
//
// A header chunk only demaps from a payload of the archive's length and
// mapping, so finding one also tells the payload length. Only the payload
// length, the mapping and (transition mapping) the base before the payload
// matter for demapping, so candidates are tried with MapperCache's mappers.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "codec/archive_header.h"
#include "codec/base_mapper.h"
#include "dnastore/archive.h"
#include "dnastore/read_front_end.h"
#include "dnastore/seq_io.h"

namespace dnastore {

// Mappers for candidate geometries while the header is still unknown, made
// once each. Not thread-safe.
class MapperCache {
 public:
  const PayloadMapper* Get(int payload_nt, Mapping mapping, char base_before);

 private:
  std::map<std::tuple<int, int, char>, std::unique_ptr<PayloadMapper>> cache_;
};

// The header chunk a payload carries under `mapping`, if it is one.
std::optional<HeaderChunk> HeaderChunkOf(MapperCache& cache, std::string_view payload,
                                         Mapping mapping, char base_before);

// What records without errors show of the archive.
struct HeaderInRecords {
  std::optional<ArchiveParams> header;  // every header chunk was among them
  // The primers of a record that held a header chunk (empty: none did): a
  // pair to trim reads with when the header itself is incomplete.
  std::string fwd_primer, rev_primer;
  bool primers_removed = false;  // that record was a payload alone
};

// The header among clean records (designed oligos, or the error-free reads
// among sequencer reads) of unknown primers, in either orientation: the
// primer lengths come from the common prefix and suffix of the records of
// one orientation.
HeaderInRecords HeaderFromRecords(const ReadBatch& batch, MapperCache& cache);

// Feeds the header chunks among `strands` (read with `mapping`'s run
// handling, trimmed with `fwd_primer`) to `assembler`; `length` > 0 skips
// strands of other lengths. `lengths` (optional) counts chunks per strand
// length.
void AddHeaderChunks(MapperCache& cache, const std::vector<Strand>& strands,
                     const std::string& fwd_primer, Mapping mapping, int length,
                     HeaderAssembler* assembler, std::map<size_t, int>* lengths);

// Looks for the header while a front-end pass builds strands, so that the
// payload length is known for the rest of the pass (Offer is the pass's
// FrontEndOptions::resolve_payload_nt). Two header chunks at one strand
// length settle the length even before the whole header is seen.
//
// With primers inferred from the reads (kInferred), the primers may
// have taken the first payload bases (InferPrimers grows them while bases
// are conserved) and may be the designer's pair in reverse: each strand is
// also tried with up to kMaxGiveBackNt primer bases given back at either
// end, in either orientation; the placement that shows a header chunk is
// kept for the rest of the pass.
//
// With primers removed from the reads (kRemoved), strands may be designed
// payloads or their reverse complements: both are tried.
enum class ProbePrimers : uint8_t { kKnown, kInferred, kRemoved };
class StrandHeaderProbe {
 public:
  static constexpr int kMaxGiveBackNt = 3;
  StrandHeaderProbe(MapperCache& cache, Mapping mapping, ProbePrimers primers)
      : cache_(cache), mapping_(mapping), primers_(primers) {}
  // The payload length once settled (the header's, or the strand length of
  // two chunks), else 0.
  int Offer(const std::vector<Strand>& chunk, const std::string& fwd_primer,
            const std::string& rev_primer);
  bool settled() const { return settled_; }
  size_t chunks_seen() const { return assembler_.chunks_seen(); }
  // The whole header, when it was assembled during the pass.
  const std::optional<ArchiveParams>& header() const { return header_; }
  // The header among all strands of the pass, read as Offer read them.
  std::optional<ArchiveParams> HeaderAmong(const std::vector<Strand>& strands,
                                           const std::string& fwd_primer,
                                           const std::string& rev_primer, int length);

 private:
  // Where a strand's payload is when primer bases are given back.
  struct GiveBack {
    int front = 0, back = 0;  // primer bases given back before and after the strand
    bool flip = false;        // the inferred pair is the designer's in reverse
  };
  void AddChunks(const std::vector<Strand>& strands, const std::string& fwd, const std::string& rev,
                 int length, HeaderAssembler* assembler, std::map<size_t, int>* lengths);
  std::optional<HeaderChunk> ChunkOf(const std::string& strand, const std::string& fwd,
                                     const std::string& rev, const GiveBack& g);

  MapperCache& cache_;
  Mapping mapping_;
  ProbePrimers primers_;
  std::optional<GiveBack> placement_;  // inferred primers: the give-back that showed chunks
  HeaderAssembler assembler_;
  std::map<size_t, int> chunk_lengths_;  // strand length -> header chunks found
  std::optional<ArchiveParams> header_;
  bool settled_ = false;
};

// What the first batch of records says about how to read the rest.
struct FirstBatchFindings {
  std::optional<ArchiveParams> header;  // found among the records read as clean oligos
  bool designed_oligos = false;         // with the header: >= 98% are exact oligos of its geometry
  bool tdt_like = false;                // many long homopolymer runs: terminator-free TdT synthesis
  // The primers of a record that held a header chunk (empty: none did).
  std::string fwd_primer, rev_primer;
  bool primers_removed = false;  // the header came from payloads without primers
  bool primers_absent = false;   // hardly any record carries a primer we know (PrimersAbsent)
};

// Records read per batch by ScanForHeader; records it reads at most before
// giving up when none held a header chunk.
inline constexpr size_t kScanBatch = 1 << 14;
inline constexpr uint64_t kScanWithoutChunk = 1 << 20;

// For large pools, whose first records hold no header oligo's read: reads
// `inputs` from the start (at most `max_records` records) until the header
// chunks among the records of the length and orientation the `first`
// records show, cut at their conserved ends (or up to 3 nt short of them),
// assemble the header; it gives up after kScanWithoutChunk records when none
// held a header chunk, and at once when the first records have no conserved
// 12-nt start (no primers to orient by). Errors: those of reading.
Result<HeaderInRecords> ScanForHeader(const ReadBatch& first,
                                      const std::vector<std::string>& inputs, MapperCache& cache,
                                      uint64_t max_records);

// Whether at most 1% of the first records (up to 4096) carry one of
// `primers` (5'->3') at an end: its first 12 nt within a record's first 40,
// or their reverse complement within its last 40.
bool PrimersAbsent(const ReadBatch& batch, const std::vector<std::string>& primers);

// `look_for_header` false (reads forced, or no batch) skips the header.
FirstBatchFindings ProbeFirstBatch(const ReadBatch& batch, bool look_for_header,
                                   MapperCache& cache);

}  // namespace dnastore
