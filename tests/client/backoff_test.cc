// The load generator's pause after UNAVAILABLE: doubling, capped, jittered,
// reset by a call that got through.
#include "client/cli/bench/backoff.h"

#include "gtest/gtest.h"

namespace mbserve::bench {
namespace {

TEST(BackoffTest, DoublesWithJitterUpToTheCap) {
  Backoff backoff(absl::Milliseconds(100), absl::Milliseconds(800), 42);
  const double expected_upper_ms[] = {100, 200, 400, 800, 800, 800};
  for (double upper : expected_upper_ms) {
    const double pause_ms = absl::ToDoubleMilliseconds(backoff.Next());
    EXPECT_GE(pause_ms, upper / 2);
    EXPECT_LE(pause_ms, upper);
  }
}

TEST(BackoffTest, ResetStartsOver) {
  Backoff backoff(absl::Milliseconds(100), absl::Seconds(2), 7);
  for (int i = 0; i < 5; ++i) backoff.Next();
  backoff.Reset();
  EXPECT_LE(backoff.Next(), absl::Milliseconds(100));
}

TEST(BackoffTest, WorkersWithOtherSeedsPauseDifferently) {
  Backoff a(absl::Milliseconds(100), absl::Seconds(2), 1);
  Backoff b(absl::Milliseconds(100), absl::Seconds(2), 2);
  EXPECT_NE(a.Next(), b.Next());
}

}  // namespace
}  // namespace mbserve::bench
