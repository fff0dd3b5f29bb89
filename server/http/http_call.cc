#include "server/http/http_call.h"

#include <future>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/admission.h"
#include "server/call.h"
#include "server/http/http_error.h"
#include "spdlog/spdlog.h"

namespace mbserve::server::http {
namespace {

constexpr char kJson[] = "application/json";

// The body, read through `reader` up to `limit` bytes whatever the transfer
// encoding (cpp-httplib itself refuses only a Content-Length over the limit,
// and then hands over no body at all). The error's code tells too large
// (RESOURCE_EXHAUSTED) from unreadable (INVALID_ARGUMENT).
absl::StatusOr<std::string> ReadBody(const httplib::Request& request,
                                     const httplib::ContentReader& reader, size_t limit) {
  const absl::Status too_large = absl::ResourceExhaustedError(
      absl::StrCat("the body is larger than --max-message-bytes (", limit, " bytes)"));
  uint64_t declared = 0;
  if (request.has_header("Content-Length") &&
      absl::SimpleAtoi(request.get_header_value("Content-Length"), &declared) && declared > limit) {
    return too_large;
  }
  std::string body;
  bool over = false;
  const bool complete = reader([&](const char* data, size_t length) {
    over = body.size() + length > limit;
    if (!over) body.append(data, length);
    return !over;
  });
  if (over) return too_large;
  if (!complete) {
    return absl::InvalidArgumentError(
        "the body could not be read: a malformed chunked encoding, or the client stopped");
  }
  return body;
}

// The answer, or the error with its HTTP status when that status is not the
// one HttpErrorOf gives for the code (400 for a body that is not JSON at all,
// 413 for one too large).
struct Outcome {
  absl::StatusOr<std::string> answer;
  int status_override = 0;
  // The body was not read to its end: what is left of it on the connection
  // cannot be told from the next request.
  bool close_connection = false;
};

Outcome Run(ServingContext& serving, const std::atomic<bool>& accepting,
            const RouteOptions& options, const httplib::Request& request,
            const httplib::ContentReader* reader, const RouteBody& run, bool& ran) {
  std::string text;
  if (reader != nullptr) {
    absl::StatusOr<std::string> read =
        ReadBody(request, *reader, static_cast<size_t>(serving.config.max_message_bytes));
    if (!read.ok()) {
      return {read.status(), absl::IsResourceExhausted(read.status()) ? 413 : 400, true};
    }
    text = std::move(*read);
  }
  if (!accepting.load()) {
    return {absl::UnavailableError("the server is not serving: it is starting or draining")};
  }
  if (options.needs_key) {
    // A view of the stored header (names compare case-insensitively).
    const auto header = request.headers.find("Authorization");
    std::optional<std::string_view> authorization;
    if (header != request.headers.end()) authorization = header->second;
    if (absl::Status s = serving.auth.CheckAuthorization(authorization); !s.ok()) return {s};
  }
  std::optional<Admission::Permit> permit;
  if (!options.engine_call && options.takes_permit) {
    absl::StatusOr<Admission::Permit> acquired = serving.admission.TryAcquire();
    if (!acquired.ok()) return {acquired.status()};
    permit.emplace(std::move(*acquired));
  }
  Json body = Json::object();
  if (reader != nullptr) {
    absl::StatusOr<Json> parsed = ParseJsonBody(text);
    if (!parsed.ok()) return {parsed.status(), 400};
    body = std::move(*parsed);
  }
  ran = true;
  ClientLink client(request);
  return {run(body, client)};
}

}  // namespace

void WriteError(httplib::Response& response, int status, absl::string_view message,
                absl::string_view error_type) {
  response.status = status;
  response.set_content(ErrorBody(message, error_type), kJson);
}

void ServeCall(ServingContext& serving, const std::atomic<bool>& accepting, Rpc rpc,
               const RouteOptions& options, const httplib::Request& request,
               const httplib::ContentReader* reader, httplib::Response& response,
               const RouteBody& run) {
  const Clock::time_point start = Clock::now();
  bool ran = false;
  Outcome outcome = Run(serving, accepting, options, request, reader, run, ran);
  const absl::Status& status = outcome.answer.status();
  if (outcome.answer.ok()) {
    response.status = 200;
    response.set_content(std::move(*outcome.answer), kJson);
  } else {
    const HttpError error = HttpErrorOf(status.code());
    const int http_status = outcome.status_override != 0 ? outcome.status_override : error.status;
    const absl::string_view type = outcome.status_override != 0 ? "validation" : error.error_type;
    WriteError(response, http_status, status.message(), type);
    if (outcome.close_connection) response.set_header("Connection", "close");
    SPDLOG_DEBUG("{} failed: {}", RpcName(rpc), status.ToString());
  }
  // A Call has counted itself; everything else is counted here.
  if (!(ran && options.engine_call)) {
    serving.metrics.RecordRequest(rpc, status.code(), Clock::now() - start);
  }
}

absl::StatusOr<CallResponse> RunCall(ServingContext& serving, Rpc rpc,
                                     absl::StatusOr<CallRequest> request, ClientLink& client) {
  // Shared with `done`: this thread may return (and end its frame) while
  // `done` is still unwinding on the batcher's thread.
  auto finished = std::make_shared<std::promise<absl::StatusOr<CallResponse>>>();
  std::future<absl::StatusOr<CallResponse>> result = finished->get_future();
  std::shared_ptr<Call> call =
      Call::Create(serving, rpc, client.Address(), Clock::time_point::max(),
                   [finished](absl::StatusOr<CallResponse> response) {
                     finished->set_value(std::move(response));
                   });
  if (request.ok()) {
    call->Start(std::move(*request));
  } else {
    call->Reject(request.status());
  }
  while (result.wait_for(kClientCheckInterval) != std::future_status::ready) {
    if (client.Gone()) {
      call->Cancel();
      break;
    }
  }
  return result.get();
}

}  // namespace mbserve::server::http
