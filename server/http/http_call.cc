#include "server/http/http_call.h"

#include <future>
#include <optional>

#include "server/admission.h"
#include "server/http/http_error.h"
#include "server/status_map.h"
#include "spdlog/spdlog.h"

namespace mbserve::server::http {
namespace {

constexpr char kJson[] = "application/json";

absl::StatusOr<std::string> Run(ServingContext& serving, const std::atomic<bool>& accepting,
                                const RouteOptions& options, const httplib::Request& request,
                                const RouteBody& run, bool& malformed) {
  if (!accepting.load()) {
    return absl::UnavailableError("the server is not serving: it is starting or draining");
  }
  if (options.needs_key) {
    // A view of the stored header (names compare case-insensitively).
    const auto header = request.headers.find("Authorization");
    std::optional<std::string_view> authorization;
    if (header != request.headers.end()) authorization = header->second;
    if (absl::Status s = serving.auth.CheckAuthorization(authorization); !s.ok()) return s;
  }
  std::optional<Admission::Permit> permit;
  if (options.takes_permit) {
    absl::StatusOr<Admission::Permit> acquired = serving.admission.TryAcquire();
    if (!acquired.ok()) return acquired.status();
    permit.emplace(std::move(*acquired));
  }
  Json body = Json::object();
  if (options.has_body) {
    absl::StatusOr<Json> parsed = ParseJsonBody(request.body);
    if (!parsed.ok()) {
      malformed = true;
      return parsed.status();
    }
    body = std::move(*parsed);
  }
  return run(body, std::make_shared<CallState>());
}

}  // namespace

void WriteError(httplib::Response& response, int status, absl::string_view message,
                absl::string_view error_type) {
  response.status = status;
  response.set_content(ErrorBody(message, error_type), kJson);
}

void ServeCall(ServingContext& serving, const std::atomic<bool>& accepting,
               const std::string& route, const RouteOptions& options,
               const httplib::Request& request, httplib::Response& response, const RouteBody& run) {
  const Clock::time_point start = Clock::now();
  bool malformed = false;
  absl::StatusOr<std::string> answer = Run(serving, accepting, options, request, run, malformed);
  const grpc::StatusCode code = ToGrpcCode(answer.status().code());
  if (answer.ok()) {
    response.status = 200;
    response.set_content(std::move(*answer), kJson);
  } else if (malformed) {  // not even JSON: the request, not its values, is wrong
    WriteError(response, 400, answer.status().message(), "validation");
  } else {
    const HttpError error = HttpErrorOf(answer.status().code());
    WriteError(response, error.status, answer.status().message(), error.error_type);
    SPDLOG_DEBUG("{} failed: {}", route, answer.status().ToString());
  }
  serving.metrics.RecordRequest(route, code, Clock::now() - start);
}

absl::Status Await(const std::function<void(std::function<void(absl::Status)>)>& start) {
  // Shared with the callback: the waiting thread may return (and end its
  // frame) while `done` is still unwinding on the batcher's thread.
  auto finished = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> result = finished->get_future();
  start([finished](absl::Status status) { finished->set_value(std::move(status)); });
  return result.get();
}

}  // namespace mbserve::server::http
