// Tokens per second over a sliding window of whole seconds, for the
// mbserve_tokens_per_second gauge. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

#include "server/clock.h"

namespace mbserve::server {

class TokenRate {
 public:
  static constexpr int kWindowSeconds = 10;

  void Add(int64_t tokens, Clock::time_point now);
  // Tokens of the last kWindowSeconds full seconds plus the current one,
  // divided by the time they span.
  double PerSecond(Clock::time_point now) const;

 private:
  static int64_t SecondOf(Clock::time_point t);
  void Advance(int64_t second) const;

  mutable std::mutex mu_;
  // Bucket i holds the tokens of second (latest_ - i) modulo the window.
  mutable std::array<int64_t, kWindowSeconds + 1> buckets_{};
  mutable int64_t latest_ = 0;
  int64_t first_second_ = -1;
};

}  // namespace mbserve::server
