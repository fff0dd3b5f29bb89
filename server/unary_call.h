// gRPC reactors for unary calls. StartEngineCall runs an Embed or Classify
// request as a Call (call.h); UnaryCall serves the small RPCs that never
// reach the engine (Tokenize, Detokenize, GetInfo) with the same API-key
// check, admission and metrics.
#pragma once

#include <functional>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "server/admission.h"
#include "server/call_request.h"
#include "server/clock.h"
#include "server/rpc.h"
#include "server/serving_context.h"

namespace mbserve::server {

// The call's gRPC deadline on the server's clock (max() when none).
Clock::time_point DeadlineOf(const grpc::CallbackServerContext& context);

// Checks the API key, then runs `request` (or fails with its parsing or
// decoding error) as a Call; `write_response` fills the gRPC response on
// success.
grpc::ServerUnaryReactor* StartEngineCall(ServingContext& serving, Rpc rpc,
                                          grpc::CallbackServerContext* context,
                                          absl::StatusOr<CallRequest> request,
                                          std::function<void(const CallResponse&)> write_response);

// Complete() may be called from any thread, exactly once.
class UnaryCall final : public grpc::ServerUnaryReactor {
 public:
  UnaryCall(Rpc rpc, grpc::CallbackServerContext* context, ServingContext& serving);

  // Checks the API key and, if `take_permit`, takes an admission permit.
  absl::Status Admit(bool take_permit = true);
  void Complete(const absl::Status& status);

 private:
  void OnDone() override;

  const Rpc rpc_;
  const Clock::time_point start_ = Clock::now();
  grpc::CallbackServerContext* const context_;
  ServingContext& serving_;
  std::optional<Admission::Permit> permit_;
};

}  // namespace mbserve::server
