#include "client/cli/commands.h"
#include "client/cli/connection.h"
#include "client/cli/http_codec.h"
#include "client/cli/http_connection.h"
#include "client/cli/render.h"
#include "mbserve/v1/info.grpc.pb.h"

namespace mbserve::cli {
namespace {

int InfoOverHttp(const CliOptions& options, const Io& io) {
  absl::StatusOr<HttpConnection> connection = HttpConnection::Open(options.connection);
  if (!connection.ok()) return ReportError(io, "info", connection.status(), kExitUsage);
  absl::StatusOr<nlohmann::json> answer = connection->Get("/info");
  if (!answer.ok()) return ReportError(io, "info", answer.status(), kExitFailed);
  absl::StatusOr<v1::GetInfoResponse> response = InfoFromTei(*answer);
  if (!response.ok()) return ReportError(io, "info", response.status(), kExitFailed);
  PrintResponse(io, *response, InfoTable(*response));
  return kExitOk;
}

}  // namespace

int RunInfo(const CliOptions& options, const Io& io) {
  if (options.connection.http) return InfoOverHttp(options, io);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(options.connection);
  if (!channel.ok()) return ReportError(io, "info", channel.status(), kExitUsage);
  v1::GetInfoResponse response;
  grpc::ClientContext context;
  PrepareContext(options.connection, options.connection.timeout, context);
  const grpc::Status status =
      v1::InfoService::NewStub(*channel)->GetInfo(&context, v1::GetInfoRequest(), &response);
  if (!status.ok()) return ReportRpcError(io, "info", status);
  PrintResponse(io, response, InfoTable(response));
  return kExitOk;
}

}  // namespace mbserve::cli
