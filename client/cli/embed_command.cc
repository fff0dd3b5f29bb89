#include "client/cli/commands.h"
#include "client/cli/connection.h"
#include "client/cli/http_codec.h"
#include "client/cli/http_connection.h"
#include "client/cli/input.h"
#include "client/cli/render.h"
#include "mbserve/v1/embed.grpc.pb.h"

namespace mbserve::cli {
namespace {

int EmbedOverHttp(const CliOptions& options, const Io& io, const v1::EmbedRequest& request,
                  const std::vector<std::string>& texts) {
  absl::StatusOr<nlohmann::json> body = TeiEmbedBody(request);
  if (!body.ok()) return ReportError(io, "embed", body.status(), kExitUsage);
  absl::StatusOr<HttpConnection> connection = HttpConnection::Open(options.connection);
  if (!connection.ok()) return ReportError(io, "embed", connection.status(), kExitUsage);
  absl::StatusOr<nlohmann::json> answer = connection->Post("/embed", *body);
  if (!answer.ok()) return ReportError(io, "embed", answer.status(), kExitFailed);
  absl::StatusOr<v1::EmbedResponse> response = EmbedFromTei(*answer);
  if (!response.ok()) return ReportError(io, "embed", response.status(), kExitFailed);
  PrintResponse(io, *response, EmbedTable(*response, texts));
  return kExitOk;
}

}  // namespace

int RunEmbed(const CliOptions& options, const Io& io) {
  absl::StatusOr<std::vector<std::string>> texts =
      ReadTexts(options.input, io.in, io.in_is_terminal);
  if (!texts.ok()) return ReportError(io, "embed", texts.status(), kExitUsage);
  v1::EmbedRequest request = options.embed;
  for (const std::string& text : *texts) request.add_inputs()->set_text(text);
  if (options.connection.http) return EmbedOverHttp(options, io, request, *texts);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(options.connection);
  if (!channel.ok()) return ReportError(io, "embed", channel.status(), kExitUsage);

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
