// The frame of every HTTP route: refuse while not serving, check the API key,
// take an admission permit, parse the body, run the route, then write the
// JSON answer (or the error) and record the call in the metrics under the
// route's name. Routes run on the HTTP worker thread, which waits for the
// batcher when a route needs the engine.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "httplib.h"
#include "server/call_state.h"
#include "server/http/json_body.h"
#include "server/serving_context.h"

namespace mbserve::server::http {

struct RouteOptions {
  bool needs_key = true;     // false for /health
  bool takes_permit = true;  // false for answers that need no work
};

// Returns the JSON text of the answer, or the error to send.
using RouteBody =
    std::function<absl::StatusOr<std::string>(const Json& body, std::shared_ptr<CallState> call)>;

// `reader` reads the body of a POST (at most --max-message-bytes, else 413);
// null for a GET, whose routes see an empty object.
void ServeCall(ServingContext& serving, const std::atomic<bool>& accepting,
               const std::string& route, const RouteOptions& options,
               const httplib::Request& request, const httplib::ContentReader* reader,
               httplib::Response& response, const RouteBody& run);

// Runs an asynchronous call (RunEmbed, RunClassify, ...) and waits for its
// `done`.
absl::Status Await(const std::function<void(std::function<void(absl::Status)>)>& start);

// Writes an error as {"error", "error_type"} with its HTTP status.
void WriteError(httplib::Response& response, int status, absl::string_view message,
                absl::string_view error_type);

}  // namespace mbserve::server::http
