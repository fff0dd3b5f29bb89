// The request-message bound (--max-message-bytes), checked in mbserve code
// rather than by gRPC's transport. gRPC fails the whole call when a message
// passes its receive limit, which on an EmbedStream would end the stream and
// lose the answers to messages already accepted. So the transport's limit is
// set above the flag (TransportMessageLimit) and each message is checked
// here: a unary call is refused, a stream message is answered alone and the
// stream goes on.
#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "google/protobuf/message_lite.h"

namespace mbserve::server {

// gRPC's receive limit: twice --max-message-bytes (at most INT_MAX). A
// message between the two is read and refused by CheckMessageSize; only a
// larger one is refused by gRPC, ending its call or stream.
int TransportMessageLimit(int max_message_bytes);

// RESOURCE_EXHAUSTED naming both sizes when a request message of `bytes`
// (or `message`, by its encoded size) is larger than `max_message_bytes`.
absl::Status CheckMessageBytes(size_t bytes, int max_message_bytes);
absl::Status CheckMessageSize(const google::protobuf::MessageLite& message, int max_message_bytes);

}  // namespace mbserve::server
