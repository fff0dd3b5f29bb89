#include "absl/strings/str_cat.h"
#include "client/cli/commands.h"
#include "client/cli/connection.h"
#include "client/cli/http_connection.h"
#include "client/cli/render.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace mbserve::cli {
namespace {

// GET /health answers 200 while serving and 503 while starting or draining.
int HealthOverHttp(const CliOptions& options, const Io& io) {
  using grpc::health::v1::HealthCheckResponse;
  if (!options.health.service().empty()) {
    return ReportError(
        io, "health",
        absl::InvalidArgumentError("--service has no HTTP route; /health covers the whole server"),
        kExitUsage);
  }
  absl::StatusOr<HttpConnection> connection = HttpConnection::Open(options.connection);
  if (!connection.ok()) return ReportError(io, "health", connection.status(), kExitUsage);
  absl::StatusOr<int> http_status = connection->GetStatus("/health");
  if (!http_status.ok()) return ReportError(io, "health", http_status.status(), kExitFailed);
  if (*http_status != 200 && *http_status != 503) {
    return ReportError(io, "health",
                       absl::UnknownError(absl::StrCat("GET /health answered HTTP ", *http_status)),
                       kExitFailed);
  }
  HealthCheckResponse response;
  response.set_status(*http_status == 200 ? HealthCheckResponse::SERVING
                                          : HealthCheckResponse::NOT_SERVING);
  PrintResponse(io, response, HealthTable(response, ""));
  return *http_status == 200 ? kExitOk : kExitFailed;
}

}  // namespace

// The container HEALTHCHECK and scripts rely on the exit status alone.
int RunHealth(const CliOptions& options, const Io& io) {
  using grpc::health::v1::HealthCheckResponse;
  if (options.connection.http) return HealthOverHttp(options, io);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(options.connection);
  if (!channel.ok()) return ReportError(io, "health", channel.status(), kExitUsage);
  HealthCheckResponse response;
  grpc::ClientContext context;
  PrepareContext(options.connection, options.connection.timeout, context);
  const grpc::Status status =
      grpc::health::v1::Health::NewStub(*channel)->Check(&context, options.health, &response);
  if (!status.ok()) return ReportRpcError(io, "health", status);
  PrintResponse(io, response, HealthTable(response, options.health.service()));
  return response.status() == HealthCheckResponse::SERVING ? kExitOk : kExitFailed;
}

}  // namespace mbserve::cli
