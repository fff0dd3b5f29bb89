// How long a load-generator worker pauses after an UNAVAILABLE call (no
// server listening, a replica restarting) before the next one: exponential
// backoff with jitter, so that workers neither spin on a dead address nor
// come back all at once.
#pragma once

#include <cstdint>
#include <random>

#include "absl/time/time.h"

namespace mbserve::bench {

class Backoff {
 public:
  // The first pause lies in [initial/2, initial]; each further one doubles
  // that range, up to [max/2, max].
  Backoff(absl::Duration initial, absl::Duration max, uint64_t seed);

  // The pause before the next attempt; lengthens the one after.
  absl::Duration Next();

  // A call got through: the next failure starts from `initial` again.
  void Reset() { current_ = initial_; }

 private:
  const absl::Duration initial_;
  const absl::Duration max_;
  absl::Duration current_;
  std::mt19937_64 gen_;
};

}  // namespace mbserve::bench
