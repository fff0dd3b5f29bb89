// The workloads of the server benchmarks (server_bench, http_bench): the
// ModernBERT paper's, as random token ids, so that every front end and the
// engine alone see the same inputs.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace mbserve::bench {

inline bool IsWorkload(std::string_view name) {
  return name == "variable-short" || name == "fixed-512" || name == "variable-long";
}

// Random ids; lengths N(256, 64) clamped to [32, 512], all 512, or
// N(4096, 1024) clamped to [32, 8192]; at most max_length.
inline std::vector<std::vector<int32_t>> MakeWorkload(std::string_view name, int sequences,
                                                      int vocab, int max_length) {
  std::mt19937 rng(42);
  const bool long_inputs = name == "variable-long";
  std::normal_distribution<double> length(long_inputs ? 4096 : 256, long_inputs ? 1024 : 64);
  std::uniform_int_distribution<int> id(std::min(100, vocab - 1), std::min(16000, vocab) - 1);
  std::vector<std::vector<int32_t>> out(sequences);
  for (std::vector<int32_t>& s : out) {
    int n = name == "fixed-512"
                ? 512
                : std::clamp(static_cast<int>(length(rng)), 32, long_inputs ? 8192 : 512);
    s.resize(std::min(n, max_length));
    for (int32_t& t : s) t = id(rng);
  }
  return out;
}

}  // namespace mbserve::bench
