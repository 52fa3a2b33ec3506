// fuzz/replay_main.cpp — runs a fuzz target's LLVMFuzzerTestOneInput on saved inputs, without
// libFuzzer: the seed corpus and the regression cases, as ctest tests in every build (g++,
// Release, ASan).
//
//   eqlite_fuzz_replay_query [-v] PATH...
//
// Each PATH is a file (one input) or a directory (each regular file in it, sorted, not
// recursive; names starting with '.' are skipped). A missing path or a directory with no input
// is an error (exit 2). A failed check aborts (as under libFuzzer), so ctest reports the test as
// failed; -v prints each input's name first, to tell which one it was.
//
// Built with EQLITE_REPLAY_RULES=<file.ndjson> (the query target), it also feeds the `query`
// string of each line of that file, e.g. the 1,081 rules of shared/corpus, and says so; when the
// file does not exist it prints that it skips them.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#ifdef EQLITE_REPLAY_RULES
#include <eqlite/eqlite.hpp>
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool read_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

void run(std::string_view bytes) {
  // A copy of exactly `size` bytes, so that ASan catches a read past the end.
  std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
  (void)LLVMFuzzerTestOneInput(copy.data(), copy.size());
}

#ifdef EQLITE_REPLAY_RULES
// The `query` of each NDJSON line of `file`; -1 when the file does not exist.
long replay_rules(const char* file, bool verbose) {
  std::string text;
  if (!fs::exists(file) || !read_file(file, text)) return -1;
  eqlite::JsonReader reader(std::vector<std::string>{"query"});
  eqlite::Event event;
  long count = 0;
  std::size_t start = 0, number = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (!reader.read(line, event)) {
      std::fprintf(stderr, "replay: %s:%zu: not a JSON object\n", file, number);
      continue;
    }
    for (const eqlite::Value& v : event.values(0)) {
      if (v.kind() != eqlite::ValueKind::String) continue;
      if (verbose) std::fprintf(stderr, "replay: %s:%zu\n", file, number);
      run(v.as_string());
      ++count;
    }
  }
  return count;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  bool verbose = false;
  std::vector<fs::path> inputs;
  int bad = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-v") {
      verbose = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      std::printf("usage: %s [-v] FILE|DIR...\n", argv[0]);
      return 0;
    }
    std::error_code ec;
    const fs::path p(arg);
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(p, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && !name.empty() && name[0] != '.') files.push_back(entry);
      }
      if (files.empty()) {
        std::fprintf(stderr, "replay: %s: no input in this directory\n", arg.c_str());
        ++bad;
      }
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else if (fs::is_regular_file(p, ec)) {
      inputs.push_back(p);
    } else {
      std::fprintf(stderr, "replay: %s: no such file or directory\n", arg.c_str());
      ++bad;
    }
  }
  if (bad) return 2;
  if (inputs.empty()) {
    std::fprintf(stderr, "usage: %s [-v] FILE|DIR...\n", argv[0]);
    return 2;
  }

  const auto start = std::chrono::steady_clock::now();
  std::string bytes;
  for (const auto& path : inputs) {
    if (!read_file(path, bytes)) {
      std::fprintf(stderr, "replay: %s: cannot read\n", path.c_str());
      return 2;
    }
    if (verbose) std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
    run(bytes);
  }
  long rules = 0;
#ifdef EQLITE_REPLAY_RULES
  rules = replay_rules(EQLITE_REPLAY_RULES, verbose);
  if (rules < 0) {
    std::printf("replay: %s not found: skipping the corpus rules\n", EQLITE_REPLAY_RULES);
    rules = 0;
  } else {
    std::printf("replay: %ld rules from %s\n", rules, EQLITE_REPLAY_RULES);
  }
#endif
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("replay: ran %zu inputs (%zu files, %ld corpus rules) in %.2f s\n",
              inputs.size() + static_cast<std::size_t>(rules), inputs.size(), rules, seconds);
  return 0;
}
