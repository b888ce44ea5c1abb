// Faults of the disk, injected in-process through the I/O seam
// (core/io_env.h, tests/fault_io_env.h): for encode, decode, simulate and
// consensus, the k-th write fails with ENOSPC, the k-th read with EIO, the
// k-th rename or fsync with EIO, for k over the calls the run makes. Each
// must exit 2 with a message naming the file and the system's reason, leave
// nothing in the output directory, and leave a file it was to replace with
// --force as it was. Short writes must change nothing. The commands run
// through cli::RunCommandLine (the `dnastore` command line without main).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/file_util.h"
#include "core/io_env.h"
#include "tests/fault_io_env.h"
#include "tests/test_util.h"

namespace fs = std::filesystem;
using dnastore::ScopedIoEnv;
using dnastore::testing::FaultIoEnv;
using dnastore::testing::ReadText;
using dnastore::testing::WriteText;
using Fault = FaultIoEnv::Fault;

namespace {

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

struct RunResult {
  int code = -1;
  std::string err;
};

// One command line in this process, its stderr captured.
RunResult RunInProcess(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s = {"dnastore"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::testing::internal::CaptureStderr();
  RunResult r;
  r.code = dnastore::cli::RunCommandLine(static_cast<int>(argv_s.size()), argv.data());
  r.err = ::testing::internal::GetCapturedStderr();
  return r;
}

// The inputs every case reads, made once per process (without faults).
struct Inputs {
  std::string root, file, pool, reads;
};
const Inputs& TheInputs() {
  static const Inputs in = [] {
    Inputs i;
    i.root = dnastore::testing::ScratchPath("io_fault");
    fs::create_directories(i.root + "/in");
    std::string content;
    for (int k = 0; k < 3000; ++k) content += static_cast<char>((k * 2654435761u) >> 11);
    i.file = WriteText(i.root + "/in/file.bin", content);
    i.pool = i.root + "/in/pool.fasta";
    i.reads = i.root + "/in/reads.fastq";
    EXPECT_EQ(RunInProcess({"encode", i.file, "-o", i.pool, "-q"}).code, 0);
    EXPECT_EQ(RunInProcess({"simulate", i.pool, "-o", i.reads, "--coverage", "8", "-q"}).code, 0);
    return i;
  }();
  return in;
}

// A command: its arguments ("@" stands for the output directory, "%file",
// "%pool" and "%reads" for the inputs), its outputs, and those compared byte
// for byte between runs (no timings).
// `report`: an output that a failed run still writes to say why (decode's
// --report, by design), unless the fault was its own.
struct Case {
  std::string name;
  std::vector<std::string> args, outputs, compare;
  std::string report;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> Cases() {
  const struct { std::string file = "%file", pool = "%pool", reads = "%reads"; } in;
  return {
      {"encode",
       {"encode", in.file, "-o", "@/pool.fasta", "--json", "@/summary.json", "-q", "-t", "1"},
       {"pool.fasta", "summary.json"},
       {"pool.fasta"},
       ""},
      {"encode_gz_order_sheet",
       {"encode", in.file, "-o", "@/pool.fasta.gz", "--order-sheet", "@/order.csv", "-q", "-t",
        "2"},
       {"pool.fasta.gz", "order.csv"},
       {"pool.fasta.gz", "order.csv"},
       ""},
      {"decode",
       {"decode", in.pool, "-o", "@/file.bin", "--report", "@/report.json", "-q", "-t", "1"},
       {"file.bin", "report.json"},
       {"file.bin"},
       "report.json"},
      {"simulate",
       {"simulate", in.pool, "-o", "@/reads.fastq.gz", "--truth", "@/truth.tsv", "--stats",
        "@/stats.json", "--coverage", "5", "-q", "-t", "2"},
       {"reads.fastq.gz", "truth.tsv", "stats.json"},
       {"reads.fastq.gz", "truth.tsv"},
       ""},
      {"consensus",
       {"consensus", in.reads, "-o", "@/strands.fasta", "--report", "@/report.json", "-q", "-t",
        "1"},
       {"strands.fasta", "report.json"},
       {"strands.fasta"},
       ""},
  };
}

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The output a temporary stands for: DIR/.NAME.dnastore-XXXXXX[.EXT] (a
// temporary of a temporary too) -> DIR/NAME; other paths as they are.
std::string FinalName(std::string path) {
  while (true) {
    const std::string base = dnastore::BaseName(path);
    const size_t at = base.rfind(".dnastore-");
    if (base.empty() || base[0] != '.' || at == std::string::npos || at == 0) return path;
    path = dnastore::DirName(path) + "/" + base.substr(1, at - 1);
  }
}

// The k-th calls to try out of `total`: all of them, or 10 spread over them.
std::vector<int> Points(int total) {
  std::set<int> ks;
  const int n = std::min(total, 10);
  for (int i = 0; i < n; ++i) ks.insert(1 + (n == 1 ? 0 : i * (total - 1) / (n - 1)));
  return {ks.begin(), ks.end()};
}

class IoFault : public ::testing::TestWithParam<Case> {
 protected:
  struct Baseline {
    int counts[FaultIoEnv::kOps] = {};
    std::map<std::string, std::string> bytes;  // the compared outputs
  };

  // A new, empty output directory.
  std::string FreshDir() {
    static int n = 0;
    const std::string d = TheInputs().root + "/out" + std::to_string(n++);
    fs::create_directories(d);
    return d;
  }
  std::vector<std::string> Args(const std::string& out, bool force) const {
    const Inputs& in = TheInputs();
    const std::map<std::string, std::string> inputs = {
        {"%file", in.file}, {"%pool", in.pool}, {"%reads", in.reads}};
    std::vector<std::string> a = GetParam().args;
    for (auto& s : a) {
      if (s.starts_with("@")) s = out + s.substr(1);
      if (inputs.count(s)) s = inputs.at(s);
    }
    if (force) a.push_back("--force");
    return a;
  }
  RunResult RunWith(FaultIoEnv& env, const std::string& out, bool force) {
    ScopedIoEnv scope(&env);
    return RunInProcess(Args(out, force));
  }

  // The run without faults (counting the calls), once per case.
  const Baseline& Clean() {
    static std::map<std::string, Baseline> done;
    auto it = done.find(GetParam().name);
    if (it != done.end()) return it->second;
    const std::string out = FreshDir();
    FaultIoEnv env(TheInputs().root);
    RunResult r = RunWith(env, out, false);
    EXPECT_EQ(r.code, 0) << r.err;
    std::vector<std::string> want = GetParam().outputs;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(Listing(out), want);
    Baseline b;
    for (int op = 0; op < FaultIoEnv::kOps; ++op) b.counts[op] = env.count(FaultIoEnv::Op(op));
    for (const auto& name : GetParam().compare) b.bytes[name] = ReadText(out + "/" + name);
    return done.emplace(GetParam().name, b).first->second;
  }

  // Whether `err` names the file the fault hit (for a directory: an output).
  bool NamesTheFile(const std::string& err, const std::string& hit, const std::string& out) {
    if (hit == out) {
      for (const auto& name : GetParam().outputs)
        if (Contains(err, out + "/" + name)) return true;
      return false;
    }
    if (Contains(hit, ".dnastore-scratch-")) return Contains(err, "scratch file");
    return Contains(err, FinalName(hit));
  }

  // Fails the k-th call of `op` for k over the clean run's calls.
  void Sweep(FaultIoEnv::Op op, Fault fault, const std::string& reason, bool force,
             int max_points = 10) {
    const int total = Clean().counts[op];
    std::vector<int> ks = Points(total);
    if (static_cast<int>(ks.size()) > max_points) ks.resize(max_points);
    for (int k : ks) {
      SCOPED_TRACE(GetParam().name + ": call " + std::to_string(k) + " of " +
                   std::to_string(total));
      const std::string out = FreshDir();
      if (force)
        for (const auto& name : GetParam().outputs) WriteText(out + "/" + name, "precious\n");
      FaultIoEnv env(TheInputs().root);
      env.Arm(op, k, fault);
      const RunResult r = RunWith(env, out, force);
      ASSERT_TRUE(env.fired());
      EXPECT_EQ(r.code, 2) << r.err;
      EXPECT_TRUE(Contains(r.err, reason)) << r.err;
      EXPECT_TRUE(NamesTheFile(r.err, env.fault_path(), out))
          << "fault in " << env.fault_path() << "; " << r.err;
      ExpectNothingChanged(out, force, r.err);
    }
  }

  // Only what was planted (with --force) is in `out`, as it was; and the
  // failure report, if the case writes one.
  void ExpectNothingChanged(const std::string& out, bool force, const std::string& err) {
    std::vector<std::string> left = force ? GetParam().outputs : std::vector<std::string>{};
    const std::string& report = GetParam().report;
    if (!force && !report.empty() && fs::exists(out + "/" + report)) left.push_back(report);
    std::sort(left.begin(), left.end());
    EXPECT_EQ(Listing(out), left);
    for (const auto& name : left) {
      const std::string text = ReadText(out + "/" + name);
      if (name == report && text != "precious\n")
        EXPECT_TRUE(Contains(text, "\"exit_code\": 2")) << text;
      else
        EXPECT_EQ(text, "precious\n") << name << "; " << err;
    }
  }
};

TEST_P(IoFault, WithoutFaultsTheRunSucceeds) {
  const auto& clean = Clean();
  EXPECT_GT(clean.counts[FaultIoEnv::kWrite], 0);
  EXPECT_GT(clean.counts[FaultIoEnv::kRename], 0);
  EXPECT_GT(clean.counts[FaultIoEnv::kSync], 0);
  // With --force over existing files, the same.
  const std::string out = FreshDir();
  for (const auto& name : GetParam().outputs) WriteText(out + "/" + name, "precious\n");
  FaultIoEnv env(TheInputs().root);
  const RunResult r = RunWith(env, out, true);
  EXPECT_EQ(r.code, 0) << r.err;
  for (const auto& [name, bytes] : clean.bytes) EXPECT_EQ(ReadText(out + "/" + name), bytes);
}

TEST_P(IoFault, NoSpaceAtAnyWrite) {
  Sweep(FaultIoEnv::kWrite, Fault::kNoSpace, "No space left on device", false);
}

TEST_P(IoFault, IoErrorAtAnyRead) {
  if (Clean().counts[FaultIoEnv::kRead] == 0)
    GTEST_SKIP() << "no read through the seam (HTSlib reads the input itself)";
  Sweep(FaultIoEnv::kRead, Fault::kIoError, "Input/output error", false);
}

TEST_P(IoFault, FailedRenameAtAnyRename) {
  Sweep(FaultIoEnv::kRename, Fault::kIoError, "rename failed: Input/output error", false);
}

TEST_P(IoFault, FailedSyncAtAnySync) {
  Sweep(FaultIoEnv::kSync, Fault::kIoError, "Input/output error", false);
}

TEST_P(IoFault, WithForceAFailedRunKeepsTheExistingFiles) {
  Sweep(FaultIoEnv::kWrite, Fault::kNoSpace, "No space left on device", true, 4);
  Sweep(FaultIoEnv::kRename, Fault::kIoError, "rename failed: Input/output error", true);
  Sweep(FaultIoEnv::kSync, Fault::kIoError, "Input/output error", true);
  if (Clean().counts[FaultIoEnv::kRead] > 0)
    Sweep(FaultIoEnv::kRead, Fault::kIoError, "Input/output error", true, 4);
}

TEST_P(IoFault, ShortWritesChangeNothing) {
  const auto& clean = Clean();
  for (int k : Points(clean.counts[FaultIoEnv::kWrite])) {
    SCOPED_TRACE(GetParam().name + ": short write " + std::to_string(k));
    const std::string out = FreshDir();
    FaultIoEnv env(TheInputs().root);
    env.Arm(FaultIoEnv::kWrite, k, Fault::kShortWrite);
    const RunResult r = RunWith(env, out, false);
    ASSERT_TRUE(env.fired());
    EXPECT_EQ(r.code, 0) << r.err;
    for (const auto& [name, bytes] : clean.bytes) EXPECT_EQ(ReadText(out + "/" + name), bytes);
  }
}

INSTANTIATE_TEST_SUITE_P(Commands, IoFault, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
