#include "client/cli/commands.h"
#include "client/cli/connection.h"
#include "client/cli/render.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace mbserve::cli {

// The container HEALTHCHECK and scripts rely on the exit status alone.
int RunHealth(const CliOptions& options, const Io& io) {
  using grpc::health::v1::HealthCheckResponse;
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
