// The reactor of one EmbedStream: reads requests one at a time, runs each as
// its own Call (own permit, own metrics), and writes responses in completion
// order, each tagged with its request's id. Finishes when the client has
// closed its side and every accepted request is answered.
//
// Memory is bounded per stream: reading pauses while kMaxUnanswered messages
// are accepted but their responses not yet written (a client that sends and
// never reads stalls on flow control instead of growing the server), and an
// id longer than kMaxIdBytes is refused, since every response copies it. A
// message over --max-message-bytes is answered with its error alone; the
// stream goes on (message_size.h). Messages arrive as bytes and are parsed
// here (raw_message.h), so one that does not parse is answered alone too,
// with an empty id and its position in the stream.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "mbserve/v1/embed.pb.h"
#include "server/call.h"
#include "server/serving_context.h"
#include "server/stream_registry.h"

namespace mbserve::server {

class EmbedStreamReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
                                 public Drainable {
 public:
  static constexpr size_t kMaxUnanswered = 32;
  static constexpr size_t kMaxIdBytes = 1024;

  EmbedStreamReactor(grpc::CallbackServerContext* context, ServingContext& serving,
                     StreamRegistry& registry);

  void Drain() override;

 private:
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // The request of the message at `position` (from 1) in the stream, or why
  // it is refused alone: bytes that do not parse, an id over kMaxIdBytes or
  // a message over --max-message-bytes.
  absl::StatusOr<CallRequest> Decode(uint64_t position, const absl::Status& parsed,
                                     const v1::EmbedStreamRequest& message);

  // A message's answer: its response or error, tagged with its id.
  void Answer(uint64_t key, const std::string& id, absl::StatusOr<CallResponse> result);
  // Queues a response; starts writing if idle. Needs mu_.
  void EnqueueLocked(grpc::ByteBuffer response);
  // Finishes if nothing is left to read, run or write. Returns whether the
  // caller must call Finish (outside mu_).
  bool ShouldFinishLocked();
  // Reads the next message unless the stream is over or too many are
  // unanswered (then paused_ is set and a later answer resumes). Needs mu_.
  void ReadNextLocked();
  void FinishNow();

  ServingContext& serving_;
  StreamRegistry& registry_;
  const std::string peer_;
  const Clock::time_point deadline_;
  grpc::ByteBuffer incoming_;  // the message being read

  std::mutex mu_;
  std::deque<grpc::ByteBuffer> writes_;                // front() is being written
  std::map<uint64_t, std::shared_ptr<Call>> running_;  // accepted, not yet answered
  uint64_t next_key_ = 0;
  bool cancelled_ = false;
  bool reading_done_ = false;  // client closed, or draining
  bool draining_ = false;
  bool finished_ = false;
  bool finish_draining_ = false;  // set with finished_: the final status
  bool broken_ = false;           // a write failed: the client is gone
  bool paused_ = false;           // no read pending: kMaxUnanswered reached
};

}  // namespace mbserve::server
