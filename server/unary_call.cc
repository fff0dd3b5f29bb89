#include "server/unary_call.h"

#include <chrono>
#include <memory>
#include <utility>

#include "server/call.h"
#include "server/status_map.h"
#include "server/tsan_handoff.h"
#include "spdlog/spdlog.h"

namespace mbserve::server {
namespace {

// Owns the Call so that a client's cancellation reaches it; the Call's
// `done` finishes the reactor.
class EngineCallReactor final : public grpc::ServerUnaryReactor {
 public:
  EngineCallReactor(ServingContext& serving, Rpc rpc, grpc::CallbackServerContext* context,
                    std::function<void(const CallResponse&)> write_response)
      : call_(Call::Create(
            serving, rpc, context->peer(), DeadlineOf(*context),
            [this, write = std::move(write_response)](absl::StatusOr<CallResponse> response) {
              if (response.ok()) write(*response);
              HandToGrpc(this);
              Finish(ToGrpcStatus(response.status()));
            })) {}

  Call& call() { return *call_; }

 private:
  void OnCancel() override {
    const GrpcReaction reaction(this, this);
    call_->Cancel();
  }
  void OnDone() override {
    TakeBackFromGrpc(this);
    delete this;
  }

  const std::shared_ptr<Call> call_;
};

}  // namespace

Clock::time_point DeadlineOf(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return Clock::time_point::max();
  return Clock::now() +
         std::chrono::duration_cast<Clock::duration>(deadline - std::chrono::system_clock::now());
}

grpc::ServerUnaryReactor* StartEngineCall(ServingContext& serving, Rpc rpc,
                                          grpc::CallbackServerContext* context,
                                          absl::StatusOr<CallRequest> request,
                                          std::function<void(const CallResponse&)> write_response) {
  auto* reactor = new EngineCallReactor(serving, rpc, context, std::move(write_response));
  absl::Status status = serving.auth.Check(*context);
  if (status.ok()) status = request.status();
  if (status.ok()) {
    reactor->call().Start(std::move(*request));
  } else {
    reactor->call().Reject(status);
  }
  HandToGrpc(reactor);
  return reactor;
}

UnaryCall::UnaryCall(Rpc rpc, grpc::CallbackServerContext* context, ServingContext& serving)
    : rpc_(rpc), context_(context), serving_(serving) {}

void UnaryCall::OnDone() {
  TakeBackFromGrpc(this);
  delete this;
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
  serving_.metrics.RecordRequest(rpc_, status.code(), Clock::now() - start_);
  if (!status.ok()) SPDLOG_DEBUG("{} failed: {}", RpcName(rpc_), status.ToString());
  permit_.reset();
  HandToGrpc(this);
  Finish(ToGrpcStatus(status));
}

}  // namespace mbserve::server
