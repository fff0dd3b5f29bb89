// The reactor of one unary call: its CallState (cancellation, deadline), its
// admission permit, and the metrics written when it finishes. Complete() may
// be called from any thread, exactly once.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "server/admission.h"
#include "server/call_state.h"
#include "server/serving_context.h"

namespace mbserve::server {

// The call's gRPC deadline on the server's clock (max() when none).
Clock::time_point DeadlineOf(const grpc::CallbackServerContext& context);

class UnaryCall final : public grpc::ServerUnaryReactor {
 public:
  UnaryCall(std::string rpc, grpc::CallbackServerContext* context, ServingContext& serving);

  // Checks the API key and, if `take_permit`, takes an admission permit.
  absl::Status Admit(bool take_permit = true);
  std::shared_ptr<const CallState> state() const { return state_; }
  void Complete(const absl::Status& status);

 private:
  void OnCancel() override;
  void OnDone() override { delete this; }

  const std::string rpc_;
  grpc::CallbackServerContext* const context_;
  ServingContext& serving_;
  const std::shared_ptr<CallState> state_;
  std::optional<Admission::Permit> permit_;
};

}  // namespace mbserve::server
