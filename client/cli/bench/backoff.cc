#include "client/cli/bench/backoff.h"

#include <algorithm>

namespace mbserve::bench {

Backoff::Backoff(absl::Duration initial, absl::Duration max, uint64_t seed)
    : initial_(initial), max_(std::max(initial, max)), current_(initial), gen_(seed) {}

absl::Duration Backoff::Next() {
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  const absl::Duration pause = current_ * jitter(gen_);
  current_ = std::min(current_ * 2, max_);
  return pause;
}

}  // namespace mbserve::bench
