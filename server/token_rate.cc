#include "server/token_rate.h"

#include <algorithm>

namespace mbserve::server {

int64_t TokenRate::SecondOf(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

void TokenRate::Advance(int64_t second) const {
  if (second <= latest_) return;
  const int64_t steps = std::min<int64_t>(second - latest_, buckets_.size());
  for (int64_t i = 1; i <= steps; ++i) buckets_[(latest_ + i) % buckets_.size()] = 0;
  latest_ = second;
}

void TokenRate::Add(int64_t tokens, Clock::time_point now) {
  std::lock_guard lock(mu_);
  const int64_t second = SecondOf(now);
  if (first_second_ < 0) {
    first_second_ = second;
    latest_ = second;
  }
  Advance(second);
  buckets_[second % buckets_.size()] += tokens;
}

double TokenRate::PerSecond(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  if (first_second_ < 0) return 0.0;
  Advance(SecondOf(now));
  int64_t total = 0;
  for (int64_t tokens : buckets_) total += tokens;
  // The current second is partial; a server younger than the window has
  // only seen part of it.
  const double since_window_start =
      Seconds(now.time_since_epoch()) - static_cast<double>(latest_ - kWindowSeconds);
  const double since_first = Seconds(now.time_since_epoch()) - static_cast<double>(first_second_);
  const double span = std::max(1.0, std::min(since_window_start, since_first));
  return static_cast<double>(total) / span;
}

}  // namespace mbserve::server
