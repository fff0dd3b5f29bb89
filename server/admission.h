// Admission control: at most `limit` calls in flight. A call that finds no
// room is refused at once (RESOURCE_EXHAUSTED), so no queue grows without
// bound.
#pragma once

#include <atomic>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/metrics.h"

namespace mbserve::server {

class Admission {
 public:
  // Holds one slot until destroyed.
  class Permit {
   public:
    Permit(Permit&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    Permit& operator=(Permit&&) = delete;
    ~Permit() {
      if (owner_ != nullptr) owner_->Release();
    }

   private:
    friend class Admission;
    explicit Permit(Admission* owner) : owner_(owner) {}
    Admission* owner_;
  };

  Admission(int limit, Metrics& metrics) : limit_(limit), metrics_(metrics) {}

  // A permit, or RESOURCE_EXHAUSTED naming the limit.
  absl::StatusOr<Permit> TryAcquire();
  int in_flight() const { return in_flight_.load(); }

 private:
  void Release();

  const int limit_;
  Metrics& metrics_;
  std::atomic<int> in_flight_{0};
};

}  // namespace mbserve::server
