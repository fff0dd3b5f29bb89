#include "server/message_size.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"

namespace mbserve::server {

int TransportMessageLimit(int max_message_bytes) {
  return static_cast<int>(
      std::min<int64_t>(int64_t{2} * max_message_bytes, std::numeric_limits<int>::max()));
}

absl::Status CheckMessageSize(const google::protobuf::MessageLite& message, int max_message_bytes) {
  return CheckMessageBytes(message.ByteSizeLong(), max_message_bytes);
}

absl::Status CheckMessageBytes(size_t bytes, int max_message_bytes) {
  if (bytes <= static_cast<size_t>(max_message_bytes)) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "the request message is ", bytes, " bytes; --max-message-bytes is ", max_message_bytes));
}

}  // namespace mbserve::server
