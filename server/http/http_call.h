// The frame of every HTTP route: refuse while not serving, check the API key,
// read and parse the body, run the route, then write the JSON answer (or the
// error). Routes that reach the engine run a Call (call.h), which takes the
// admission permit and records the metrics; for the others the frame does
// both. Routes run on the HTTP worker thread, which waits for the Call.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "httplib.h"
#include "server/call_request.h"
#include "server/http/client_link.h"
#include "server/http/json_body.h"
#include "server/rpc.h"
#include "server/serving_context.h"

namespace mbserve::server::http {

struct RouteOptions {
  bool needs_key = true;  // false for /health
  // The route runs a Call (RunCall), which admits and counts it; otherwise
  // the frame takes a permit when `takes_permit` and counts the call itself.
  bool engine_call = false;
  bool takes_permit = true;
};

// Returns the JSON text of the answer, or the error to send. `client` is the
// request's connection, for RunCall to cancel the call when it goes away.
using RouteBody = std::function<absl::StatusOr<std::string>(const Json& body, ClientLink& client)>;

// `reader` reads the body of a POST (at most --max-message-bytes, else 413);
// null for a GET, whose routes see an empty object.
void ServeCall(ServingContext& serving, const std::atomic<bool>& accepting, Rpc rpc,
               const RouteOptions& options, const httplib::Request& request,
               const httplib::ContentReader* reader, httplib::Response& response,
               const RouteBody& run);

// Runs `request` as a Call counted under `rpc` (or ends it at once with the
// request's decoding error) and waits for its result. No deadline; while it
// waits it checks the client every kClientCheckInterval and cancels the call
// once the client has gone (the inputs not yet run are dropped).
inline constexpr std::chrono::milliseconds kClientCheckInterval{20};
absl::StatusOr<CallResponse> RunCall(ServingContext& serving, Rpc rpc,
                                     absl::StatusOr<CallRequest> request, ClientLink& client);

// Writes an error as {"error", "error_type"} with its HTTP status.
void WriteError(httplib::Response& response, int status, absl::string_view message,
                absl::string_view error_type);

}  // namespace mbserve::server::http
