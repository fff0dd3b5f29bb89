#include "client/cli/bench/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numeric>

namespace mbserve::bench {

double NearestRankPercentile(std::span<const double> sorted, double p) {
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const size_t index = std::clamp<size_t>(static_cast<size_t>(rank), 1, sorted.size()) - 1;
  return sorted[index];
}

LatencySummary Summarize(std::vector<double> samples) {
  LatencySummary summary;
  if (samples.empty()) return summary;
  std::sort(samples.begin(), samples.end());
  summary.count = static_cast<int64_t>(samples.size());
  summary.mean_s = std::accumulate(samples.begin(), samples.end(), 0.0) / samples.size();
  summary.p50_s = NearestRankPercentile(samples, 50);
  summary.p90_s = NearestRankPercentile(samples, 90);
  summary.p99_s = NearestRankPercentile(samples, 99);
  summary.max_s = samples.back();
  return summary;
}

void RunTally::Merge(RunTally&& other) {
  ok_latencies_s.insert(ok_latencies_s.end(), std::make_move_iterator(other.ok_latencies_s.begin()),
                        std::make_move_iterator(other.ok_latencies_s.end()));
  inputs += other.inputs;
  tokens += other.tokens;
  for (const auto& [code, count] : other.errors_by_code) errors_by_code[code] += count;
}

int64_t RunTally::errors() const {
  int64_t total = 0;
  for (const auto& [code, count] : errors_by_code) total += count;
  return total;
}

}  // namespace mbserve::bench
