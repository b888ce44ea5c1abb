// The simulator driver. Create makes every per-oligo decision, stage by stage
// (synthesis copy numbers -> decay -> PCR -> sampling), and prepares the
// per-read stages and the quality model. Reads are then generated in chunks:
// each read runs through the per-read stages (mutation.h), is formatted
// (read_writer.h) and measured (read_stats.h); chunks are formatted in
// parallel and written in order (tbb::parallel_pipeline), so memory is
// bounded by the pool size.
#include <tbb/concurrent_queue.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "channel/array_synthesis.h"
#include "channel/decay.h"
#include "channel/illumina.h"
#include "channel/molecules.h"
#include "channel/mutation.h"
#include "channel/nanopore.h"
#include "channel/pcr.h"
#include "channel/quality_model.h"
#include "channel/random_streams.h"
#include "channel/read_stats.h"
#include "channel/read_writer.h"
#include "channel/sampling.h"
#include "channel/tdt_synthesis.h"
#include "core/dna.h"
#include "core/rng.h"
#include "dnastore/channel.h"
#include "dnastore/seq_io.h"

namespace dnastore::channel {
namespace {

constexpr uint32_t kMaxOligoNt = 100000;
constexpr size_t kChunkReads = 4096;

// Per-thread reusable buffers.
struct ThreadScratch {
  Scratch read;
  std::string tmpl[2];                              // paired mode templates
  std::string text;                                 // qualities when nothing is written
  std::vector<std::pair<uint64_t, uint32_t>> jobs;  // (sorted read id, oligo) per chunk read
};

// Where a chunk's reads go; any may be null. `records` receives one
// structured record per read.
struct ChunkOutput {
  std::string* fq1 = nullptr;
  std::string* fq2 = nullptr;
  std::string* truth = nullptr;
  std::vector<SimulatedRead>* records = nullptr;
};

// The designed oligos stored contiguously (cache-friendly random access).
class PackedPool {
 public:
  // Error: kBadInput if the pool is too large for 32-bit offsets.
  Status Pack(const std::vector<PoolOligo>& pool) {
    const size_t n = pool.size();
    off_.assign(n + 1, 0);
    for (size_t i = 0; i < n; ++i)
      off_[i + 1] = off_[i] + static_cast<uint32_t>(pool[i].seq.size());
    if (off_[n] > 0xF0000000u) return BadInput("the pool is too large (> 4 G nt)");
    data_.reserve(off_[n]);
    for (auto& o : pool) data_ += o.seq;
    return Status::Ok();
  }
  const char* Seq(uint32_t o) const { return data_.data() + off_[o]; }
  uint32_t Len(uint32_t o) const { return off_[o + 1] - off_[o]; }

 private:
  std::string data_;
  std::vector<uint32_t> off_;  // size n+1
};

// The per-read error stages, in the order a molecule meets them.
struct ReadStages {
  bool tdt = false;  // terminator-free TdT: tdt_cycles instead of `synthesis`
  TdtCycles tdt_cycles;
  StageModel synthesis, decay, pcr;
  StageModel sequencing[2];  // mate 1 / single-end, mate 2
};

// Checks every oligo; returns the longest length. Errors: kBadInput.
Result<uint32_t> CheckPool(const std::vector<PoolOligo>& pool) {
  if (pool.empty()) return BadInput("the pool contains no oligos");
  if (pool.size() > 0xFFFFFFF0ULL) return BadInput("the pool has too many oligos");
  uint32_t max_len = 0;
  for (size_t i = 0; i < pool.size(); ++i) {
    auto& o = pool[i];
    if (o.seq.empty() || o.seq.size() > kMaxOligoNt)
      return BadInput("oligo " + std::to_string(i + 1) + " ('" + o.id +
                      "') is empty or longer than " + std::to_string(kMaxOligoNt) + " nt");
    for (char c : o.seq)
      if (BaseCode(c) < 0 || c > 'Z')
        return BadInput("oligo " + std::to_string(i + 1) + " ('" + o.id +
                        "') contains a base other than upper-case A, C, G, T");
    max_len = std::max<uint32_t>(max_len, static_cast<uint32_t>(o.seq.size()));
  }
  return max_len;
}

double MeanLength(const std::vector<PoolOligo>& pool) {
  double mean_len = 0;
  for (auto& o : pool) mean_len += static_cast<double>(o.seq.size());
  return mean_len / static_cast<double>(pool.size());
}

// Each oligo's share of the molecules that reach sequencing, from its own
// stream: synthesis copy number and yield -> decay survival -> PCR gain.
// When `pre` is given it receives the shares before amplification and
// `efficiency` the oligos' PCR efficiencies (physical redundancy).
std::vector<OligoShare> OligoShares(const std::vector<PoolOligo>& pool, const ChannelConfig& config,
                                    uint64_t seed, std::vector<OligoShare>* pre = nullptr,
                                    std::vector<double>* efficiency = nullptr) {
  const SynthesisParams& sp = config.synthesis;
  const StrandBreaks breaks(config.decay, MeanLength(pool));
  std::vector<OligoShare> shares(pool.size());
  if (pre) pre->assign(pool.size(), OligoShare());
  if (efficiency) efficiency->assign(pool.size(), 0.0);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, pool.size()),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t i = r.begin(); i != r.end(); ++i) {
                        Rng rng(seed, MixIds(kStreamOligo, i));
                        const std::string& s = pool[i].seq;
                        const double len = static_cast<double>(s.size());
                        DrawCopyNumber(sp, rng, shares[i]);
                        AddTruncationYield(sp, len, shares[i]);
                        AddCappingYield(sp, len, shares[i]);
                        breaks.Apply(s, shares[i]);
                        if (pre) (*pre)[i] = shares[i];
                        const double e = Amplify(config.pcr, rng, shares[i]);
                        if (efficiency) (*efficiency)[i] = e;
                      }
                    });
  return shares;
}

// With physical redundancy, the molecules of each oligo (molecules.h) and
// the shares they give it; otherwise the shares of an unlimited pool.
Result<std::vector<OligoShare>> PoolShares(const std::vector<PoolOligo>& pool,
                                           const ChannelConfig& config, uint64_t seed,
                                           MoleculeTable& molecules) {
  const double pr = config.sampling.physical_redundancy;
  if (pr <= 0) return OligoShares(pool, config, seed);
  std::vector<OligoShare> pre;
  std::vector<double> efficiency;
  std::vector<OligoShare> shares = OligoShares(pool, config, seed, &pre, &efficiency);
  for (size_t i = 0; i < shares.size(); ++i)
    shares[i].log_weight -= pre[i].log_weight;  // the PCR gain alone
  auto table = MoleculeTable::Draw(pre, efficiency, config.pcr, pr, seed, shares);
  if (!table.ok()) return table.status();
  molecules = std::move(*table);
  return shares;
}

// The sequencing stage of mate 0 (or single-end) or mate 1.
StageModel SequencingStage(const SequencingParams& sq, int mate) {
  StageModel s = ErrorStage(kStageSequencing, sq);
  if (sq.model == SequencingModel::kIllumina) {
    SetIlluminaErrors(sq, mate, s);
  } else if (sq.model == SequencingModel::kNanoporeR10 ||
             sq.model == SequencingModel::kNanoporeR9) {
    SetNanoporeErrors(sq, s);
  }
  s.Finish();
  return s;
}

ReadStages BuildReadStages(const ChannelConfig& config) {
  const SynthesisParams& sp = config.synthesis;
  ReadStages r;
  if (sp.model == SynthesisModel::kTdt) {
    r.tdt = true;
    r.tdt_cycles = TdtCycles(sp);
  } else if (sp.model == SynthesisModel::kTdtTerminator) {
    r.synthesis = TdtTerminatorStage(sp);
  } else {
    r.synthesis = ArraySynthesisStage(sp);
  }
  r.decay = DecayStage(config.decay);
  r.pcr = PcrStage(config.pcr);
  for (int mate = 0; mate < 2; ++mate)
    r.sequencing[mate] = SequencingStage(config.sequencing, mate);
  return r;
}

// Longest token list a read can need: the longest oligo as a paired-mode
// template (adapter and dark cycles included).
uint32_t TemplateMaxNt(uint32_t max_len, const SequencingParams& sq) {
  return max_len + static_cast<uint32_t>(std::max(sq.adapter_r1.size(), sq.adapter_r2.size())) +
         static_cast<uint32_t>(sq.read_length_nt) + 64;
}

std::vector<int32_t> OriginTable(uint32_t n) {
  std::vector<int32_t> iota(n);
  for (uint32_t i = 0; i < n; ++i) iota[i] = static_cast<int32_t>(i);
  return iota;
}

}  // namespace

// ====================================================================== Impl

struct ChannelSimulator::Impl {
  std::vector<PoolOligo> pool;
  ChannelConfig cfg;
  uint64_t seed = 0;
  uint32_t max_len = 0;
  std::vector<int32_t> iota;  // shared origins 0..n-1 of every initial token list
  std::vector<uint32_t> counts;
  PackedPool seqs;
  ReadIndex index;
  ReadOrder order;
  MoleculeTable molecules;         // empty unless physical redundancy is modelled
  std::vector<uint32_t> variants;  // per oligo (variant_coverage > 0), else empty
  ReadStages stages;
  QualityModel qual;
  SimulateStats pool_stats;  // coverage part

  void SimulateRead(uint64_t j, uint32_t oligo, Scratch& s, bool& reverse, View& mol,
                    uint64_t* stage_events) const;
  void Manufacture(Rng& synth, Rng& decay, Scratch& s, View& v, uint64_t* stage_events) const;
  uint32_t Variants(uint32_t oligo) const;
  void ProcessChunk(uint64_t first, uint64_t count, ThreadScratch& ts, const ChunkOutput& out,
                    ChunkStats& cs) const;
  void ProcessRead(uint64_t k, uint64_t j, uint32_t oligo, ThreadScratch& ts,
                   const ChunkOutput& out, ChunkStats& cs) const;
  bool ProcessMates(uint64_t k, const View& fragment, bool reverse, Rng& qrng, ThreadScratch& ts,
                    const ChunkOutput& out, SimulatedRead* rec, ChunkStats& cs) const;
  struct Chunk;
  void FillChunk(Chunk& c, ThreadScratch& ts, bool truth) const;
  Status RunPipeline(int threads, ReadWriters& writers, StatsTotal& total,
                     const std::function<void(uint64_t, uint64_t)>& progress) const;
};

// The stored molecule: synthesis drawn from `synth`, then decay from `decay`.
void ChannelSimulator::Impl::Manufacture(Rng& synth, Rng& decay, Scratch& s, View& v,
                                         uint64_t* stage_events) const {
  if (stages.tdt) {
    stages.tdt_cycles.Synthesize(synth, s, v, stage_events + 3 * kStageSynthesis);
  } else {
    Mutate(stages.synthesis, synth, s, v, false, false, stage_events + 3 * kStageSynthesis,
           RateScale(synth, cfg.synthesis.rate_sigma));
  }
  Mutate(stages.decay, decay, s, v, false, false, stage_events + 3 * kStageDecay);
}

// SynthesisParams::variant_coverage: the distinct synthesized variants of
// an oligo, floor(C / P(>= 1 synthesis error)) + 1 (0 = unlimited).
uint32_t ChannelSimulator::Impl::Variants(uint32_t oligo) const {
  const SynthesisParams& sp = cfg.synthesis;
  if (sp.variant_coverage <= 0) return 0;
  const uint32_t margins =
      sp.primers_attached ? static_cast<uint32_t>(sp.primer_5p_nt + sp.primer_3p_nt) : 0;
  const uint32_t n = seqs.Len(oligo) > margins ? seqs.Len(oligo) - margins : 0;
  const double rate = sp.substitution_rate + sp.insertion_rate + sp.deletion_rate;
  const double p_error = -std::expm1(-rate * n);
  if (p_error <= 0) return 1;
  return static_cast<uint32_t>(std::min(1e6, std::floor(sp.variant_coverage / p_error) + 1));
}

// Simulates the molecule and (single-end) the read of sorted read j. On
// return `mol` holds the final tokens in forward oligo orientation. With
// physical redundancy the read copies one of its oligo's molecules, whose
// synthesis and decay come from that molecule's own stream (every read of
// it shares them); otherwise the read's stream makes a molecule of its own.
// With variant_coverage, synthesis comes from one of the oligo's few
// variants instead (the molecule's, or a uniform pick for the read).
void ChannelSimulator::Impl::SimulateRead(uint64_t j, uint32_t oligo, Scratch& s, bool& reverse,
                                          View& mol, uint64_t* stage_events) const {
  Rng rng(seed, MixIds(kStreamRead, j));
  View v{seqs.Seq(oligo), iota.data(), seqs.Len(oligo)};
  s.cur = -1;
  s.seq_err.clear();
  const uint32_t n_variants = variants.empty() ? 0 : variants[oligo];
  if (molecules.enabled()) {
    const uint32_t k = molecules.Pick(oligo, Rng(seed, MixIds(kStreamPick, j)).Uniform());
    Rng mrng(seed, MixIds(kStreamMolecule, MixIds(oligo, k)));
    if (n_variants > 0) {
      Rng vrng(seed, MixIds(kStreamVariant, MixIds(oligo, MixIds(oligo, k) % n_variants)));
      Manufacture(vrng, mrng, s, v, stage_events);
    } else {
      Manufacture(mrng, mrng, s, v, stage_events);
    }
  } else if (n_variants > 0) {
    Rng pick(seed, MixIds(kStreamPick, j));
    Rng vrng(seed, MixIds(kStreamVariant, MixIds(oligo, pick.Below(n_variants))));
    Manufacture(vrng, rng, s, v, stage_events);
  } else {
    Manufacture(rng, rng, s, v, stage_events);
  }
  Mutate(stages.pcr, rng, s, v, false, false, stage_events + 3 * kStagePcr);
  reverse = rng.Uniform() < cfg.sequencing.reverse_fraction;
  if (!cfg.sequencing.paired) {
    Mutate(stages.sequencing[0], rng, s, v, reverse, true, stage_events + 3 * kStageSequencing,
           RateScale(rng, cfg.sequencing.rate_sigma));
  }
  mol = v;
}

// Generates reads [first, first+count) in output order into `out`.
void ChannelSimulator::Impl::ProcessChunk(uint64_t first, uint64_t count, ThreadScratch& ts,
                                          const ChunkOutput& out, ChunkStats& cs) const {
  // Pass 1: where each read comes from; prefetch the oligos (random access).
  ts.jobs.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t j = order.Permute(first + i);
    uint32_t o = index.Locate(j);
    ts.jobs[i] = {j, o};
    const char* p = seqs.Seq(o);
    for (uint32_t off = 0; off < seqs.Len(o); off += 64) __builtin_prefetch(p + off);
  }
  for (uint64_t k = first; k < first + count; ++k) {
    ProcessRead(k, ts.jobs[k - first].first, ts.jobs[k - first].second, ts, out, cs);
  }
}

// Output read k (sorted read j of `oligo`): simulates it, counts its net
// edits, writes its truth, record and FASTQ.
void ChannelSimulator::Impl::ProcessRead(uint64_t k, uint64_t j, uint32_t oligo, ThreadScratch& ts,
                                         const ChunkOutput& out, ChunkStats& cs) const {
  SimulateStats& st = cs.st;
  Scratch& s = ts.read;
  bool reverse;
  View v;
  uint64_t ev[12] = {};
  SimulateRead(j, oligo, s, reverse, v, ev);
  for (int i = 0; i < 4; ++i)
    for (int e = 0; e < 3; ++e) st.stage_events[i][e] += ev[3 * i + e];
  const char* ref = seqs.Seq(oligo);
  const uint32_t ref_n = seqs.Len(oligo);
  const bool changed = s.cur >= 0;
  Rng qrng(seed, MixIds(kStreamQuality, k));
  ++st.reads;
  const uint64_t before = EditEvents(st);
  CountDiff counter{&st, max_len + 1};
  if (changed) Diff(v, ref, ref_n, true, counter);
  st.reference_nt += ref_n;
  if (cs.ref_len_hist.size() <= ref_n) cs.ref_len_hist.resize(ref_n + 1, 0);
  ++cs.ref_len_hist[ref_n];
  SimulatedRead* rec = nullptr;
  if (out.records) {
    rec = &out.records->emplace_back();
    rec->read_index = k;
    rec->oligo_index = oligo;
    rec->reverse = reverse;
    AppendName(rec->name, 0, k, nullptr);
    VectorDiff vd{&rec->edits};
    if (changed) Diff(v, ref, ref_n, true, vd);
  }
  if (out.truth) {
    AppendTruthFields(*out.truth, k, pool[oligo], oligo, reverse);
    TextDiff td{out.truth};
    if (changed) Diff(v, ref, ref_n, true, td);
    td.Finish();
  }
  bool clean;
  if (!cfg.sequencing.paired) {
    clean = EditEvents(st) == before;
    st.read_nt += v.n;
    EmitRead(qual, qrng, k, nullptr, OutputRead{v, reverse, v.n, s.seq_err},
             ReadSink{out.fq1, rec ? &rec->seq : nullptr, rec ? &rec->qual : nullptr, ts.text},
             cs.phred_sum);
  } else {
    const bool mates_clean = ProcessMates(k, v, reverse, qrng, ts, out, rec, cs);
    clean = mates_clean && EditEvents(st) == before;
  }
  if (clean) ++st.error_free_reads;
  if (out.truth) out.truth->push_back('\n');
}

// Paired mode: sequences both mates of the fragment (sequencing errors in
// template coordinates). Returns whether neither mate has an edit.
bool ChannelSimulator::Impl::ProcessMates(uint64_t k, const View& fragment, bool reverse, Rng& qrng,
                                          ThreadScratch& ts, const ChunkOutput& out,
                                          SimulatedRead* rec, ChunkStats& cs) const {
  SimulateStats& st = cs.st;
  Scratch& s = ts.read;
  const auto& sq = cfg.sequencing;
  const uint32_t rl = static_cast<uint32_t>(sq.read_length_nt);
  BuildMateTemplates(fragment, reverse, sq, ts.tmpl);  // before the mates reuse the buffers
  CountDiff counter{&st, max_len + 1};
  bool clean = true;
  for (int mate = 0; mate < 2; ++mate) {
    const std::string& t = ts.tmpl[mate];
    const uint32_t t_n = static_cast<uint32_t>(t.size());
    View mv{t.data(), iota.data(), t_n};
    s.cur = -1;
    s.seq_err.clear();
    Mutate(stages.sequencing[mate], qrng, s, mv, false, true, st.stage_events[kStageSequencing],
           RateScale(qrng, sq.rate_sigma));
    const uint32_t n_out = std::min(rl, mv.n);
    const View cut{mv.b, mv.o, n_out};
    const bool changed = s.cur >= 0;
    const uint64_t before = EditEvents(st);
    if (changed) Diff(cut, t.data(), t_n, false, counter);
    if (EditEvents(st) != before) clean = false;
    st.reference_nt += n_out;
    st.read_nt += n_out;
    if (out.truth) {
      out.truth->push_back('\t');
      TextDiff td{out.truth};
      if (changed) Diff(cut, t.data(), t_n, false, td);
      td.Finish();
    }
    if (rec && changed) {
      VectorDiff vd{mate == 0 ? &rec->edits_r1 : &rec->edits_r2};
      Diff(cut, t.data(), t_n, false, vd);
    }
    EmitRead(qual, qrng, k, mate == 0 ? "/1" : "/2", OutputRead{cut, false, n_out, s.seq_err},
             ReadSink{mate == 0 ? out.fq1 : out.fq2,
                      rec ? (mate == 0 ? &rec->seq : &rec->seq2) : nullptr,
                      rec ? (mate == 0 ? &rec->qual : &rec->qual2) : nullptr, ts.text},
             cs.phred_sum);
  }
  return clean;
}

// One chunk of reads in flight through Run's pipeline.
struct ChannelSimulator::Impl::Chunk {
  uint64_t first = 0, count = 0;
  std::string fq1, fq2, truth;
  ChunkStats cs;
};

// The parallel stage of Run: generates and formats one chunk.
void ChannelSimulator::Impl::FillChunk(Chunk& c, ThreadScratch& ts, bool truth) const {
  c.fq1.clear();
  c.fq2.clear();
  c.truth.clear();
  c.cs = ChunkStats();
  InitStats(c.cs.st, max_len);
  ChunkOutput out{&c.fq1, cfg.sequencing.paired ? &c.fq2 : nullptr, truth ? &c.truth : nullptr,
                  nullptr};
  ProcessChunk(c.first, c.count, ts, out, c.cs);
}

// Generates every read in chunks on `threads` threads (parallel), writing
// them in order; stats are summed into `total`. Returns the first write error.
Status ChannelSimulator::Impl::RunPipeline(
    int threads, ReadWriters& writers, StatsTotal& total,
    const std::function<void(uint64_t, uint64_t)>& progress) const {
  const uint64_t n_reads = index.total();
  const uint64_t n_chunks = (n_reads + kChunkReads - 1) / kChunkReads;
  uint64_t next_chunk = 0;
  tbb::concurrent_queue<Chunk*> free_chunks;
  std::vector<std::unique_ptr<Chunk>> owned;
  const size_t tokens = static_cast<size_t>(threads) * 2 + 2;
  for (size_t i = 0; i < tokens; ++i) {
    owned.push_back(std::make_unique<Chunk>());
    free_chunks.push(owned.back().get());
  }
  tbb::enumerable_thread_specific<ThreadScratch> scratch;
  std::atomic<bool> failed{false};
  Status write_status;
  auto take = [&](tbb::flow_control& fc) -> Chunk* {
    if (next_chunk >= n_chunks || failed.load()) {
      fc.stop();
      return nullptr;
    }
    Chunk* c = nullptr;
    while (!free_chunks.try_pop(c)) {
    }
    c->first = next_chunk * kChunkReads;
    c->count = std::min<uint64_t>(kChunkReads, n_reads - c->first);
    ++next_chunk;
    return c;
  };
  auto fill = [&](Chunk* c) -> Chunk* {
    FillChunk(*c, scratch.local(), writers.has_truth());
    return c;
  };
  auto write = [&](Chunk* c) {
    if (write_status.ok()) {
      Status st = writers.Write(c->fq1, c->fq2, c->truth);
      if (!st.ok()) {
        write_status = st;
        failed = true;
      }
    }
    total.Add(c->cs);
    if (progress) progress(c->first + c->count, n_reads);
    free_chunks.push(c);
  };
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        tokens, tbb::make_filter<void, Chunk*>(tbb::filter_mode::serial_in_order, take) &
                    tbb::make_filter<Chunk*, Chunk*>(tbb::filter_mode::parallel, fill) &
                    tbb::make_filter<Chunk*, void>(tbb::filter_mode::serial_in_order, write));
  });
  return write_status;
}

// ================================================================ public ====

Result<std::vector<PoolOligo>> LoadPool(const std::string& path) {
  auto recs = ReadAllRecords(path);
  if (!recs.ok()) return recs.status();
  std::vector<PoolOligo> pool;
  pool.reserve(recs->size());
  for (size_t i = 0; i < recs->size(); ++i) {
    auto& r = (*recs)[i];
    PoolOligo o;
    o.id = r.name.substr(0, r.name.find_first_of(" \t"));
    o.seq = NormalizeBases(r.seq);
    if (o.seq.find('N') != std::string::npos)
      return BadInput(path + ": record " + std::to_string(i + 1) + " ('" + o.id +
                      "') contains a base other than A, C, G, T");
    if (o.seq.empty())
      return BadInput(path + ": record " + std::to_string(i + 1) + " ('" + o.id + "') is empty");
    if (o.seq.size() > kMaxOligoNt)
      return BadInput(path + ": record " + std::to_string(i + 1) + " is longer than " +
                      std::to_string(kMaxOligoNt) + " nt");
    pool.push_back(std::move(o));
  }
  if (pool.empty()) return BadInput(path + ": the pool contains no oligos");
  return pool;
}

ChannelSimulator::ChannelSimulator() : impl_(std::make_unique<Impl>()) {}
ChannelSimulator::~ChannelSimulator() = default;

uint64_t ChannelSimulator::read_count() const { return impl_->index.total(); }
const std::vector<PoolOligo>& ChannelSimulator::pool() const { return impl_->pool; }
const ChannelConfig& ChannelSimulator::config() const { return impl_->cfg; }
const std::vector<uint32_t>& ChannelSimulator::reads_per_oligo() const { return impl_->counts; }

Result<std::unique_ptr<ChannelSimulator>> ChannelSimulator::Create(std::vector<PoolOligo> pool,
                                                                   const ChannelConfig& config,
                                                                   uint64_t seed) {
  DNASTORE_RETURN_IF_ERROR(ValidateConfig(config));
  Result<uint32_t> max_len = CheckPool(pool);
  if (!max_len.ok()) return max_len.status();
  std::unique_ptr<ChannelSimulator> sim(new ChannelSimulator());
  Impl& m = *sim->impl_;
  m.cfg = config;
  m.seed = seed;
  m.max_len = *max_len;
  m.pool = std::move(pool);
  // Per oligo: synthesis copy numbers -> decay -> PCR; then sampling draws
  // the reads per oligo and fixes their output order.
  auto shares = PoolShares(m.pool, config, seed, m.molecules);
  if (!shares.ok()) return shares.status();
  m.counts = config.sampling.fixed_coverage
                 ? FixedReadCounts(*shares,
                                   static_cast<uint32_t>(std::llround(config.sampling.coverage_x)))
                 : DrawReadCounts(*shares, TotalReads(config.sampling, m.pool.size()), seed);
  m.index = ReadIndex(m.counts);
  DNASTORE_RETURN_IF_ERROR(m.seqs.Pack(m.pool));
  m.order = ReadOrder(m.index.total(), seed);
  // Per read: the error stages, then the quality model.
  m.stages = BuildReadStages(config);
  const uint32_t template_max = TemplateMaxNt(m.max_len, config.sequencing);
  m.iota = OriginTable(template_max);
  const uint32_t row_len =
      std::max<uint32_t>(template_max, m.max_len * (m.stages.tdt ? 4 : 2) + 64);
  m.qual = BuildQualityModel(config.sequencing.model, seed, row_len);
  m.pool_stats = CoverageStats(m.counts);
  if (config.synthesis.variant_coverage > 0) {
    m.variants.resize(m.pool.size());
    for (uint32_t i = 0; i < m.pool.size(); ++i) m.variants[i] = m.Variants(i);
  }
  if (m.molecules.enabled()) {
    m.pool_stats.molecules = m.molecules.total();
    for (uint32_t i = 0; i < m.pool.size(); ++i)
      if (m.molecules.Count(i) == 0) ++m.pool_stats.oligos_without_molecules;
  }
  return sim;
}

void ChannelSimulator::Generate(uint64_t first, uint64_t count,
                                std::vector<SimulatedRead>& out) const {
  const Impl& m = *impl_;
  const uint64_t total = m.index.total();
  if (first > total) first = total;
  count = std::min(count, total - first);
  out.clear();
  out.reserve(count);
  ThreadScratch s;
  ChunkStats cs;
  InitStats(cs.st, m.max_len);
  ChunkOutput records;
  records.records = &out;
  for (uint64_t done = 0; done < count; done += kChunkReads) {
    uint64_t n = std::min<uint64_t>(kChunkReads, count - done);
    m.ProcessChunk(first + done, n, s, records, cs);
  }
}

SimulateStats ChannelSimulator::Measure(uint64_t first, uint64_t count, int threads) const {
  const Impl& m = *impl_;
  const uint64_t n_reads = m.index.total();
  if (first > n_reads) first = n_reads;
  count = std::min(count, n_reads - first);
  StatsTotal total(m.pool_stats, m.max_len);
  std::mutex mu;
  tbb::enumerable_thread_specific<ThreadScratch> scratch;
  auto measure = [&](const tbb::blocked_range<uint64_t>& r) {
    for (uint64_t c = r.begin(); c != r.end(); ++c) {
      ChunkStats cs;
      InitStats(cs.st, m.max_len);
      uint64_t a = first + c * kChunkReads;
      uint64_t b = std::min(first + count, a + kChunkReads);
      m.ProcessChunk(a, b - a, scratch.local(), ChunkOutput{}, cs);
      std::lock_guard<std::mutex> lock(mu);
      total.Add(cs);
    }
  };
  tbb::task_arena arena(std::max(1, threads));
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<uint64_t>(0, (count + kChunkReads - 1) / kChunkReads, 1),
                      measure);
  });
  return total.Finish();
}

Result<SimulateStats> ChannelSimulator::Run(const SimulateOutput& output) const {
  const Impl& m = *impl_;
  const bool paired = m.cfg.sequencing.paired;
  if (paired && output.reads2_path.empty())
    return UsageError("paired-end mode needs a second output file for mate 2");
  const int threads = std::max(1, output.threads);
  auto writers = ReadWriters::Open(output, paired, threads);
  if (!writers.ok()) return writers.status();
  StatsTotal total(m.pool_stats, m.max_len);
  Status write_status = m.RunPipeline(threads, *writers, total, output.progress);
  Status closed = writers->Close();
  if (write_status.ok() && !closed.ok()) write_status = closed;
  if (!write_status.ok()) return write_status;
  return total.Finish();
}

}  // namespace dnastore::channel
