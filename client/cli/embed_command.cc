#include "client/cli/commands.h"
#include "client/cli/connection.h"
#include "client/cli/input.h"
#include "client/cli/render.h"
#include "mbserve/v1/embed.grpc.pb.h"

namespace mbserve::cli {

int RunEmbed(const CliOptions& options, const Io& io) {
  absl::StatusOr<std::vector<std::string>> texts =
      ReadTexts(options.input, io.in, io.in_is_terminal);
  if (!texts.ok()) return ReportError(io, "embed", texts.status(), kExitUsage);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(options.connection);
  if (!channel.ok()) return ReportError(io, "embed", channel.status(), kExitUsage);

  v1::EmbedRequest request = options.embed;
  for (const std::string& text : *texts) request.add_inputs()->set_text(text);
  v1::EmbedResponse response;
  grpc::ClientContext context;
  PrepareContext(options.connection, options.connection.timeout, context);
  const grpc::Status status =
      v1::EmbedService::NewStub(*channel)->Embed(&context, request, &response);
  if (!status.ok()) return ReportRpcError(io, "embed", status);
  PrintResponse(io, response, EmbedTable(response, *texts),
                UsageLine(response.usage(), response.timing()));
  return kExitOk;
}

}  // namespace mbserve::cli
