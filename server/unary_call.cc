#include "server/unary_call.h"

#include <chrono>

#include "server/status_map.h"
#include "spdlog/spdlog.h"

namespace mbserve::server {

Clock::time_point DeadlineOf(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return Clock::time_point::max();
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(
                            deadline - std::chrono::system_clock::now());
}

UnaryCall::UnaryCall(std::string rpc, grpc::CallbackServerContext* context,
                     ServingContext& serving)
    : rpc_(std::move(rpc)),
      context_(context),
      serving_(serving),
      state_(std::make_shared<CallState>()) {
  state_->deadline = DeadlineOf(*context);
}

absl::Status UnaryCall::Admit(bool take_permit) {
  if (absl::Status s = serving_.auth.Check(*context_); !s.ok()) return s;
  if (!take_permit) return absl::OkStatus();
  absl::StatusOr<Admission::Permit> permit = serving_.admission.TryAcquire();
  if (!permit.ok()) return permit.status();
  permit_.emplace(std::move(*permit));
  return absl::OkStatus();
}

void UnaryCall::Complete(const absl::Status& status) {
  const grpc::Status grpc_status = ToGrpcStatus(status);
  serving_.metrics.RecordRequest(rpc_, grpc_status.error_code(), Clock::now() - state_->start);
  if (!status.ok()) SPDLOG_DEBUG("{} failed: {}", rpc_, status.ToString());
  permit_.reset();
  Finish(grpc_status);
}

void UnaryCall::OnCancel() { state_->cancelled.store(true); }

}  // namespace mbserve::server
