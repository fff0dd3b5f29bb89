#include "client/cli/bench/length_distribution.h"

#include <cmath>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mbserve::bench {
namespace {

using ::testing::HasSubstr;

LengthDistribution MustParse(absl::string_view spec) {
  absl::StatusOr<LengthDistribution> d = LengthDistribution::Parse(spec);
  EXPECT_TRUE(d.ok()) << spec << ": " << d.status();
  return *d;
}

std::vector<int> Draw(const LengthDistribution& d, int n, uint64_t seed = 7) {
  std::mt19937_64 gen(seed);
  std::vector<int> out;
  for (int i = 0; i < n; ++i) out.push_back(d.Sample(gen));
  return out;
}

TEST(LengthDistributionTest, FixedAlwaysGivesN) {
  const LengthDistribution d = MustParse("fixed:128");
  for (int x : Draw(d, 100)) EXPECT_EQ(x, 128);
  EXPECT_EQ(d.ToString(), "fixed:128");
}

TEST(LengthDistributionTest, UniformCoversItsInclusiveRangeEvenly) {
  const LengthDistribution d = MustParse("uniform:10:13");
  std::vector<int> counts(4, 0);
  for (int x : Draw(d, 40000)) {
    ASSERT_GE(x, 10);
    ASSERT_LE(x, 13);
    ++counts[x - 10];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);  // 4 sigma of a binomial(40000, 1/4)
}

TEST(LengthDistributionTest, NormalHasItsMeanAndSpreadAndIsClamped) {
  const LengthDistribution d = MustParse("normal:1000:100:900:1100");
  const std::vector<int> xs = Draw(d, 50000);
  double sum = 0;
  int at_min = 0;
  for (int x : xs) {
    ASSERT_GE(x, 900);
    ASSERT_LE(x, 1100);
    sum += x;
    at_min += x == 900;
  }
  // Truncation toward zero lowers the mean by about 0.5; clamping is symmetric.
  EXPECT_NEAR(sum / xs.size(), 999.5, 2.0);
  // P(X < 900) for N(1000, 100) is 15.9%: all of it lands on the clamp.
  EXPECT_NEAR(at_min / static_cast<double>(xs.size()), 0.159, 0.01);
}

TEST(LengthDistributionTest, NormalDefaultsToTheModelContextClamp) {
  const LengthDistribution d = MustParse("normal:8000:1000");
  EXPECT_EQ(d.min(), LengthDistribution::kMinLength);
  EXPECT_EQ(d.max(), 8192);
  for (int x : Draw(d, 1000)) EXPECT_LE(x, 8192);
}

TEST(LengthDistributionTest, PaperSetsMatchTable10) {
  EXPECT_EQ(MustParse("paper:short-fixed").ToString(), "fixed:512");
  EXPECT_EQ(MustParse("paper:long-fixed").ToString(), "fixed:8192");
  const LengthDistribution short_var = MustParse("paper:short-var");
  EXPECT_EQ(short_var.ToString(), "normal:256:64:32:512");
  EXPECT_EQ(MustParse("paper:long-var").ToString(), "normal:4096:1024:32:8192");
  // The paper's short variable set: 8192 sequences, 2,096,510 tokens (mean 255.9).
  double sum = 0;
  for (int x : Draw(short_var, 8192, 42)) sum += x;
  EXPECT_NEAR(sum / 8192, 255.9, 2.0);
}

TEST(LengthDistributionTest, SameSeedSameLengths) {
  const LengthDistribution d = MustParse("uniform:3:9000");
  EXPECT_EQ(Draw(d, 100, 1), Draw(d, 100, 1));
  EXPECT_NE(Draw(d, 100, 1), Draw(d, 100, 2));
}

TEST(LengthDistributionTest, ErrorsNameTheFieldAndTheLimit) {
  struct Case {
    const char* spec;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"fixed:2", "N is 2; lengths count [CLS] and [SEP] and must be in [3, 131072]"},
           {"fixed:x", "N 'x' is not an integer"},
           {"uniform:50:10", "MIN 50 is greater than MAX 10"},
           {"uniform:10", "is not one of fixed:N"},
           {"normal:100:0", "STDDEV '0' must be a positive number"},
           {"normal:100:10:5", "is not one of"},
           {"normal:100:10:5:200000", "MAX is 200000"},
           {"paper:medium", "unknown paper set 'medium'"},
           {"", "is not one of"},
       }) {
    absl::StatusOr<LengthDistribution> d = LengthDistribution::Parse(c.spec);
    ASSERT_FALSE(d.ok()) << c.spec;
    EXPECT_THAT(d.status().message(), HasSubstr(c.message)) << c.spec;
  }
}

}  // namespace
}  // namespace mbserve::bench
