#include "server/batch_policy.h"

#include "gtest/gtest.h"

namespace mbserve::server {
namespace {

const BatchLimits kLimits{100, 4, std::chrono::milliseconds(10)};

TEST(BatchPolicyTest, FitsCountsTokensAndSequences) {
  EXPECT_TRUE(Fits({0, 0}, 100, kLimits));
  EXPECT_TRUE(Fits({0, 0}, 500, kLimits)) << "an empty batch takes any sequence";
  EXPECT_TRUE(Fits({1, 60}, 40, kLimits));
  EXPECT_FALSE(Fits({1, 60}, 41, kLimits));
  EXPECT_TRUE(Fits({3, 3}, 1, kLimits));
  EXPECT_FALSE(Fits({4, 4}, 1, kLimits));
}

TEST(BatchPolicyTest, ClientShareLeavesRoomForOneMoreClient) {
  EXPECT_EQ(ClientShare(40, 1), 20);
  EXPECT_EQ(ClientShare(40, 3), 10);
  EXPECT_EQ(ClientShare(1 << 20, 1), 1 << 19);
}

TEST(BatchPolicyTest, DispatchTime) {
  const Clock::time_point t0 = Clock::now();
  EXPECT_EQ(DispatchTime({0, 0}, false, t0, kLimits), Clock::time_point::max());
  EXPECT_EQ(DispatchTime({1, 5}, false, t0, kLimits), t0 + std::chrono::milliseconds(10));
  EXPECT_LE(DispatchTime({1, 5}, true, t0, kLimits), t0) << "full: now";
  EXPECT_LE(DispatchTime({4, 5}, false, t0, kLimits), t0) << "at max sequences";
  EXPECT_LE(DispatchTime({2, 100}, false, t0, kLimits), t0) << "at max tokens";
}

}  // namespace
}  // namespace mbserve::server
