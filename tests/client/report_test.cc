#include "client/cli/bench/report.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace mbserve::bench {
namespace {

BenchReport Example() {
  BenchReport report;
  report.target = "localhost:50051";
  report.rpc = "Embed";
  report.lengths = "fixed:512";
  report.concurrency = 4;
  report.batch_size = 2;
  report.elapsed_s = 2.0;
  for (int i = 1; i <= 100; ++i) report.tally.ok_latencies_s.push_back(i / 1000.0);
  report.tally.inputs = 200;
  report.tally.tokens = 102400;
  report.tally.errors_by_code = {{"RESOURCE_EXHAUSTED", 3}};
  return report;
}

TEST(ReportTest, TableHasRatesPercentilesAndErrorsByCode) {
  const cli::Table table = ReportTable(Example());
  std::map<std::string, std::string> values;
  for (const std::vector<std::string>& row : table.rows) values[row[0]] = row[1];
  EXPECT_EQ(values["rpc"], "Embed");
  EXPECT_EQ(values["lengths (tokens)"], "fixed:512");
  EXPECT_EQ(values["requests ok"], "100");
  EXPECT_EQ(values["requests failed"], "3");
  EXPECT_EQ(values["requests/s"], "50.0");
  EXPECT_EQ(values["inputs/s"], "100.0");
  EXPECT_EQ(values["tokens/s"], "51200");
  EXPECT_EQ(values["latency mean"], "50.50 ms");
  EXPECT_EQ(values["latency p50"], "50.00 ms");
  EXPECT_EQ(values["latency p90"], "90.00 ms");
  EXPECT_EQ(values["latency p99"], "99.00 ms");
  EXPECT_EQ(values["latency max"], "100.00 ms");
  EXPECT_EQ(values["errors RESOURCE_EXHAUSTED"], "3");
}

TEST(ReportTest, JsonCarriesTheSameNumbers) {
  const nlohmann::json json = nlohmann::json::parse(ReportJson(Example()));
  EXPECT_EQ(json["requests_ok"], 100);
  EXPECT_EQ(json["requests_failed"], 3);
  EXPECT_EQ(json["inputs"], 200);
  EXPECT_EQ(json["tokens"], 102400);
  EXPECT_DOUBLE_EQ(json["requests_per_s"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(json["tokens_per_s"].get<double>(), 51200.0);
  EXPECT_DOUBLE_EQ(json["latency_s"]["p99"].get<double>(), 0.099);
  EXPECT_EQ(json["errors_by_code"]["RESOURCE_EXHAUSTED"], 3);
  EXPECT_EQ(json["lengths"], "fixed:512");
}

TEST(ReportTest, NoElapsedTimeGivesZeroRatesNotInfinity) {
  BenchReport report;
  const nlohmann::json json = nlohmann::json::parse(ReportJson(report));
  EXPECT_EQ(json["requests_per_s"].get<double>(), 0.0);
}

TEST(ProgressLineTest, ShowsCountsAndRates) {
  EXPECT_EQ(ProgressLine(2.0, 100, 1, 51200),
            "    2.0s  100 ok  1 errors  50.0 req/s  25600 tok/s");
}

}  // namespace
}  // namespace mbserve::bench
