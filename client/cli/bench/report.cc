#include "client/cli/bench/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace mbserve::bench {
namespace {

double PerSecond(int64_t count, double elapsed_s) {
  return elapsed_s > 0 ? static_cast<double>(count) / elapsed_s : 0.0;
}

std::string Millis(double seconds) { return absl::StrFormat("%.2f ms", seconds * 1e3); }

}  // namespace

cli::Table ReportTable(const BenchReport& report) {
  const RunTally& tally = report.tally;
  const LatencySummary latency = Summarize(tally.ok_latencies_s);
  cli::Table table{{"metric", "value"}, {false, true}, {}};
  auto row = [&table](std::string metric, std::string value) {
    table.rows.push_back({std::move(metric), std::move(value)});
  };
  row("target", report.target);
  row("rpc", report.rpc);
  row("lengths (tokens)", report.lengths);
  row("concurrency", absl::StrCat(report.concurrency));
  row("inputs per request", absl::StrCat(report.batch_size));
  row("elapsed", absl::StrFormat("%.2f s", report.elapsed_s));
  row("requests ok", absl::StrCat(latency.count));
  row("requests failed", absl::StrCat(tally.errors()));
  row("requests/s", absl::StrFormat("%.1f", PerSecond(latency.count, report.elapsed_s)));
  row("inputs/s", absl::StrFormat("%.1f", PerSecond(tally.inputs, report.elapsed_s)));
  row("tokens/s", absl::StrFormat("%.0f", PerSecond(tally.tokens, report.elapsed_s)));
  row("latency mean", Millis(latency.mean_s));
  row("latency p50", Millis(latency.p50_s));
  row("latency p90", Millis(latency.p90_s));
  row("latency p99", Millis(latency.p99_s));
  row("latency max", Millis(latency.max_s));
  for (const auto& [code, count] : tally.errors_by_code) {
    row(absl::StrCat("errors ", code), absl::StrCat(count));
  }
  return table;
}

std::string ReportJson(const BenchReport& report) {
  const RunTally& tally = report.tally;
  const LatencySummary latency = Summarize(tally.ok_latencies_s);
  nlohmann::ordered_json json = {
      {"target", report.target},
      {"rpc", report.rpc},
      {"lengths", report.lengths},
      {"concurrency", report.concurrency},
      {"batch_size", report.batch_size},
      {"elapsed_s", report.elapsed_s},
      {"requests_ok", latency.count},
      {"requests_failed", tally.errors()},
      {"inputs", tally.inputs},
      {"tokens", tally.tokens},
      {"requests_per_s", PerSecond(latency.count, report.elapsed_s)},
      {"inputs_per_s", PerSecond(tally.inputs, report.elapsed_s)},
      {"tokens_per_s", PerSecond(tally.tokens, report.elapsed_s)},
      {"latency_s",
       {{"mean", latency.mean_s},
        {"p50", latency.p50_s},
        {"p90", latency.p90_s},
        {"p99", latency.p99_s},
        {"max", latency.max_s}}},
      {"errors_by_code", tally.errors_by_code},
  };
  return json.dump() + "\n";
}

std::string ProgressLine(double elapsed_s, int64_t ok, int64_t errors, int64_t tokens) {
  return absl::StrFormat("%7.1fs  %d ok  %d errors  %.1f req/s  %.0f tok/s", elapsed_s, ok, errors,
                         PerSecond(ok, elapsed_s), PerSecond(tokens, elapsed_s));
}

}  // namespace mbserve::bench
