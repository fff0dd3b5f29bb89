#include "server/embed_stream.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/grpc_convert.h"
#include "server/message_size.h"
#include "server/raw_message.h"
#include "server/status_map.h"
#include "server/tsan_handoff.h"
#include "server/unary_call.h"

namespace mbserve::server {

EmbedStreamReactor::EmbedStreamReactor(grpc::CallbackServerContext* context,
                                       ServingContext& serving, StreamRegistry& registry)
    : serving_(serving),
      registry_(registry),
      peer_(context->peer()),
      deadline_(DeadlineOf(*context)) {
  const Clock::time_point start = Clock::now();
  if (absl::Status s = serving_.auth.Check(*context); !s.ok()) {
    serving_.metrics.RecordRequest(Rpc::kEmbedStream, s.code(), Clock::now() - start);
    finished_ = true;
    HandToGrpc(this);
    Finish(ToGrpcStatus(s));
    return;
  }
  if (!registry_.Add(this)) {
    finished_ = true;
    HandToGrpc(this);
    Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down"));
    return;
  }
  HandToGrpc(this);  // the method handler returns the reactor
  HandToGrpc(&incoming_);
  StartRead(&incoming_);
}

void EmbedStreamReactor::OnReadDone(bool ok) {
  const GrpcReaction reaction(&incoming_, this);
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
  v1::EmbedStreamRequest message;
  const absl::Status parsed = ParseMessage(incoming_, message);
  std::shared_ptr<Call> call;
  uint64_t key;
  {
    std::lock_guard lock(mu_);
    // A message that arrives after draining began is not processed; the
    // stream's final status says so.
    if (draining_) return;
    key = next_key_++;
    // A message without a usable id (it does not parse, or its id is too
    // long to copy into the response) is answered with an empty id.
    std::string id = parsed.ok() && message.id().size() <= kMaxIdBytes ? message.id() : "";
    call = Call::Create(serving_, Rpc::kEmbedStream, peer_, deadline_,
                        [this, key, id = std::move(id)](absl::StatusOr<CallResponse> result) {
                          Answer(key, id, std::move(result));
                        });
    if (cancelled_) call->Cancel();
    running_.emplace(key, call);
  }
  absl::StatusOr<CallRequest> request = Decode(key + 1, parsed, message);
  if (request.ok()) {
    call->Start(std::move(*request));
  } else {
    call->Reject(request.status());
  }
  std::lock_guard lock(mu_);
  ReadNextLocked();
}

absl::StatusOr<CallRequest> EmbedStreamReactor::Decode(uint64_t position,
                                                       const absl::Status& parsed,
                                                       const v1::EmbedStreamRequest& message) {
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("message ", position, " of the stream: ", parsed.message()));
  }
  if (message.id().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("id is ", message.id().size(), " bytes; the limit is ", kMaxIdBytes));
  }
  if (absl::Status s = CheckMessageSize(message, serving_.config.max_message_bytes); !s.ok()) {
    return s;
  }
  return FromProto(message.request());
}

void EmbedStreamReactor::ReadNextLocked() {
  if (finished_ || draining_ || reading_done_) return;  // never read after Finish
  if (running_.size() + writes_.size() >= kMaxUnanswered) {
    paused_ = true;
    return;
  }
  paused_ = false;
  HandToGrpc(&incoming_);
  StartRead(&incoming_);
}

void EmbedStreamReactor::Answer(uint64_t key, const std::string& id,
                                absl::StatusOr<CallResponse> result) {
  v1::EmbedStreamResponse response;
  response.set_id(id);
  if (result.ok()) {
    ToProto(*result, response.mutable_response());
  } else {
    response.mutable_error()->set_code(static_cast<int32_t>(ToGrpcCode(result.status().code())));
    response.mutable_error()->set_message(std::string(result.status().message()));
  }
  grpc::ByteBuffer bytes;
  SerializeResponse(response, &bytes);
  bool finish;
  {
    std::lock_guard lock(mu_);
    running_.erase(key);
    EnqueueLocked(std::move(bytes));
    if (paused_) ReadNextLocked();
    finish = ShouldFinishLocked();
  }
  if (finish) FinishNow();
}

void EmbedStreamReactor::EnqueueLocked(grpc::ByteBuffer response) {
  if (broken_ || finished_) return;
  writes_.push_back(std::move(response));
  if (writes_.size() == 1) {
    HandToGrpc(&writes_);
    StartWrite(&writes_.front());
  }
}

void EmbedStreamReactor::OnWriteDone(bool ok) {
  const GrpcReaction reaction(&writes_, this);
  bool finish;
  {
    std::lock_guard lock(mu_);
    writes_.pop_front();
    if (!ok) {
      broken_ = true;
      writes_.clear();
    } else if (!writes_.empty()) {
      HandToGrpc(&writes_);
      StartWrite(&writes_.front());
    }
    if (paused_) ReadNextLocked();
    finish = ShouldFinishLocked();
  }
  if (finish) FinishNow();
}

bool EmbedStreamReactor::ShouldFinishLocked() {
  if (finished_ || !reading_done_ || !running_.empty() || !writes_.empty()) return false;
  finished_ = true;
  finish_draining_ = draining_;
  return true;
}

void EmbedStreamReactor::FinishNow() {
  HandToGrpc(this);
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

void EmbedStreamReactor::OnCancel() {
  const GrpcReaction reaction(this, this);
  std::lock_guard lock(mu_);
  cancelled_ = true;
  for (const auto& [key, call] : running_) call->Cancel();
}

void EmbedStreamReactor::OnDone() {
  TakeBackFromGrpc(this);
  registry_.Remove(this);
  delete this;
}

}  // namespace mbserve::server
