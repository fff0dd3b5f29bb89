#include "server/embed_stream.h"

#include <optional>
#include <utility>

#include "server/embed_call.h"
#include "server/status_map.h"
#include "server/unary_call.h"

namespace mbserve::server {
namespace {

constexpr char kRpc[] = "EmbedStream";

// One accepted message: what must live until it is answered.
struct StreamMessage {
  std::unique_ptr<v1::EmbedStreamRequest> request;
  v1::EmbedResponse response;
  std::optional<Admission::Permit> permit;
  std::shared_ptr<CallState> call;
};

}  // namespace

EmbedStreamReactor::EmbedStreamReactor(grpc::CallbackServerContext* context,
                                       ServingContext& serving, StreamRegistry& registry)
    : serving_(serving), registry_(registry), state_(std::make_shared<CallState>()) {
  state_->deadline = DeadlineOf(*context);
  if (absl::Status s = serving_.auth.Check(*context); !s.ok()) {
    serving_.metrics.RecordRequest(kRpc, ToGrpcCode(s.code()), Clock::now() - state_->start);
    finished_ = true;
    Finish(ToGrpcStatus(s));
    return;
  }
  if (!registry_.Add(this)) {
    finished_ = true;
    Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down"));
    return;
  }
  incoming_ = std::make_unique<v1::EmbedStreamRequest>();
  StartRead(incoming_.get());
}

void EmbedStreamReactor::OnReadDone(bool ok) {
  if (!ok) {
    bool finish;
    {
      std::lock_guard lock(mu_);
      reading_done_ = true;
      finish = ShouldFinishLocked();
    }
    if (finish) FinishNow();
    return;
  }
  {
    std::lock_guard lock(mu_);
    // A message that arrives after draining began is not processed; the
    // stream's final status says so.
    if (draining_) return;
    ++running_;
  }
  Accept(std::move(incoming_));
  std::lock_guard lock(mu_);
  if (finished_ || draining_) return;  // never read after Finish
  incoming_ = std::make_unique<v1::EmbedStreamRequest>();
  StartRead(incoming_.get());
}

void EmbedStreamReactor::Accept(std::unique_ptr<v1::EmbedStreamRequest> request) {
  auto message = std::make_shared<StreamMessage>();
  message->request = std::move(request);
  message->call = std::make_shared<CallState>();
  message->call->parent = state_;

  auto answer = [this, message](const absl::Status& status) {
    const grpc::StatusCode code = ToGrpcCode(status.code());
    serving_.metrics.RecordRequest(kRpc, code, Clock::now() - message->call->start);
    message->permit.reset();
    v1::EmbedStreamResponse response;
    response.set_id(message->request->id());
    if (status.ok()) {
      *response.mutable_response() = std::move(message->response);
    } else {
      response.mutable_error()->set_code(static_cast<int32_t>(code));
      response.mutable_error()->set_message(std::string(status.message()));
    }
    bool finish;
    {
      std::lock_guard lock(mu_);
      --running_;
      EnqueueLocked(std::move(response));
      finish = ShouldFinishLocked();
    }
    if (finish) FinishNow();
  };

  absl::StatusOr<Admission::Permit> permit = serving_.admission.TryAcquire();
  if (!permit.ok()) {
    answer(permit.status());
    return;
  }
  message->permit.emplace(std::move(*permit));
  RunEmbed(serving_, kRpc, message->call, message->request->request(), &message->response,
           std::move(answer));
}

void EmbedStreamReactor::EnqueueLocked(v1::EmbedStreamResponse response) {
  if (broken_ || finished_) return;
  writes_.push_back(std::move(response));
  if (writes_.size() == 1) StartWrite(&writes_.front());
}

void EmbedStreamReactor::OnWriteDone(bool ok) {
  bool finish;
  {
    std::lock_guard lock(mu_);
    writes_.pop_front();
    if (!ok) {
      broken_ = true;
      writes_.clear();
    } else if (!writes_.empty()) {
      StartWrite(&writes_.front());
    }
    finish = ShouldFinishLocked();
  }
  if (finish) FinishNow();
}

bool EmbedStreamReactor::ShouldFinishLocked() {
  if (finished_ || !reading_done_ || running_ > 0 || !writes_.empty()) return false;
  finished_ = true;
  finish_draining_ = draining_;
  return true;
}

void EmbedStreamReactor::FinishNow() {
  if (finish_draining_) {
    Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "the server is shutting down; requests sent after the last response "
                        "were not processed"));
  } else {
    Finish(grpc::Status::OK);
  }
}

void EmbedStreamReactor::Drain() {
  bool finish;
  {
    std::lock_guard lock(mu_);
    draining_ = true;
    reading_done_ = true;
    finish = ShouldFinishLocked();
  }
  if (finish) FinishNow();
}

void EmbedStreamReactor::OnCancel() { state_->cancelled.store(true); }

void EmbedStreamReactor::OnDone() {
  registry_.Remove(this);
  delete this;
}

}  // namespace mbserve::server
