// The unary methods are registered as raw callback methods (the request and
// the response are byte buffers) so that mbserve, not gRPC, parses each
// request: with typed callback methods gRPC 1.51 answers bytes that do not
// parse with UNIMPLEMENTED and an empty message before any mbserve code
// runs, so the call is neither explained nor counted. Here it is refused
// like any other bad input, under its RPC's metrics. EmbedStream is raw too:
// gRPC fails the read of a stream message it cannot parse, so the message
// would go unanswered and the stream would stop reading.
#pragma once

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace mbserve::server {

// INVALID_ARGUMENT ("the request is not a valid mbserve.v1.EmbedRequest")
// when `bytes` do not parse as `message`.
absl::Status ParseMessage(const grpc::ByteBuffer& bytes, google::protobuf::Message& message);

// RESOURCE_EXHAUSTED when `bytes` pass --max-message-bytes (message_size.h),
// else ParseMessage.
absl::Status ParseRequest(const grpc::ByteBuffer& bytes, int max_message_bytes,
                          google::protobuf::Message& message);

// The bytes gRPC sends for `message`.
void SerializeResponse(const google::protobuf::Message& message, grpc::ByteBuffer* bytes);

}  // namespace mbserve::server
