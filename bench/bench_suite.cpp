#include "bench/bench_suite.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/rng.h"
#include "dnastore/channel.h"
#include "dnastore/channel_config.h"
#include "dnastore/decoder.h"
#include "dnastore/encoder.h"

namespace dnastore::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Peak resident memory of this process since the last ResetPeakRss()
// (VmHWM in /proc/self/status; the lifetime peak where that is missing).
uint64_t PeakRssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_maxrss);
}

// jemalloc's control entry point when the executable links it (weak: absent
// otherwise).
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

// Starts a new peak-RSS window, so each step reports its own peak: memory the
// allocator keeps for reuse is returned first (jemalloc: purge all arenas,
// MALLCTL_ARENAS_ALL = 4096), then VmHWM is reset to the current RSS (Linux:
// 5 written to clear_refs).
void ResetPeakRss() {
  if (mallctl) mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
  std::ofstream("/proc/self/clear_refs") << "5";
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto pos = line.find(':');
      return pos == std::string::npos ? line : line.substr(pos + 2);
    }
  }
  return "unknown CPU";
}

Status WriteRandomFile(const std::string& path, uint64_t size, uint64_t seed) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return IoError(path + ": cannot create");
  Rng rng(seed, 0);
  std::vector<uint64_t> buf(1 << 16);
  for (uint64_t done = 0; done < size;) {
    for (auto& w : buf) w = rng.Next();
    uint64_t n = std::min<uint64_t>(size - done, buf.size() * 8);
    out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n));
    done += n;
  }
  out.flush();
  if (!out) return IoError(path + ": write failed");
  return Status::Ok();
}

bool SameFile(const std::string& a, const std::string& b) {
  std::ifstream x(a, std::ios::binary), y(b, std::ios::binary);
  if (!x || !y) return false;
  std::istreambuf_iterator<char> xi(x), yi(y), end;
  while (xi != end && yi != end) {
    if (*xi != *yi) return false;
    ++xi;
    ++yi;
  }
  return xi == end && yi == end;
}

EncodeOptions DefaultEncode(double redundancy, int threads, Mapping mapping = Mapping::kDirect) {
  EncodeOptions o;
  o.geometry.fwd_primer = kDefaultFwdPrimer;
  o.geometry.rev_primer = kDefaultRevPrimer;
  o.geometry.payload_nt = 150;
  o.geometry.mapping = mapping;
  o.redundancy = redundancy;
  o.threads = threads;
  return o;
}

double MemoryBandwidth(size_t bytes) {
  std::vector<char> a(bytes, 1), b(bytes, 2);
  double best = 0;
  for (int rep = 0; rep < 4; ++rep) {
    auto t = Clock::now();
    std::memcpy(b.data(), a.data(), bytes);
    double s = Since(t);
    if (s > 0) best = std::max(best, static_cast<double>(bytes) / s / 1e9);
    a[rep] = b[bytes - 1 - rep];  // keep the copies observable
  }
  return best;
}

// Simulates `pool` through `cfg` into `reads`; returns reads written.
Result<uint64_t> Simulate(const std::string& pool, const channel::ChannelConfig& cfg, uint64_t seed,
                          int threads, const std::string& reads) {
  auto oligos = channel::LoadPool(pool);
  if (!oligos.ok()) return oligos.status();
  auto sim = channel::ChannelSimulator::Create(std::move(*oligos), cfg, seed);
  if (!sim.ok()) return sim.status();
  channel::SimulateOutput out;
  out.reads_path = reads;
  out.threads = threads;
  auto stats = (*sim)->Run(out);
  if (!stats.ok()) return stats.status();
  return stats->reads;
}

// The designed payloads of `pool` (primers cut off) as a pool of their own:
// what dt4dds-benchmark's error generator is given (the codecs' designs,
// primers excluded).
Status WritePayloadPool(const std::string& pool, const std::string& out) {
  auto oligos = channel::LoadPool(pool);
  if (!oligos.ok()) return oligos.status();
  const size_t fwd = std::string(kDefaultFwdPrimer).size(),
               rev = std::string(kDefaultRevPrimer).size();
  std::string fasta;
  for (const channel::PoolOligo& o : *oligos) {
    if (o.seq.size() <= fwd + rev) return BadInput(pool + ": an oligo shorter than its primers");
    fasta += ">" + o.id + "\n" + o.seq.substr(fwd, o.seq.size() - fwd - rev) + "\n";
  }
  std::ofstream f(out, std::ios::binary);
  f << fasta;
  f.close();
  return f ? Status::Ok() : IoError(out + ": cannot write");
}

// The one-error-type channel of dt4dds-benchmark's error generator
// (workflows/bin/workflow_errorgenerator/run.py): exactly 30 copies of every
// design, each base substituted, deleted or followed by an insertion with
// probability `rate`, reads in the design's orientation, no qualities
// (perfect sequencing's flat 'I').
channel::ChannelConfig ErrorGeneratorChannel(const std::string& type, double rate) {
  channel::ChannelConfig cfg = *channel::PresetConfig("perfect");
  auto& sq = cfg.sequencing;
  sq.substitution_rate = type == "substitution" ? rate : 0;
  sq.deletion_rate = type == "deletion" ? rate : 0;
  sq.insertion_rate = type == "insertion" ? rate : 0;
  sq.end_error_factor = 1.0;
  sq.rate_sigma = 0;
  sq.reverse_fraction = 0;
  cfg.sampling.coverage_x = 30;
  cfg.sampling.fixed_coverage = true;
  return cfg;
}

bool DecodesTo(const std::string& reads, const std::string& out, const std::string& original,
               int threads) {
  DecodeOptions d;
  d.inputs = {reads};
  d.output_path = out;
  d.force = true;
  d.threads = threads;
  Status st = DecodeFile(d, nullptr, nullptr);
  bool ok = st.ok() && SameFile(out, original);
  fs::remove(out);
  return ok;
}

}  // namespace

Result<BenchReport> RunBench(const BenchOptions& o) {
  auto start = Clock::now();
  auto log = [&](const std::string& s) {
    if (o.log) o.log(s);
  };
  BenchReport rep;
  rep.quick = o.quick;
  rep.machine = CpuModel() + ", " + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " cores";
  {
    std::time_t now = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&now));
    rep.date = buf;
  }
  // A new directory of our own inside the work directory (TMPDIR by
  // default), removed at the end: the bench cleans up what it creates and
  // nothing else.
  std::string parent = o.work_dir;
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent = tmp && *tmp ? tmp : "/tmp";
  }
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return IoError(parent + ": cannot create: " + ec.message());
  std::string pattern = parent + "/dnastore-bench-XXXXXX";
  if (!mkdtemp(pattern.data()))
    return IoError(parent + ": cannot create a scratch directory: " + std::strerror(errno));
  const std::string dir = pattern;
  struct Cleanup {
    std::string d;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(d, e);
    }
  } cleanup{dir};

  // ---- Throughput: encode and clean decode across sizes and thread counts.
  std::vector<uint64_t> sizes =
      o.quick ? std::vector<uint64_t>{16ull << 20}
              : std::vector<uint64_t>{1ull << 20, 16ull << 20, 256ull << 20, 1ull << 30};
  std::vector<int> thread_counts = {1};
  if (o.threads > 1) thread_counts.push_back(o.threads);
  for (uint64_t size : sizes) {
    const std::string in = dir + "/input.bin", pool = dir + "/pool.fasta", out = dir + "/out.bin";
    DNASTORE_RETURN_IF_ERROR(WriteRandomFile(in, size, o.seed));
    for (int t : thread_counts) {
      log("encode " + std::to_string(size >> 20) + " MiB, " + std::to_string(t) + " thread(s)");
      EncodeSummary s;
      ResetPeakRss();
      auto t0 = Clock::now();
      DNASTORE_RETURN_IF_ERROR(EncodeFile(in, "/dev/null", DefaultEncode(0.176, t), nullptr, &s));
      ThroughputRow r{"encode", t, size, Since(t0)};
      r.mb_per_s = size / r.seconds / 1e6;
      r.nt_per_s = static_cast<double>(s.total_nt) / r.seconds;
      r.peak_rss_kb = PeakRssKb();
      rep.throughput.push_back(r);
    }
    DNASTORE_RETURN_IF_ERROR(
        EncodeFile(in, pool, DefaultEncode(0.176, o.threads), nullptr, nullptr));
    for (int t : thread_counts) {
      log("decode clean pool " + std::to_string(size >> 20) + " MiB, " + std::to_string(t) +
          " thread(s)");
      DecodeOptions d;
      d.inputs = {pool};
      d.output_path = out;
      d.force = true;
      d.threads = t;
      ResetPeakRss();
      auto t0 = Clock::now();
      DNASTORE_RETURN_IF_ERROR(DecodeFile(d, nullptr, nullptr));
      ThroughputRow r{"decode (clean pool)", t, size, Since(t0)};
      r.mb_per_s = size / r.seconds / 1e6;
      r.peak_rss_kb = PeakRssKb();
      rep.throughput.push_back(r);
    }
    fs::remove(pool);
    fs::remove(out);
    fs::remove(in);
  }

  // ---- Throughput: simulate and decode reads.
  struct ReadsCase {
    std::string preset;
    uint64_t file_bytes;
    double coverage;
  };
  std::vector<ReadsCase> reads_cases = {{"illumina", o.quick ? (512u << 10) : (8u << 20), 10},
                                        {"nanopore", o.quick ? (32u << 10) : (512u << 10), 20}};
  for (const auto& c : reads_cases) {
    const std::string in = dir + "/r_input.bin", pool = dir + "/r_pool.fasta",
                      reads = dir + "/reads.fastq", out = dir + "/r_out.bin";
    DNASTORE_RETURN_IF_ERROR(WriteRandomFile(in, c.file_bytes, o.seed + 1));
    DNASTORE_RETURN_IF_ERROR(
        EncodeFile(in, pool, DefaultEncode(0.176, o.threads), nullptr, nullptr));
    auto cfg = channel::PresetConfig(c.preset);
    if (!cfg.ok()) return cfg.status();
    cfg->sampling.coverage_x = c.coverage;
    for (int t : thread_counts) {
      log("simulate " + c.preset + ", " + std::to_string(t) + " thread(s)");
      ResetPeakRss();
      auto t0 = Clock::now();
      auto n = Simulate(pool, *cfg, o.seed, t, reads);
      if (!n.ok()) return n.status();
      ThroughputRow r{"simulate (" + c.preset + ")", t, c.file_bytes, Since(t0)};
      r.reads_per_s = *n / r.seconds;
      r.peak_rss_kb = PeakRssKb();
      rep.throughput.push_back(r);
      log("decode " + c.preset + " reads, " + std::to_string(t) + " thread(s)");
      ResetPeakRss();
      t0 = Clock::now();
      bool ok = DecodesTo(reads, out, in, t);
      ThroughputRow d{"decode reads (" + c.preset + (ok ? ")" : ", FAILED)"), t, c.file_bytes,
                      Since(t0)};
      d.reads_per_s = *n / d.seconds;
      d.mb_per_s = c.file_bytes / d.seconds / 1e6;
      d.peak_rss_kb = PeakRssKb();
      rep.throughput.push_back(d);
    }
    fs::remove(reads);
    fs::remove(pool);
    fs::remove(in);
  }

  // ---- Coding power: error thresholds at 30x, one error type at a time,
  // injected the way dt4dds-benchmark's error generator does.
  struct Density {
    std::string name;
    double redundancy;
  };
  std::vector<Density> densities = {{"balanced", DensityPresetRedundancy("balanced")}};
  if (!o.quick) {
    densities.insert(densities.begin(), {"dense", DensityPresetRedundancy("dense")});
    densities.push_back({"robust", DensityPresetRedundancy("robust")});
  }
  const uint64_t power_bytes = o.quick ? 8192 : 19000;  // dt4dds benchmark files are ~19 kB
  const int runs = o.runs_per_point > 0 ? o.runs_per_point : (o.quick ? 1 : 20);
  const std::vector<double> rates =
      o.quick ? std::vector<double>{0.02, 0.05, 0.08}
              : std::vector<double>{0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08,
                                    0.09, 0.10, 0.11, 0.12, 0.13, 0.14, 0.16};
  const std::string in = dir + "/p_input.bin", pool = dir + "/p_pool.fasta",
                    payload_pool = dir + "/p_payloads.fasta", reads = dir + "/p_reads.fastq",
                    out = dir + "/p_out.bin";
  DNASTORE_RETURN_IF_ERROR(WriteRandomFile(in, power_bytes, o.seed + 2));
  for (const auto& den : densities) {
    EncodeSummary s;
    DNASTORE_RETURN_IF_ERROR(
        EncodeFile(in, pool, DefaultEncode(den.redundancy, o.threads), nullptr, &s));
    DNASTORE_RETURN_IF_ERROR(WritePayloadPool(pool, payload_pool));
    for (std::string type : {"substitution", "deletion", "insertion"}) {
      ThresholdRow row;
      row.preset = den.name;
      row.bits_per_nt = s.bits_per_nt_payload;
      row.error_type = type;
      row.runs_per_rate = runs;
      // Highest rate first, down to the first that passes. A rate fails as
      // soon as it has more failures than 95% success allows (no further
      // runs needed); rates below the first passing one are not run
      // (decoding does not get worse with fewer errors).
      const int allowed_failures = runs - static_cast<int>(std::ceil(0.95 * runs - 1e-9));
      for (auto it = rates.rbegin(); it != rates.rend(); ++it) {
        const double rate = *it;
        log("coding power " + den.name + " " + type + " " + std::to_string(rate));
        const channel::ChannelConfig cfg = ErrorGeneratorChannel(type, rate);
        int ok = 0, done = 0;
        for (int run = 0; run < runs && done - ok <= allowed_failures; ++run, ++done) {
          auto n = Simulate(payload_pool, cfg, o.seed + 100 * run, o.threads, reads);
          if (!n.ok()) return n.status();
          ok += DecodesTo(reads, out, in, o.threads);
        }
        row.success.push_back({rate, static_cast<double>(ok) / done});
        if (done - ok <= allowed_failures) {
          row.max_rate = rate;
          break;
        }
      }
      std::sort(row.success.begin(), row.success.end());
      rep.thresholds.push_back(row);
    }
  }

  // ---- Minimum coverage per channel preset.
  std::vector<std::string> channels = {"illumina"};
  if (!o.quick) channels = {"illumina", "worstcase", "nanopore", "nanopore-r9", "tdt"};
  const std::vector<double> coverages =
      o.quick ? std::vector<double>{2, 3, 5}
              : std::vector<double>{1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 40, 60};
  for (const auto& ch : channels) {
    const Mapping m = ch == "tdt" ? Mapping::kTransition : Mapping::kDirect;
    DNASTORE_RETURN_IF_ERROR(
        EncodeFile(in, pool, DefaultEncode(0.176, o.threads, m), nullptr, nullptr));
    CoverageRow row;
    row.channel = ch;
    for (double cov : coverages) {
      log("coverage " + ch + " " + std::to_string(cov));
      auto cfg = channel::PresetConfig(ch);
      if (!cfg.ok()) return cfg.status();
      cfg->sampling.coverage_x = cov;
      // Full recovery in every one of 3 seeded runs (1 with --quick).
      bool ok = true;
      for (int run = 0; run < (o.quick ? 1 : 3) && ok; ++run) {
        auto n = Simulate(pool, *cfg, o.seed + 1000 * run, o.threads, reads);
        if (!n.ok()) return n.status();
        ok = DecodesTo(reads, out, in, o.threads);
      }
      row.tried.push_back({cov, ok});
      if (ok) {
        row.min_coverage = cov;
        break;
      }
    }
    rep.coverage.push_back(row);
  }
  // Last, so that its buffers do not inflate the peak RSS of the steps above.
  log("memory bandwidth");
  rep.memory_bandwidth_gb_s = MemoryBandwidth(o.quick ? (64u << 20) : (512u << 20));
  rep.seconds = Since(start);
  return rep;
}

std::string ReportJson(const BenchReport& r) {
  nlohmann::json j;
  j["machine"] = r.machine;
  j["date"] = r.date;
  j["quick"] = r.quick;
  j["seconds"] = r.seconds;
  j["memory_bandwidth_gb_s"] = r.memory_bandwidth_gb_s;
  j["targets"] = {{"tape_drive_mb_s", kTapeDriveMBps},
                  {"dna_writer_nt_s", kWriterNtPerSecond},
                  {"novaseq_x_reads_s", kNovaSeqReadsPerSecond}};
  for (const auto& t : r.throughput)
    j["throughput"].push_back({{"what", t.what},
                               {"threads", t.threads},
                               {"input_bytes", t.input_bytes},
                               {"seconds", t.seconds},
                               {"mb_per_s", t.mb_per_s},
                               {"nt_per_s", t.nt_per_s},
                               {"reads_per_s", t.reads_per_s},
                               {"peak_rss_kb", t.peak_rss_kb}});
  for (const auto& t : r.thresholds) {
    nlohmann::json s = nlohmann::json::array();
    for (auto [rate, frac] : t.success) s.push_back({{"rate", rate}, {"success", frac}});
    j["error_thresholds_30x"].push_back({{"preset", t.preset},
                                         {"bits_per_nt", t.bits_per_nt},
                                         {"error_type", t.error_type},
                                         {"max_rate_95pct", t.max_rate},
                                         {"runs_per_rate", t.runs_per_rate},
                                         {"success", s}});
  }
  for (const auto& c : r.coverage) {
    nlohmann::json tried = nlohmann::json::array();
    for (auto [cov, ok] : c.tried) tried.push_back({{"coverage", cov}, {"recovered", ok}});
    j["min_coverage"].push_back(
        {{"channel", c.channel}, {"min_coverage", c.min_coverage}, {"tried", tried}});
  }
  return j.dump(2) + "\n";
}

std::string ReportMarkdown(const BenchReport& r) {
  std::ostringstream md;
  char buf[512];
  md << "# dnastore bench" << (r.quick ? " (quick)" : "") << "\n\n";
  md << "Machine: " << r.machine << "; date " << r.date << "; measured memcpy bandwidth "
     << r.memory_bandwidth_gb_s << " GB/s (the roofline).\n\n";
  md << "## Throughput\n\nPeak RSS is the process's peak during the step (VmHWM, reset before "
        "each step). Reads steps: simulate, then decode, of the same pool.\n\n"
        "| step | threads | input | MB/s | nt/s | reads/s | vs target | peak RSS |\n"
        "|---|---|---|---|---|---|---|---|\n";
  for (const auto& t : r.throughput) {
    std::string vs;
    if (t.what == "encode") {
      std::snprintf(buf, sizeof buf, "%.3f x tape drive, %.4f x DNA writer",
                    t.mb_per_s / kTapeDriveMBps, t.nt_per_s / kWriterNtPerSecond);
      vs = buf;
    } else if (t.what.rfind("decode (clean", 0) == 0) {
      std::snprintf(buf, sizeof buf, "%.3f x tape drive", t.mb_per_s / kTapeDriveMBps);
      vs = buf;
    } else if (t.reads_per_s > 0) {
      std::snprintf(buf, sizeof buf, "%.3f x NovaSeq X", t.reads_per_s / kNovaSeqReadsPerSecond);
      vs = buf;
    }
    std::snprintf(buf, sizeof buf, "| %s | %d | %.1f MiB | %.1f | %.3g | %.3g | %s | %.0f MiB |\n",
                  t.what.c_str(), t.threads, t.input_bytes / 1048576.0, t.mb_per_s, t.nt_per_s,
                  t.reads_per_s, vs.c_str(), t.peak_rss_kb / 1024.0);
    md << buf;
  }
  md << "\n## Error thresholds at 30x (>= 95% of runs recover the file; one error type at a "
        "time)\n\n"
        "Errors as dt4dds-benchmark's error generator injects them: exactly 30 reads of every "
        "designed payload (primers excluded, as the benchmark's designs are), each base "
        "substituted, deleted or followed by an inserted base with the given probability, reads "
        "in the design's orientation, no qualities.\n\n"
        "| codec | bits/nt | subst | del | ins |\n|---|---|---|---|---|\n";
  std::map<std::string, std::map<std::string, const ThresholdRow*>> by;
  for (const auto& t : r.thresholds) by[t.preset][t.error_type] = &t;
  for (const auto& [preset, types] : by) {
    // "max" rate, with ">=" when even the highest rate tried succeeded.
    auto get = [&](const char* k) {
      auto it = types.find(k);
      if (it == types.end()) return std::string("-");
      const ThresholdRow& t = *it->second;
      char v[32];
      const bool open_ended = !t.success.empty() && t.max_rate == t.success.back().first &&
                              t.success.back().second >= 0.95;
      std::snprintf(v, sizeof v, "%s%.1f%%", open_ended ? ">= " : "", t.max_rate * 100);
      return std::string(v);
    };
    std::snprintf(buf, sizeof buf, "| **dnastore %s** | %.2f | %s | %s | %s |\n", preset.c_str(),
                  types.begin()->second->bits_per_nt, get("substitution").c_str(),
                  get("deletion").c_str(), get("insertion").c_str());
    md << buf;
  }
  md << "| DNA-RS high | 1.50 | 6.0% | 6.0% | 4.2% |\n| DNA-RS medium | 1.00 | 8.0% | 8.0% | 5.1% "
        "|\n"
        "| HEDGES medium | 1.07 | 9.4% | 10.2% | 6.9% |\n| DNA-Aeon high | 1.50 | 5.3% | 5.7% | "
        "4.2% |\n"
        "| DNA Fountain high | 1.50 | 3.4% | 3.6% | 2.3% |\n| Yin-Yang | 1.85 | 3.4% | 3.6% | 1.2% "
        "|\n\n"
        "Anchors: dt4dds benchmark (Gimpel et al.), DESIGN.md §3. Rates tested: ";
  std::set<double> all_rates;
  for (const auto& t : r.thresholds)
    for (auto [rate, frac] : t.success) all_rates.insert(rate);
  for (double rate : all_rates) md << rate * 100 << "% ";
  md << "(from the highest rate down to the first that passes: \"max\").\n\n";
  if (!r.thresholds.empty()) {
    md << "Success fraction per rate (up to " << r.thresholds[0].runs_per_rate
       << " seeded runs each; a rate stops at the failure that rules out 95%; rates below "
          "the highest passing one are not run):\n\n| preset | error | ";
    for (double rate : all_rates) md << rate * 100 << "% | ";
    md << "\n|---|---|";
    for (size_t i = 0; i < all_rates.size(); ++i) md << "---|";
    md << "\n";
    for (const auto& t : r.thresholds) {
      md << "| " << t.preset << " | " << t.error_type << " | ";
      for (double rate : all_rates) {
        auto it = std::find_if(t.success.begin(), t.success.end(),
                               [&](const auto& p) { return p.first == rate; });
        if (it == t.success.end()) {
          md << "- | ";
        } else {
          std::snprintf(buf, sizeof buf, "%.2f | ", it->second);
          md << buf;
        }
      }
      md << "\n";
    }
    md << "\n";
  }
  md << "## Minimum mean coverage for full recovery\n\n"
        "| channel | min coverage | tried |\n|---|---|---|\n";
  for (const auto& c : r.coverage) {
    std::string tried;
    for (auto [cov, ok] : c.tried)
      tried += std::to_string(static_cast<int>(cov)) + "x:" + (ok ? "ok " : "fail ");
    std::snprintf(buf, sizeof buf, "| %s | %s | %s |\n", c.channel.c_str(),
                  c.min_coverage > 0
                      ? (std::to_string(static_cast<int>(c.min_coverage)) + "x").c_str()
                      : "none",
                  tried.c_str());
    md << buf;
  }
  std::snprintf(buf, sizeof buf, "\nTotal benchmark time %.1f s.\n", r.seconds);
  md << buf;
  return md.str();
}

namespace {

struct PlotSeries {
  std::string label;
  std::vector<std::pair<double, double>> points;  // (x, y in [0, 1])
};

// A minimal line plot: x from 0 to max_x, y from 0 to 1.
std::string LinePlotSvg(const std::string& x_label, const std::string& y_label, double max_x,
                        const std::vector<PlotSeries>& series) {
  const int w = 640, h = 400, x0 = 60, y0 = 340, pw = 540, ph = 300;
  static const char* kColors[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e",
                                  "#e6ab02", "#a6761d", "#666666", "#1f78b4"};
  std::ostringstream s;
  s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
    << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' "
       "fill='white'/>\n";
  s << "<line x1='" << x0 << "' y1='" << y0 << "' x2='" << x0 + pw << "' y2='" << y0
    << "' stroke='black'/>\n<line x1='" << x0 << "' y1='" << y0 << "' x2='" << x0 << "' y2='"
    << y0 - ph << "' stroke='black'/>\n";
  s << "<text x='" << x0 + pw / 2 - 80 << "' y='" << y0 + 35 << "'>" << x_label
    << "</text>\n<text x='5' y='" << y0 - ph - 10 << "'>" << y_label << "</text>\n";
  int ly = 20;
  for (size_t i = 0; i < series.size(); ++i) {
    const char* color = kColors[i % 9];
    s << "<polyline fill='none' stroke='" << color << "' stroke-width='2' points='";
    for (auto [x, y] : series[i].points) s << x0 + x / max_x * pw << "," << y0 - y * ph << " ";
    s << "'/>\n";
    // Markers too: a series may be a single measured point.
    for (auto [x, y] : series[i].points)
      s << "<circle cx='" << x0 + x / max_x * pw << "' cy='" << y0 - y * ph << "' r='3' fill='"
        << color << "'/>\n";
    s << "<text x='" << x0 + pw - 150 << "' y='" << ly << "' fill='" << color << "'>"
      << series[i].label << "</text>\n";
    ly += 14;
  }
  s << "</svg>\n";
  return s.str();
}

}  // namespace

std::string ThresholdSvg(const BenchReport& r) {
  double max_rate = 0.01;
  std::vector<PlotSeries> series;
  for (const auto& t : r.thresholds) {
    series.push_back({t.preset + " " + t.error_type, t.success});
    for (auto [rate, f] : t.success) max_rate = std::max(max_rate, rate);
  }
  std::ostringstream x_label;
  x_label << "error rate per nt (max " << max_rate * 100 << "%)";
  return LinePlotSvg(x_label.str(), "recovery success (0-1), 30x", max_rate, series);
}

std::string CoverageSvg(const BenchReport& r) {
  double max_cov = 1;
  std::vector<PlotSeries> series;
  for (const auto& c : r.coverage) {
    PlotSeries p{c.channel, {}};
    for (auto [cov, ok] : c.tried) {
      p.points.push_back({cov, ok ? 1.0 : 0.0});
      max_cov = std::max(max_cov, cov);
    }
    series.push_back(std::move(p));
  }
  std::ostringstream x_label;
  x_label << "mean coverage (reads per oligo, max " << max_cov << "x)";
  return LinePlotSvg(x_label.str(), "full recovery (1 = yes), one seeded run per point", max_cov,
                     series);
}

}  // namespace dnastore::bench
