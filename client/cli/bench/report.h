// What a load-generator run prints: a summary table or JSON document, and
// the progress line shown on a terminal while it runs.
#pragma once

#include <string>

#include "client/cli/bench/latency_stats.h"
#include "client/cli/table.h"

namespace mbserve::bench {

struct BenchReport {
  // The run's settings, echoed so a saved report says what it measured.
  std::string target;
  std::string rpc;  // "Embed", "EmbedStream" or "Classify"
  std::string lengths;
  int concurrency = 0;
  int batch_size = 0;
  double elapsed_s = 0;
  RunTally tally;
};

cli::Table ReportTable(const BenchReport& report);
std::string ReportJson(const BenchReport& report);

// "  12.5s  1200 ok  3 errors  96.0 req/s  24576 tok/s" (no line break).
std::string ProgressLine(double elapsed_s, int64_t ok, int64_t errors, int64_t tokens);

}  // namespace mbserve::bench
