// Latency percentiles and the outcome counts of a load-generator run.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace mbserve::bench {

// The nearest-rank percentile (the smallest sample with at least p% of the
// samples at or below it), as latency tools report it: always an observed
// value, never an interpolation between two. p is in (0, 100]; sorted must be
// ascending and non-empty.
double NearestRankPercentile(std::span<const double> sorted, double p);

struct LatencySummary {
  int64_t count = 0;
  double mean_s = 0;
  double p50_s = 0;
  double p90_s = 0;
  double p99_s = 0;
  double max_s = 0;
};

// Sorts the samples (seconds) and summarizes them; all zeros when empty.
LatencySummary Summarize(std::vector<double> samples);

// What one worker observed; workers merge into one at the end, so the hot
// path takes no lock.
struct RunTally {
  std::vector<double> ok_latencies_s;
  int64_t inputs = 0;                             // texts in successful requests
  int64_t tokens = 0;                             // tokens the server reported for them
  std::map<std::string, int64_t> errors_by_code;  // "UNAVAILABLE" -> 3

  void Merge(RunTally&& other);
  int64_t errors() const;
};

}  // namespace mbserve::bench
