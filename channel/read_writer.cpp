// FASTQ and truth formatting; the output writers of Run.
#include "channel/read_writer.h"

#include <cstring>

namespace dnastore::channel {

void TextDiff::Sub(uint32_t pos, char from, char to) {
  Sep();
  out->push_back('S');
  Num(pos);
  out->push_back(':');
  out->push_back(from);
  out->push_back('>');
  out->push_back(to);
}

void TextDiff::Ins(uint32_t pos, const char* b, uint32_t n, const int32_t*) {
  Sep();
  out->push_back('I');
  Num(pos);
  out->push_back(':');
  out->append(b, n);
}

void TextDiff::Del(uint32_t pos, uint32_t len) {
  Sep();
  out->push_back('D');
  Num(pos);
  out->push_back(':');
  Num(len);
}

std::string FormatEdits(const std::vector<Edit>& edits, const std::string& ref) {
  std::string out;
  TextDiff td{&out};
  for (const Edit& e : edits) {
    switch (e.type) {
      case EditType::kSubstitution:
        td.Sub(e.pos, e.pos < ref.size() ? ref[e.pos] : 'N', e.bases.empty() ? 'N' : e.bases[0]);
        break;
      case EditType::kInsertion:
        td.Ins(e.pos, e.bases.data(), static_cast<uint32_t>(e.bases.size()), nullptr);
        break;
      case EditType::kDeletion:
        td.Del(e.pos, e.length);
        break;
    }
  }
  td.Finish();
  return out;
}

void EmitRead(const QualityModel& q, Rng& qrng, uint64_t k, const char* suffix,
              const OutputRead& read, const ReadSink& sink, uint64_t& phred_sum) {
  const uint32_t n_out = read.n_out;
  if (sink.seq) {
    sink.seq->clear();
    AppendOriented(*sink.seq, read.v, read.reverse, n_out);
    sink.qual->resize(n_out);
    DrawQualities(q, qrng, read.v, read.reverse, read.err, n_out, sink.qual->data(), phred_sum);
    if (sink.fastq) {
      AppendName(*sink.fastq, '@', k, suffix);
      sink.fastq->push_back('\n');
      sink.fastq->append(*sink.seq);
      sink.fastq->append("\n+\n");
      sink.fastq->append(*sink.qual);
      sink.fastq->push_back('\n');
    }
    return;
  }
  if (sink.fastq) {  // hot path: format straight into the chunk buffer
    std::string& fq = *sink.fastq;
    AppendName(fq, '@', k, suffix);
    fq.push_back('\n');
    AppendOriented(fq, read.v, read.reverse, n_out);
    fq.append("\n+\n");
    size_t at = fq.size();
    fq.resize(at + n_out);
    DrawQualities(q, qrng, read.v, read.reverse, read.err, n_out, &fq[at], phred_sum);
    fq.push_back('\n');
    return;
  }
  sink.scratch.resize(n_out);  // stats only: qualities still drawn for mean_phred
  DrawQualities(q, qrng, read.v, read.reverse, read.err, n_out, sink.scratch.data(), phred_sum);
}

void AppendTruthFields(std::string& truth, uint64_t k, const PoolOligo& oligo, uint32_t index,
                       bool reverse) {
  AppendName(truth, 0, k, nullptr);
  truth.push_back('\t');
  truth.append(oligo.id);
  truth.push_back('\t');
  char buf[16];
  auto r = std::to_chars(buf, buf + sizeof buf, index);
  truth.append(buf, r.ptr);
  truth.push_back('\t');
  truth.push_back(reverse ? '-' : '+');
  truth.push_back('\t');
}

Result<ReadWriters> ReadWriters::Open(const SimulateOutput& output, bool paired, int threads) {
  ReadWriters w;
  auto r1 = SeqWriter::Open(output.reads_path, SeqFormat::kFastq, threads);
  if (!r1.ok()) return r1.status();
  w.r1_ = std::move(*r1);
  if (paired) {
    auto r = SeqWriter::Open(output.reads2_path, SeqFormat::kFastq, threads);
    if (!r.ok()) return r.status();
    w.r2_ = std::move(*r);
  }
  if (!output.truth_path.empty()) {
    auto r = SeqWriter::Open(output.truth_path, SeqFormat::kFasta, 1);
    if (!r.ok()) return r.status();
    w.truth_ = std::move(*r);
    const char* header =
        paired ? "#read\toligo_id\toligo_index\tstrand\tfragment_edits\tr1_edits\tr2_edits\n"
               : "#read\toligo_id\toligo_index\tstrand\tedits\n";
    DNASTORE_RETURN_IF_ERROR(w.truth_->WriteRaw(header, std::strlen(header)));
  }
  return w;
}

Status ReadWriters::Write(const std::string& fq1, const std::string& fq2,
                          const std::string& truth) {
  Status st = r1_->WriteRaw(fq1.data(), fq1.size());
  if (st.ok() && r2_) st = r2_->WriteRaw(fq2.data(), fq2.size());
  if (st.ok() && truth_) st = truth_->WriteRaw(truth.data(), truth.size());
  return st;
}

Status ReadWriters::Close() {
  Status first = r1_->Close();
  for (SeqWriter* w : {r2_.get(), truth_.get()}) {
    if (!w) continue;
    Status st = w->Close();
    if (first.ok() && !st.ok()) first = st;
  }
  return first;
}

}  // namespace dnastore::channel
