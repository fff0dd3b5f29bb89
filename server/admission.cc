#include "server/admission.h"

#include "absl/strings/str_cat.h"

namespace mbserve::server {

absl::StatusOr<Admission::Permit> Admission::TryAcquire() {
  int current = in_flight_.load();
  do {
    if (current >= limit_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the server is at --max-concurrent-requests (", limit_,
                       " calls in flight); retry later"));
    }
  } while (!in_flight_.compare_exchange_weak(current, current + 1));
  metrics_.SetInFlight(current + 1);
  return Permit(this);
}

void Admission::Release() { metrics_.SetInFlight(in_flight_.fetch_sub(1) - 1); }

}  // namespace mbserve::server
