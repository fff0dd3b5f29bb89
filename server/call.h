// One Embed or Classify call, from arrival to response, whatever the
// transport. The contract for a front end (the gRPC services here; an HTTP
// front end works the same way):
//
//   1. On arrival, Call::Create(serving, rpc, client, deadline, done), with
//      the ServingContext of the running Server (Server::serving()) and the
//      connection it came on (the batcher shares --max-queued-tokens between
//      connections). The call's clock starts now.
//   2. Authenticate and decode the request into a CallRequest
//      (call_request.h). If either fails, Reject(status) instead of Start.
//   3. Start(request): the call takes an admission permit, validates the
//      request (call_plan.h), tokenizes it on the tokenization pool and hands
//      its inputs to the batcher, which delivers each engine output straight
//      back to the call (it is the batcher's SequenceSink).
//   4. Cancel() whenever the client goes away; inputs not yet run are
//      dropped and the call ends CANCELLED.
//   5. `done` runs exactly once with the CallResponse or the error: inside
//      Start or Reject when the call fails early, else on a tokenization or
//      batcher thread, so it must not block. Before it runs, the call has
//      recorded its metrics and released its permit. The front end encodes
//      the result and replies; it keeps the shared_ptr until then if it
//      needs Cancel().
//
// Statuses are absl::Status throughout: gRPC maps them with status_map.h;
// another transport maps the same codes to its own (INVALID_ARGUMENT to 400,
// RESOURCE_EXHAUSTED to 429, ...).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/admission.h"
#include "server/batcher.h"
#include "server/call_plan.h"
#include "server/call_request.h"
#include "server/clock.h"
#include "server/rpc.h"
#include "server/serving_context.h"

namespace mbserve::server {

class Call final : public SequenceSink, public std::enable_shared_from_this<Call> {
 public:
  using Done = std::function<void(absl::StatusOr<CallResponse>)>;

  // `client` names the connection (grpc::ServerContext::peer(), or the
  // transport's own, e.g. "http:" and the remote address). `deadline` is
  // Clock::time_point::max() when the client set none; `rpc` labels the
  // call's metrics.
  static std::shared_ptr<Call> Create(ServingContext& serving, Rpc rpc, std::string client,
                                      Clock::time_point deadline, Done done);

  // Runs the call; see the contract above. Call at most once, and not after
  // Reject.
  void Start(CallRequest request);
  // Ends a call that cannot start (not authenticated, undecodable request).
  void Reject(const absl::Status& status);
  // The client is gone: drop what has not run. Any thread, any time.
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }

  // SequenceSink, for the batcher.
  absl::Status Liveness(Clock::time_point now) const override;
  void OnOutput(int index, std::vector<float> output, const BatchTiming& timing) override;
  void OnError(const absl::Status& status) override;

 private:
  Call(ServingContext& serving, Rpc rpc, std::string client, Clock::time_point deadline, Done done);

  // OK while the client still wants the call (deadline, cancellation).
  absl::Status ClientLiveness(Clock::time_point now) const;
  void Tokenize();
  // Post-processes the engine outputs into response_ and finishes.
  void Respond();
  // True exactly once: the caller then finishes the call.
  bool ClaimFinish();
  void Finish(const absl::Status& status);

  ServingContext& serving_;
  const Rpc rpc_;
  const std::string client_;
  const Clock::time_point start_ = Clock::now();
  const Clock::time_point deadline_;
  std::atomic<bool> cancelled_{false};
  Done done_;
  std::optional<Admission::Permit> permit_;

  // Set before the inputs reach the batcher, read-only afterwards.
  CallRequest request_;
  CallPlan plan_;
  std::vector<int> lengths_;  // tokens of each input
  std::vector<bool> truncated_;
  Clock::time_point tokenized_;

  mutable std::mutex mu_;  // guards what the batcher's threads write
  std::vector<std::vector<float>> engine_outputs_;
  int remaining_ = 0;
  Clock::time_point first_batch_start_ = Clock::time_point::max();
  Clock::time_point last_batch_end_ = Clock::time_point::min();
  bool finished_ = false;

  CallResponse response_;
};

}  // namespace mbserve::server
