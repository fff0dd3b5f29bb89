// Status mapping, post-processing and the token-rate window.
#include <cmath>

#include "gtest/gtest.h"
#include "server/postprocess.h"
#include "server/status_map.h"
#include "server/token_rate.h"

namespace mbserve::server {
namespace {

TEST(StatusMapTest, CodesAndMessagesSurvive) {
  const grpc::Status s = ToGrpcStatus(absl::InvalidArgumentError("inputs[2] is empty"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "inputs[2] is empty");
  EXPECT_EQ(ToGrpcCode(absl::StatusCode::kResourceExhausted), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ToGrpcCode(absl::StatusCode::kUnauthenticated), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::DEADLINE_EXCEEDED), "DEADLINE_EXCEEDED");
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::OK), "OK");
}

TEST(PostprocessTest, MatryoshkaTruncatesThenNormalizes) {
  const std::vector<float> v = {3, 4, 12};
  EXPECT_EQ(ShapeEmbedding(v, 0, false), v);
  const std::vector<float> two = ShapeEmbedding(v, 2, true);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_FLOAT_EQ(two[0], 0.6f);
  EXPECT_FLOAT_EQ(two[1], 0.8f);
  const std::vector<float> all = ShapeEmbedding(v, 0, true);
  EXPECT_FLOAT_EQ(all[2], 12.0f / 13.0f);
  EXPECT_EQ(ShapeEmbedding(std::vector<float>{0, 0}, 0, true), (std::vector<float>{0, 0}));
}

TEST(PostprocessTest, ScoresAndTopK) {
  const std::vector<float> logits = {1.0f, 3.0f, 2.0f};
  EXPECT_EQ(ClassScores(logits, true), logits);
  const std::vector<float> p = ClassScores(logits, false);
  EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-6);
  EXPECT_NEAR(p[1], std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)), 1e-6);
  EXPECT_NEAR(ClassScores(std::vector<float>{0.0f}, false)[0], 0.5f, 1e-7);
  EXPECT_NEAR(ClassScores(std::vector<float>{2.0f}, false)[0], 1 / (1 + std::exp(-2.0)), 1e-6);
  EXPECT_EQ(TopK(logits, 0), (std::vector<int>{1, 2, 0}));
  EXPECT_EQ(TopK(logits, 2), (std::vector<int>{1, 2}));
  EXPECT_EQ(TopK(logits, 9), (std::vector<int>{1, 2, 0}));
  EXPECT_EQ(TopK(std::vector<float>{1, 1}, 1), (std::vector<int>{0})) << "ties: lower index";
}

TEST(TokenRateTest, AveragesOverTheWindowAndForgets) {
  TokenRate rate;
  const Clock::time_point t0 = Clock::time_point(std::chrono::seconds(1000));
  EXPECT_EQ(rate.PerSecond(t0), 0.0);
  for (int s = 0; s < 20; ++s) rate.Add(100, t0 + std::chrono::seconds(s));
  // Steady 100 tokens/s: about 100 whatever the fraction of the current second.
  EXPECT_NEAR(rate.PerSecond(t0 + std::chrono::milliseconds(19500)), 100.0, 10.0);
  EXPECT_EQ(rate.PerSecond(t0 + std::chrono::seconds(40)), 0.0)
      << "idle for longer than the window";
}

}  // namespace
}  // namespace mbserve::server
