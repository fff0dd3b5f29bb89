#include "client/cli/commands.h"
#include "client/cli/connection.h"
#include "client/cli/render.h"
#include "mbserve/v1/info.grpc.pb.h"

namespace mbserve::cli {

int RunInfo(const CliOptions& options, const Io& io) {
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
