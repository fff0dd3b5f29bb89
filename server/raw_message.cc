#include "server/raw_message.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "server/message_size.h"

namespace mbserve::server {

absl::Status ParseMessage(const grpc::ByteBuffer& bytes, google::protobuf::Message& message) {
  grpc::ByteBuffer shared(bytes);  // shares the slices; Deserialize consumes its buffer
  if (!grpc::SerializationTraits<google::protobuf::Message>::Deserialize(&shared, &message).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request is not a valid ", message.GetTypeName()));
  }
  return absl::OkStatus();
}

absl::Status ParseRequest(const grpc::ByteBuffer& bytes, int max_message_bytes,
                          google::protobuf::Message& message) {
  if (absl::Status s = CheckMessageBytes(bytes.Length(), max_message_bytes); !s.ok()) return s;
  return ParseMessage(bytes, message);
}

void SerializeResponse(const google::protobuf::Message& message, grpc::ByteBuffer* bytes) {
  bool own_buffer = false;
  // Fails only past 2 GiB, which --max-message-bytes keeps responses far below.
  (void)grpc::SerializationTraits<google::protobuf::Message>::Serialize(message, bytes,
                                                                        &own_buffer);
}

}  // namespace mbserve::server
