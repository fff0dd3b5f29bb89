#include "client/cli/bench/latency_stats.h"

#include <vector>

#include "gtest/gtest.h"

namespace mbserve::bench {
namespace {

TEST(PercentileTest, NearestRankOnOneToHundred) {
  std::vector<double> xs;
  for (int i = 1; i <= 100; ++i) xs.push_back(i);
  EXPECT_EQ(NearestRankPercentile(xs, 50), 50);
  EXPECT_EQ(NearestRankPercentile(xs, 90), 90);
  EXPECT_EQ(NearestRankPercentile(xs, 99), 99);
  EXPECT_EQ(NearestRankPercentile(xs, 99.5), 100);
  EXPECT_EQ(NearestRankPercentile(xs, 100), 100);
  EXPECT_EQ(NearestRankPercentile(xs, 0.1), 1);
}

TEST(PercentileTest, IsAlwaysAnObservedValue) {
  const std::vector<double> xs = {1.0, 2.0, 10.0, 20.0};
  EXPECT_EQ(NearestRankPercentile(xs, 50), 2.0);   // rank ceil(2.0) = 2
  EXPECT_EQ(NearestRankPercentile(xs, 51), 10.0);  // rank ceil(2.04) = 3
  EXPECT_EQ(NearestRankPercentile(xs, 99), 20.0);
  const std::vector<double> one = {0.25};
  EXPECT_EQ(NearestRankPercentile(one, 50), 0.25);
  EXPECT_EQ(NearestRankPercentile(one, 99), 0.25);
}

TEST(SummarizeTest, SortsAndSummarizes) {
  const LatencySummary s = Summarize({0.4, 0.1, 0.3, 0.2});
  EXPECT_EQ(s.count, 4);
  EXPECT_DOUBLE_EQ(s.mean_s, 0.25);
  EXPECT_EQ(s.p50_s, 0.2);
  EXPECT_EQ(s.p90_s, 0.4);
  EXPECT_EQ(s.p99_s, 0.4);
  EXPECT_EQ(s.max_s, 0.4);
}

TEST(SummarizeTest, EmptyIsAllZeros) {
  const LatencySummary s = Summarize({});
  EXPECT_EQ(s.count, 0);
  EXPECT_EQ(s.mean_s, 0);
  EXPECT_EQ(s.p99_s, 0);
}

TEST(RunTallyTest, MergeAddsCountsAndErrorsByCode) {
  RunTally a;
  a.ok_latencies_s = {0.1};
  a.inputs = 2;
  a.tokens = 20;
  a.errors_by_code = {{"UNAVAILABLE", 1}};
  RunTally b;
  b.ok_latencies_s = {0.2, 0.3};
  b.inputs = 3;
  b.tokens = 30;
  b.errors_by_code = {{"UNAVAILABLE", 2}, {"RESOURCE_EXHAUSTED", 4}};
  a.Merge(std::move(b));
  EXPECT_EQ(a.ok_latencies_s, (std::vector<double>{0.1, 0.2, 0.3}));
  EXPECT_EQ(a.inputs, 5);
  EXPECT_EQ(a.tokens, 50);
  EXPECT_EQ(a.errors_by_code.at("UNAVAILABLE"), 3);
  EXPECT_EQ(a.errors_by_code.at("RESOURCE_EXHAUSTED"), 4);
  EXPECT_EQ(a.errors(), 7);
}

}  // namespace
}  // namespace mbserve::bench
