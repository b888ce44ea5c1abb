// DecodeFile: checks the inputs and the output, reads the first records,
// then hands over to the attempt policy (decode_attempts.h). The steps of
// the data flow live in header_probe, payload_source, inner_decode,
// slot_store and outer_decode.
#include "dnastore/decoder.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "codec/decode_attempts.h"
#include "core/file_util.h"
#include "dnastore/seq_io.h"

namespace dnastore {
namespace {

// The inputs as messages name them ("-" is standard input).
std::string InputNames(const DecodeOptions& o) {
  std::string names;
  for (const auto& p : o.inputs)
    names += (names.empty() ? "" : ", ") + (p == "-" ? "standard input" : p);
  if (!o.paired_r1.empty())
    names += (names.empty() ? "" : ", ") + o.paired_r1 + " + " + o.paired_r2;
  return names;
}

// Spools standard input ("-"), pipes and FIFOs in `inputs` to files that can
// be read again (several attempts may read them) and replaces their names by
// the spooled files' paths.
Status SpoolStdin(std::vector<std::string>* inputs, std::vector<InputFile>* spooled) {
  for (auto& path : *inputs) {
    struct stat st;
    if (path != "-" && (stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode))) continue;
    auto in = InputFile::Open(path);
    if (!in.ok()) return in.status();
    if (in->size() == 0) return BadInput((path == "-" ? "standard input" : path) + " is empty");
    spooled->push_back(std::move(*in));
    path = spooled->back().ReopenPath();
  }
  return Status::Ok();
}

// Every input file: single-end ones, then the mates.
std::vector<std::string> AllInputs(const DecodeOptions& o) {
  std::vector<std::string> all = o.inputs;
  if (!o.paired_r1.empty()) all.insert(all.end(), {o.paired_r1, o.paired_r2});
  return all;
}

// Size of a (regular or spooled) input file; 0 when it cannot be known.
uint64_t FileBytes(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size)
                                                             : 0;
}

// The first batch of the first single-end input (none without one).
Status ReadFirstRecords(const std::vector<std::string>& inputs, int threads, FirstRecords* first) {
  if (inputs.empty()) return Status::Ok();
  auto r = SeqReader::Open(inputs[0], threads);
  if (!r.ok()) return r.status();
  first->reader = std::move(*r);
  DNASTORE_RETURN_IF_ERROR(first->reader->Next(first->batch, kRecordBatch));
  if (first->batch.empty()) return BadInput(inputs[0] + ": no sequences");
  return Status::Ok();
}

// The memory budget and the scratch directory, checked before any work.
Status CheckResources(const DecodeOptions& o) {
  if (o.memory_bytes > 0 && o.memory_bytes < kMinMemoryBudget)
    return UsageError("a memory budget below " + std::to_string(kMinMemoryBudget >> 20) +
                      " MiB cannot hold a decode");
  return ScratchFile::CheckDir(o.tmp_dir);
}

Status Decode(const DecodeOptions& options, const DecodeProgressFn& progress,
              DecodeReport* report) {
  if (options.inputs.empty() && options.paired_r1.empty())
    return UsageError("no input files given");
  DNASTORE_RETURN_IF_ERROR(CheckResources(options));
  DecodeInput input;
  input.options = options;
  input.names = InputNames(options);
  std::vector<InputFile> spooled;  // lives until every attempt is done
  for (const std::string& path : AllInputs(options))
    input.original_inputs.push_back(path == "-" ? "/dev/stdin" : path);
  DNASTORE_RETURN_IF_ERROR(SpoolStdin(&input.options.inputs, &spooled));
  std::vector<std::string> mates = {input.options.paired_r1, input.options.paired_r2};
  if (!mates[0].empty()) {
    DNASTORE_RETURN_IF_ERROR(SpoolStdin(&mates, &spooled));
    input.options.paired_r1 = mates[0];
    input.options.paired_r2 = mates[1];
  }
  const std::string& out = options.output_path;
  if (!out.empty() && out != "-") {
    // Fail fast on an output we may not write.
    auto probe = AtomicOutput::Create(out, options.force);
    if (!probe.ok()) return probe.status();
  }
  for (const std::string& path : AllInputs(input.options)) input.input_bytes += FileBytes(path);
  DNASTORE_RETURN_IF_ERROR(
      ReadFirstRecords(input.options.inputs, std::max(1, options.threads), &input.first));
  return RunDecodeAttempts(std::move(input), progress, report);
}

}  // namespace

uint64_t DefaultMemoryBudget() {
  constexpr uint64_t kCap = uint64_t{4} << 30;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return kCap;
  return std::min(kCap, static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 2);
}

Status DecodeFile(const DecodeOptions& options, const DecodeProgressFn& progress,
                  DecodeReport* report) {
  const auto start = std::chrono::steady_clock::now();
  DecodeReport local;
  DecodeReport* r = report ? report : &local;
  *r = DecodeReport();
  Status st = Decode(options, progress, r);
  r->memory_budget_bytes = options.memory_bytes > 0 ? options.memory_bytes : DefaultMemoryBudget();
  r->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return st;
}

}  // namespace dnastore
