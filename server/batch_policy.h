// The batching rules, as pure functions the Batcher applies; no threads, no
// queue, so each rule is tested alone.
//
// A batch grows from the head of the FIFO queue (no skipping ahead) until the
// next sequence would exceed max_tokens real tokens or max_sequences
// sequences. An idle engine takes the open batch when it is full or when its
// oldest sequence has waited max_delay.
#pragma once

#include <cstdint>

#include "server/clock.h"

namespace mbserve::server {

// From the --max-batch-* flags (ServerConfig holds the defaults).
struct BatchLimits {
  int max_tokens = 0;
  int max_sequences = 0;
  Clock::duration max_delay{};
  // Most tokens waiting for the engine (queued or in the open batch); a call
  // that would pass it is refused with RESOURCE_EXHAUSTED. 0: no bound.
  int64_t max_queued_tokens = 0;
};

struct BatchSize {
  int sequences = 0;
  int tokens = 0;
};

// The most tokens one client (a connection) may have waiting once it already
// has some waiting, while `clients_waiting` clients (itself included) have
// tokens waiting: max_queued_tokens / (clients_waiting + 1). The shares of
// the waiting clients add up to less than the bound, so a flood from one
// connection leaves room for another's calls. A client with nothing waiting
// is held only to the bound itself, so any call that fits the bound runs.
int64_t ClientShare(int64_t max_queued_tokens, int clients_waiting);

// Whether a sequence of next_tokens may join an open batch of size `open`.
// An empty batch takes any sequence: the server never admits one longer than
// max_tokens.
bool Fits(BatchSize open, int next_tokens, const BatchLimits& limits);

// When an idle engine should take the open batch: `now` or earlier when it is
// full, oldest_enqueued + max_delay otherwise, and never (time_point::max())
// when the batch is empty. `full` means the queue head did not fit.
Clock::time_point DispatchTime(BatchSize open, bool full, Clock::time_point oldest_enqueued,
                               const BatchLimits& limits);

}  // namespace mbserve::server
