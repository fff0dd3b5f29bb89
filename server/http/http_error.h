// The one place where an absl::Status becomes an HTTP error: the status code
// and the JSON body {"error": message, "error_type": kind}, with the codes
// text-embeddings-inference clients expect.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mbserve::server::http {

struct HttpError {
  int status = 500;
  absl::string_view error_type;  // "validation", "overloaded", ...
};

// INVALID_ARGUMENT and OUT_OF_RANGE 422, FAILED_PRECONDITION 424 (the model
// cannot do it), RESOURCE_EXHAUSTED 429, UNAUTHENTICATED 401, UNAVAILABLE and
// CANCELLED 503 (draining), DEADLINE_EXCEEDED 504, anything else 500.
HttpError HttpErrorOf(absl::StatusCode code);

// {"error": message, "error_type": type} as text.
std::string ErrorBody(absl::string_view message, absl::string_view error_type);

}  // namespace mbserve::server::http
