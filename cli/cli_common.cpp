#include "cli/cli_common.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <thread>

namespace dnastore::cli {

void AddCommonOptions(CLI::App* cmd, CommonOptions& opts, bool with_seed) {
  cmd->add_option("-t,--threads", opts.threads, "Worker threads (0 = all cores)")
      ->check(CLI::Range(0, 1024));
  if (with_seed)
    cmd->add_option("--seed", opts.seed, "Random seed (same seed, same output)")
        ->check(kUnsigned64);
  cmd->add_flag("-q,--quiet", opts.quiet, "No progress or summary on stderr");
}

CLI::Validator FiniteIn(double lo, double hi, bool open) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s%g, %g%s", open ? "(" : "[", lo, hi, open ? ")" : "]");
  const std::string range = buf;
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double v = 0;
        size_t used = 0;
        try {
          v = std::stod(text, &used);
        } catch (const std::exception&) {
          return "'" + text + "' is not a number";
        }
        const bool inside = open ? (v > lo && v < hi) : (v >= lo && v <= hi);
        if (used != text.size() || !std::isfinite(v) || !inside)
          return "'" + text + "' is not a number in " + range;
        return "";
      },
      "NUMBER in " + range);
}

CLI::Validator UnsignedIn(uint64_t lo, uint64_t hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        uint64_t v = 0;
        const char* end = text.data() + text.size();
        auto [ptr, ec] = std::from_chars(text.data(), end, v);
        if (text.empty() || ec != std::errc() || ptr != end || v < lo || v > hi)
          return "'" + text + "' is not an integer in " + range;
        return "";
      },
      "INTEGER in " + range);
}

const CLI::Validator kUnsigned64 = UnsignedIn(0, UINT64_MAX);

void AddForceOption(CLI::App* cmd, CommonOptions& opts) {
  cmd->add_flag("-f,--force", opts.force, "Replace existing output files");
}

int ResolveThreads(int threads) {
  if (threads > 0) return threads;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

uint64_t PeakRssBytes() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_maxrss) * 1024;  // Linux: kilobytes
}

int ReportError(const std::string& cmd, const Status& st) {
  std::fprintf(stderr, "dnastore %s: error: %s\n", cmd.c_str(), Printable(st.message()).c_str());
  return ExitCodeFor(st.code());
}

Progress::Progress(std::string label, uint64_t total, bool quiet)
    : label_(std::move(label)), total_(total), enabled_(!quiet && isatty(STDERR_FILENO)) {
  start_ = last_ = std::chrono::steady_clock::now();
}

Progress::~Progress() { Finish(); }

bool Progress::Due() {
  if (!enabled_ || finished_) return false;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return false;
  if (now - start_ < std::chrono::seconds(1)) return false;  // only for work longer than 1 s
  last_ = now;
  return true;
}

void Progress::Update(const std::string& stage, uint64_t done, uint64_t total) {
  if (total > 0) {
    if (!Due()) return;
    const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    const int width = 30, filled = static_cast<int>(frac * width);
    std::fprintf(stderr, "\r\033[K%s: %s [%s%s] %5.1f%%", label_.c_str(), stage.c_str(),
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 frac * 100.0);
  } else {
    if (!Due()) return;
    std::fprintf(stderr, "\r\033[K%s: %s %llu", label_.c_str(), stage.c_str(),
                 static_cast<unsigned long long>(done));
  }
  std::fflush(stderr);
  shown_ = true;
}

void Progress::Update(uint64_t done) {
  if (!Due()) return;
  double frac = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 0.0;
  if (frac > 1) frac = 1;
  int width = 30, filled = static_cast<int>(frac * width);
  std::string bar(filled, '#');
  bar.append(width - filled, '.');
  std::fprintf(stderr, "\r%s [%s] %5.1f%%", label_.c_str(), bar.c_str(), frac * 100.0);
  std::fflush(stderr);
  shown_ = true;
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_ && shown_) std::fprintf(stderr, "\r\033[K");
}

Status WriteTextFile(const std::string& path, const std::string& text) {
  return WriteWholeFile(path, text);
}

Result<RunFiles> RunFiles::Prepare(const std::vector<std::string>& inputs,
                                   const std::vector<std::string>& outputs, bool force) {
  DNASTORE_RETURN_IF_ERROR(CheckRunFiles(inputs, outputs, force));
  RunFiles files;
  files.force_ = force;
  return files;
}

Result<std::string> RunFiles::Stage(const std::string& output) {
  auto temp = std::make_unique<TemporaryName>(output, /*replace=*/force_);
  DNASTORE_RETURN_IF_ERROR(temp->status());
  std::string path = temp->path();
  staged_.emplace_back(output, std::move(temp));
  return path;
}

void RunFiles::Discard(const std::string& output) {
  std::erase_if(staged_, [&](const auto& s) { return s.first == output; });
}

Status RunFiles::CommitAll() {
  std::vector<TemporaryName*> temps;
  for (auto& [output, temp] : staged_) temps.push_back(temp.get());
  return CommitTogether(temps);
}

Status RunFiles::Explain(const Status& st) const {
  Status s = st;
  for (const auto& [output, temp] : staged_) s = temp->Explain(s);
  return s;
}

Status ParsePrimerPair(const std::string& text, std::string* fwd, std::string* rev, size_t min_nt,
                       size_t max_nt) {
  const size_t comma = text.find(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == text.size())
    return UsageError("--primers takes FWD,REV (both 5'->3')");
  *fwd = text.substr(0, comma);
  *rev = text.substr(comma + 1);
  for (const std::string* p : {fwd, rev}) {
    if (p->size() < min_nt || p->size() > max_nt)
      return UsageError("--primers: '" + *p + "' is " + std::to_string(p->size()) +
                        " nt; primers are " + std::to_string(min_nt) + " to " +
                        std::to_string(max_nt) + " nt");
    if (p->find_first_not_of("ACGT") != std::string::npos)
      return UsageError("--primers: '" + *p + "' has a letter other than A, C, G, T");
  }
  return Status::Ok();
}

std::string Printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  auto escape = [&out](unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {  // a C1 control in UTF-8
      escape(c);
      escape(next);
      ++i;
    } else if (c < 0x20 || c == 0x7f || c == '\\') {
      escape(c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

Result<uint64_t> ParseByteSize(const std::string& text, const std::string& option) {
  const Status bad =
      UsageError(option + " " + Printable(text) + ": give a size such as 512M, 4G or 1.5GiB");
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    return bad;
  }
  std::string unit = text.substr(used);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.size() > 1 && unit.back() == 'B') unit.pop_back();  // "GB", "GIB"
  if (unit.size() > 1 && unit.back() == 'I') unit.pop_back();
  const std::string units = "BKMGT";
  const size_t u = unit.empty() ? 0 : units.find(unit);
  if (unit.size() > 1 || u == std::string::npos || !(v > 0)) return bad;
  const double bytes = v * std::pow(1024.0, static_cast<double>(u));
  if (bytes < 1 || bytes > std::ldexp(1.0, 62)) return bad;
  return static_cast<uint64_t>(bytes);
}

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", bytes, units[u]);
  return buf;
}

}  // namespace dnastore::cli
