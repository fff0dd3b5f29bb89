#include "server/batch_policy.h"

namespace mbserve::server {

int64_t ClientShare(int64_t max_queued_tokens, int clients_waiting) {
  return max_queued_tokens / (clients_waiting + 1);
}

bool Fits(BatchSize open, int next_tokens, const BatchLimits& limits) {
  if (open.sequences == 0) return true;
  return open.sequences < limits.max_sequences && open.tokens + next_tokens <= limits.max_tokens;
}

Clock::time_point DispatchTime(BatchSize open, bool full, Clock::time_point oldest_enqueued,
                               const BatchLimits& limits) {
  if (open.sequences == 0) return Clock::time_point::max();
  if (full || open.sequences >= limits.max_sequences || open.tokens >= limits.max_tokens) {
    return Clock::time_point::min();
  }
  return oldest_enqueued + limits.max_delay;
}

}  // namespace mbserve::server
