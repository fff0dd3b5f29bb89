// Single-threaded encode throughput of mbserve::Tokenizer on a corpus file
// (a JSON array of strings). tokenizer_bench.py runs it beside Hugging Face
// tokenizers on the same texts and prints the ratio.
//
//   tokenizer_bench TOKENIZER_JSON CORPUS_JSON [REPEATS]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tokenizer/tokenizer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s TOKENIZER_JSON CORPUS_JSON [REPEATS]\n", argv[0]);
    return 2;
  }
  auto tokenizer = mbserve::Tokenizer::FromFile(argv[1]);
  if (!tokenizer.ok()) {
    std::fprintf(stderr, "%s\n", tokenizer.status().ToString().c_str());
    return 1;
  }
  std::ifstream file(argv[2], std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  const auto texts = nlohmann::json::parse(contents.str()).get<std::vector<std::string>>();
  const int repeats = argc > 3 ? std::stoi(argv[3]) : 5;
  size_t bytes = 0;
  for (const auto& text : texts) bytes += text.size();

  // Best of `repeats` passes; the first pass also warms the BPE cache, as a
  // serving process's would be.
  double best = 1e300;
  size_t tokens = 0;
  for (int r = 0; r < repeats; ++r) {
    tokens = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& text : texts) {
      auto encoding = (*tokenizer)->Encode(text);
      if (!encoding.ok()) {
        std::fprintf(stderr, "%s\n", encoding.status().ToString().c_str());
        return 1;
      }
      tokens += encoding->ids.size();
    }
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf(
      "{\"texts\": %zu, \"bytes\": %zu, \"tokens\": %zu, \"seconds\": %.6f, "
      "\"mb_per_s\": %.3f, \"tokens_per_s\": %.1f}\n",
      texts.size(), bytes, tokens, best, bytes / best / 1e6, tokens / best);
  return 0;
}
