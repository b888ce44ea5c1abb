// Output of the simulator: FASTQ records (names r<k>, Phred+33 qualities
// from the quality model) and the truth TSV (docs/channel_simulator.md,
// Outputs), formatted into chunk buffers and written in order.
#pragma once

#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "channel/mutation.h"
#include "channel/quality_model.h"
#include "core/rng.h"
#include "dnastore/channel.h"
#include "dnastore/seq_io.h"
#include "dnastore/status.h"

namespace dnastore::channel {

// Appends [lead]r<k>[suffix].
inline void AppendName(std::string& out, char lead, uint64_t k, const char* suffix) {
  if (lead) out.push_back(lead);
  out.push_back('r');
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, k);
  out.append(buf, r.ptr);
  if (suffix) out.append(suffix);
}

// Diff sink (mutation.h) writing edits as truth text, e.g.
// "S12:A>G,D40:2,I57:TT" ("." when there are none, after Finish).
struct TextDiff {
  std::string* out;
  bool any = false;
  void Sep() {
    if (any) out->push_back(',');
    any = true;
  }
  void Num(uint64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out->append(buf, r.ptr);
  }
  void Sub(uint32_t pos, char from, char to);
  void Ins(uint32_t pos, const char* b, uint32_t n, const int32_t*);
  void Del(uint32_t pos, uint32_t len);
  void Finish() {
    if (!any) out->push_back('.');
  }
};

// One read (or mate) as it leaves the sequencer: the first n_out bases of
// its tokens (reverse complemented when `reverse`), errors at token indices
// `err` getting error qualities.
struct OutputRead {
  const View& v;
  bool reverse;
  uint32_t n_out;
  const std::vector<uint32_t>& err;
};

// Where one read's text goes (any may be null): FASTQ text, and/or a
// record's seq/qual strings. `scratch` holds the qualities when neither is
// given (they are still drawn, for mean_phred).
struct ReadSink {
  std::string* fastq;
  std::string* seq;
  std::string* qual;
  std::string& scratch;
};

// Draws the read's qualities once and writes the FASTQ record "@r<k><suffix>"
// and/or the record strings. Adds the Phred scores written to phred_sum.
void EmitRead(const QualityModel& q, Rng& qrng, uint64_t k, const char* suffix,
              const OutputRead& read, const ReadSink& sink, uint64_t& phred_sum);

// Appends the first truth columns of read k: name, oligo id, oligo index,
// strand (each followed by a tab; the edit columns and newline follow).
void AppendTruthFields(std::string& truth, uint64_t k, const PoolOligo& oligo, uint32_t index,
                       bool reverse);

// The FASTQ writers (mate 2 in paired mode) and the optional truth writer of
// one Run.
class ReadWriters {
 public:
  // Opens the outputs and writes the truth header line. Errors: kIo.
  static Result<ReadWriters> Open(const SimulateOutput& output, bool paired, int threads);
  bool has_truth() const { return truth_ != nullptr; }
  // Writes one chunk's text, in order.
  Status Write(const std::string& fq1, const std::string& fq2, const std::string& truth);
  // Closes every writer; the first error wins.
  Status Close();

 private:
  std::unique_ptr<SeqWriter> r1_, r2_, truth_;
};

}  // namespace dnastore::channel
