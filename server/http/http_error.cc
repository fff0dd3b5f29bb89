#include "server/http/http_error.h"

#include "server/http/json_body.h"

namespace mbserve::server::http {

HttpError HttpErrorOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return {422, "validation"};
    case absl::StatusCode::kFailedPrecondition:
      return {424, "backend"};
    case absl::StatusCode::kResourceExhausted:
      return {429, "overloaded"};
    case absl::StatusCode::kUnauthenticated:
      return {401, "unauthorized"};
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kCancelled:
      return {503, "unhealthy"};
    case absl::StatusCode::kDeadlineExceeded:
      return {504, "timeout"};
    default:
      return {500, "backend"};
  }
}

std::string ErrorBody(absl::string_view message, absl::string_view error_type) {
  return Json{{"error", message}, {"error_type", error_type}}.dump(-1, ' ', false,
                                                                   Json::error_handler_t::replace);
}

}  // namespace mbserve::server::http
