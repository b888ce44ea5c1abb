#include "dnastore/seq_io.h"

#include <fcntl.h>
#include <htslib/bgzf.h>
#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <htslib/hts_log.h>
#include <htslib/sam.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "core/dna.h"
#include "core/fastx_parser.h"
#include "core/file_util.h"
#include "core/gunzip_stream.h"
#include "core/phred.h"
#include "core/read_ahead.h"

namespace dnastore {
namespace {

std::string Errno() { return std::strerror(errno); }

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void QuietHtslib() {
  static bool once = [] {
    hts_set_log_level(HTS_LOG_OFF);
    return true;
  }();
  (void)once;
}

}  // namespace

struct SeqReader::Impl {
  htsFile* fp = nullptr;
  sam_hdr_t* hdr = nullptr;
  bam1_t* rec = nullptr;
  std::unique_ptr<FastxParser> fastx;    // FASTA/FASTQ: our streaming parser
  std::unique_ptr<ReadAhead> ahead;      // plain gzip on several threads: inflated ahead
  std::unique_ptr<GunzipStream> gunzip;  // plain gzip regular files: ISA-L's inflate
  int gzip_fd = -1;                      // and the file it reads
  ~Impl() {
    fastx.reset();
    ahead.reset();  // joins the thread reading before what it reads is closed
    gunzip.reset();
    if (gzip_fd >= 0) close(gzip_fd);
    if (rec) bam_destroy1(rec);
    if (hdr) sam_hdr_destroy(hdr);
    if (fp) hts_close(fp);
  }
};

Result<std::unique_ptr<SeqReader>> SeqReader::Open(const std::string& path, int threads) {
  QuietHtslib();
  bool small_file = false;  // a regular file that one 1 MiB block would hold
  bool regular = false;     // can be opened again from its start
  if (path != "-") {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return IoError(path + ": cannot open: " + Errno());
    if (S_ISDIR(st.st_mode)) return IoError(path + ": is a directory, not a sequence file");
    // Only a regular file's size means anything: pipes and FIFOs report 0.
    if (S_ISREG(st.st_mode) && st.st_size == 0) return BadInput(path + ": file is empty");
    small_file = S_ISREG(st.st_mode) && st.st_size < (1 << 20);
    regular = S_ISREG(st.st_mode);
  }
  std::unique_ptr<SeqReader> r(new SeqReader());
  r->path_ = path;
  r->impl_ = std::make_unique<Impl>();
  errno = 0;
  r->impl_->fp = hts_open(path.c_str(), "r");
  if (!r->impl_->fp) {
    if (errno == ENOENT || errno == EACCES || errno == EISDIR)
      return IoError(path + ": cannot open: " + Errno());
    return BadInput(path + ": not a FASTA, FASTQ, SAM or BAM file");
  }
  const htsFormat* fmt = hts_get_format(r->impl_->fp);
  switch (fmt->format) {
    case fasta_format:
      r->format_ = "FASTA";
      break;
    case fastq_format:
      r->format_ = "FASTQ";
      break;
    case sam:
      r->format_ = "SAM";
      break;
    case bam:
      r->format_ = "BAM";
      break;
    case cram:
      r->format_ = "CRAM";
      break;
    case empty_format:
      return BadInput(path + ": file is empty");
    default: {
      char* desc = hts_format_description(fmt);  // malloc'd by HTSlib
      std::string what = desc ? desc : "?";
      free(desc);
      return BadInput(path + ": not a FASTA, FASTQ, SAM or BAM file (detected: " + what + ")");
    }
  }
  // A 1 MiB read buffer: HTSlib sizes it by st_blksize (often 4 KiB), a
  // system call per ~40 reads, a tenth of the decoder's time on a VM. Not
  // for a file smaller than that (its reads are bounded by its size): a
  // 1 MiB allocation per small file was most of the cost of reading one.
  if (!small_file) (void)hts_set_opt(r->impl_->fp, HTS_OPT_BLOCK_SIZE, 1 << 20);
  // HTSlib ignores this for plain gzip and uncompressed input. Failing to
  // start threads only costs speed.
  if (threads > 1 && !small_file && fmt->compression == bgzf)
    (void)hts_set_threads(r->impl_->fp, threads);
  if (fmt->format == fasta_format || fmt->format == fastq_format) {
    // HTSlib's own parser holds a whole record (a 1-Gnt line in a 1 MB gzip:
    // 3.5 GB) before any limit applies; ours streams it past.
    htsFile* fp = r->impl_->fp;
    FastxParser::ReadFn read;
    if (fmt->compression == no_compression)
      read = [fp](char* buf, size_t n) { return static_cast<long>(hread(fp->fp.hfile, buf, n)); };
    else
      read = [fp](char* buf, size_t n) {
        return static_cast<long>(bgzf_read(fp->fp.bgzf, buf, n));
      };
    // Plain gzip in a regular file: igzip instead of zlib, from the start of
    // the file opened again (a pipe keeps zlib: its first bytes are gone).
    if (fmt->compression == gzip && regular && !small_file) {
      const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return IoError(path + ": cannot open: " + Errno());
      r->impl_->gzip_fd = fd;
      r->impl_->gunzip = std::make_unique<GunzipStream>([fd](char* buf, size_t n) {
        ssize_t got;
        do got = ::read(fd, buf, n);
        while (got < 0 && errno == EINTR);
        return static_cast<long>(got);
      });
      GunzipStream* gunzip = r->impl_->gunzip.get();
      read = [gunzip](char* buf, size_t n) { return gunzip->Read(buf, n); };
    }
    // Plain gzip inflates on one thread only: on a thread of its own, ahead
    // of the parser, it overlaps the parsing instead of adding to it.
    if (threads > 1 && !small_file && fmt->compression == gzip) {
      try {
        r->impl_->ahead = std::make_unique<ReadAhead>(read);
        ReadAhead* ahead = r->impl_->ahead.get();
        read = [ahead](char* buf, size_t n) { return ahead->Read(buf, n); };
      } catch (const std::system_error&) {
        // No thread to be had: inflate on the reading thread.
      }
    }
    r->impl_->fastx =
        std::make_unique<FastxParser>(std::move(read), fmt->format == fastq_format, kMaxReadNt);
    return r;
  }
  r->impl_->hdr = sam_hdr_read(r->impl_->fp);
  if (!r->impl_->hdr) return BadInput(path + ": cannot read " + r->format_ + " header");
  r->impl_->rec = bam_init1();
  return r;
}

SeqReader::~SeqReader() = default;

Status SeqReader::NextFastx(ReadBatch& batch, size_t max_records) {
  size_t k = 0;
  while (k < max_records) {
    if (k == batch.size()) batch.emplace_back();
    const FastxParser::Outcome got = impl_->fastx->Next(batch[k]);
    if (got == FastxParser::Outcome::kRecord) {
      ++k;
      ++records_;
    } else if (got == FastxParser::Outcome::kTooLong) {
      ++too_long_;
    } else if (got == FastxParser::Outcome::kEnd) {
      break;
    } else {
      batch.clear();
      return BadInput(path_ + ": malformed or truncated " + format_ + " input at record " +
                      std::to_string(records_ + too_long_ + 1));
    }
  }
  batch.resize(k);
  return Status::Ok();
}

Status SeqReader::Next(ReadBatch& batch, size_t max_records) {
  // Records of the previous batch are overwritten in place: their strings'
  // buffers are reused, so steady-state reading allocates nothing.
  if (impl_->fastx) return NextFastx(batch, max_records);
  size_t k = 0;
  Status status = Status::Ok();
  while (k < max_records) {
    int ret = sam_read1(impl_->fp, impl_->hdr, impl_->rec);
    if (ret == -1) break;
    if (ret < -1) {
      status = BadInput(path_ + ": malformed or truncated " + format_ + " input at record " +
                        std::to_string(records_ + 1));
      break;
    }
    bam1_t* b = impl_->rec;
    if (b->core.flag & (BAM_FSECONDARY | BAM_FSUPPLEMENTARY)) continue;
    const int len = b->core.l_qseq;
    if (static_cast<size_t>(len) > kMaxReadNt) {
      ++too_long_;
      continue;
    }
    if (k == batch.size()) batch.emplace_back();
    SeqRecord& rec = batch[k++];
    rec.name.assign(bam_get_qname(b));
    rec.seq.resize(len);
    const uint8_t* s = bam_get_seq(b);
    // Two bases per byte of HTSlib's 4-bit encoding.
    static const auto kPairs = [] {
      std::array<std::array<char, 2>, 256> t{};
      for (int v = 0; v < 256; ++v) t[v] = {seq_nt16_str[v >> 4], seq_nt16_str[v & 15]};
      return t;
    }();
    for (int i = 0; i + 1 < len; i += 2) std::memcpy(&rec.seq[i], kPairs[s[i / 2]].data(), 2);
    if (len & 1) rec.seq[len - 1] = seq_nt16_str[bam_seqi(s, len - 1)];
    const uint8_t* q = bam_get_qual(b);
    if (len > 0 && q[0] != 0xff) {
      rec.qual.resize(len);
      for (int i = 0; i < len; ++i) rec.qual[i] = PhredChar(q[i]);
    } else {
      rec.qual.clear();
    }
    if (b->core.flag & BAM_FREVERSE) {  // restore the read as sequenced
      ReverseComplementInPlace(&rec.seq);
      std::reverse(rec.qual.begin(), rec.qual.end());
    }
    ++records_;
  }
  batch.resize(k);
  if (!status.ok()) batch.clear();
  return status;
}

Result<std::vector<SeqRecord>> ReadAllRecords(const std::string& path) {
  auto reader = SeqReader::Open(path);
  if (!reader.ok()) return reader.status();
  std::vector<SeqRecord> all;
  ReadBatch batch;
  while (true) {
    Status st = (*reader)->Next(batch, 4096);
    if (!st.ok()) return st;
    if (batch.empty()) break;
    for (auto& r : batch) all.push_back(std::move(r));
  }
  return all;
}

namespace {

// BGZF as HTSlib writes it: blocks of at most kBgzfBlock input bytes, each
// compressed on its own (bgzf_compress, level 6), then an empty end block.
// Compressed here rather than by HTSlib's BGZF writer so that every byte
// goes through FileWriter and with it the I/O seam (core/io_env.h).
constexpr size_t kBgzfBlock = 0xff00;    // HTSlib's BGZF_BLOCK_SIZE
constexpr size_t kBgzfMaxOut = 0x10000;  // BGZF_MAX_BLOCK_SIZE
constexpr int kBgzfLevel = 6;
constexpr uint8_t kBgzfEof[28] = {0x1f, 0x8b, 8,    4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43,
                                  2,    0,    0x1b, 0, 3, 0, 0, 0, 0, 0,    0, 0, 0,    0};

// Compresses `n` bytes as BGZF blocks (the last may be short) and appends
// them to `out` in order, using up to `threads` threads.
Status CompressBgzf(const char* data, size_t n, int threads, std::string* out) {
  const size_t blocks = (n + kBgzfBlock - 1) / kBgzfBlock;
  std::vector<std::string> packed(blocks);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t b; (b = next++) < blocks;) {
      const size_t len = std::min(kBgzfBlock, n - b * kBgzfBlock);
      size_t dlen = kBgzfMaxOut;
      packed[b].resize(kBgzfMaxOut);
      if (bgzf_compress(packed[b].data(), &dlen, data + b * kBgzfBlock, len, kBgzfLevel) != 0)
        failed = true;
      packed[b].resize(dlen);
    }
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < std::min<size_t>(std::max(threads, 1), blocks); ++t)
    helpers.emplace_back(work);
  work();
  for (auto& t : helpers) t.join();
  if (failed) return InternalError("BGZF compression failed");
  for (const auto& p : packed) out->append(p);
  return Status::Ok();
}

}  // namespace

struct SeqWriter::Impl {
  std::optional<FileWriter> file;
  bool bgzf = false;
  int threads = 1;
  std::string packed;
  // Writes `buf` out and clears it; BGZF keeps a last partial block in
  // `buf` unless `last` (then the end block follows).
  Status Emit(std::string& buf, bool last) {
    if (!bgzf) {
      DNASTORE_RETURN_IF_ERROR(file->Write(buf.data(), buf.size()));
      buf.clear();
      return Status::Ok();
    }
    const size_t n = last ? buf.size() : buf.size() / kBgzfBlock * kBgzfBlock;
    packed.clear();
    DNASTORE_RETURN_IF_ERROR(CompressBgzf(buf.data(), n, threads, &packed));
    if (last) packed.append(reinterpret_cast<const char*>(kBgzfEof), sizeof kBgzfEof);
    DNASTORE_RETURN_IF_ERROR(file->Write(packed.data(), packed.size()));
    buf.erase(0, n);
    return Status::Ok();
  }
};

Result<std::unique_ptr<SeqWriter>> SeqWriter::Open(const std::string& path, SeqFormat format,
                                                   int threads) {
  std::unique_ptr<SeqWriter> w(new SeqWriter());
  w->path_ = path;
  w->format_ = format;
  w->impl_ = std::make_unique<Impl>();
  auto file = FileWriter::Open(path);
  if (!file.ok()) return file.status();
  w->impl_->file.emplace(std::move(*file));
  w->impl_->bgzf = EndsWith(path, ".gz") || EndsWith(path, ".bgz");
  w->impl_->threads = threads;
  w->buf_.reserve(1 << 20);
  return w;
}

SeqWriter::~SeqWriter() {
  if (impl_) (void)Close();
}

void FormatRecord(const SeqRecord& rec, SeqFormat format, std::string& out) {
  if (format == SeqFormat::kFasta) {
    out += '>';
    out += rec.name;
    out += '\n';
    out += rec.seq;
    out += '\n';
  } else {
    out += '@';
    out += rec.name;
    out += '\n';
    out += rec.seq;
    out += "\n+\n";
    if (rec.qual.size() == rec.seq.size())
      out += rec.qual;
    else
      out.append(rec.seq.size(), 'I');
    out += '\n';
  }
}

Status SeqWriter::Write(const SeqRecord& rec) {
  FormatRecord(rec, format_, buf_);
  if (buf_.size() >= (1 << 20)) return Flush();
  return Status::Ok();
}

Status SeqWriter::WriteRaw(const char* data, size_t size) {
  if (buf_.size() + size > (1 << 20)) DNASTORE_RETURN_IF_ERROR(Flush());
  if (size >= (1 << 20)) {
    buf_.append(data, size);
    return Flush();
  }
  buf_.append(data, size);
  return Status::Ok();
}

Status SeqWriter::Flush() {
  if (buf_.size() < (impl_->bgzf ? kBgzfBlock : 1)) return Status::Ok();
  return impl_->Emit(buf_, /*last=*/false);
}

Status SeqWriter::Close() {
  if (!impl_->file) return Status::Ok();
  Status st = impl_->Emit(buf_, /*last=*/true);
  Status closed = impl_->file->Close();
  impl_->file.reset();
  return st.ok() ? closed : st;
}

}  // namespace dnastore
