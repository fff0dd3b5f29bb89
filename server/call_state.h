// What the batcher needs to know about a call while its inputs wait: whether
// the client still wants them. Shared by the reactor (which sets `cancelled`)
// and the sequences in the queue.
#pragma once

#include <atomic>
#include <memory>

#include "absl/status/status.h"
#include "server/clock.h"

namespace mbserve::server {

struct CallState {
  Clock::time_point start = Clock::now();
  Clock::time_point deadline = Clock::time_point::max();
  std::atomic<bool> cancelled{false};
  // A stream message's state points at its stream's: cancelling the stream
  // cancels every message.
  std::shared_ptr<const CallState> parent;

  // OK while the call is wanted; CANCELLED or DEADLINE_EXCEEDED otherwise.
  absl::Status Liveness(Clock::time_point now) const {
    // gRPC also cancels a call whose deadline passed: check the deadline
    // first so that such calls are counted as DEADLINE_EXCEEDED.
    if (now > deadline) {
      return absl::DeadlineExceededError("the call's deadline passed before its inputs ran");
    }
    if (cancelled.load(std::memory_order_relaxed)) {
      return absl::CancelledError("the client cancelled the call");
    }
    return parent ? parent->Liveness(now) : absl::OkStatus();
  }
};

}  // namespace mbserve::server
