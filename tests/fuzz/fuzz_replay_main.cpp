// Replays fuzz corpora without libFuzzer: calls LLVMFuzzerTestOneInput on
// every regular file in each directory (or file) given on the command line,
// in sorted order. Used by the normal test suite (gcc, no sanitizers needed)
// so that committed corpus files and crash reproducers stay regression tests.
// Exits 0 when every input ran (a crash aborts the process), 1 on usage or
// when a path has no inputs.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 1;
  }
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    fs::path p(argv[i]);
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(p, ec))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "%s: not a file or directory\n", argv[i]);
      return 1;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "no corpus files found\n");
    return 1;
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    // Copy into an exactly-sized heap buffer so ASan builds catch overreads.
    std::unique_ptr<uint8_t[]> buf(new uint8_t[data.size() ? data.size() : 1]);
    std::copy(data.begin(), data.end(), buf.get());
    LLVMFuzzerTestOneInput(buf.get(), data.size());
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}
