#include "client/cli/commands.h"
#include "client/cli/connection.h"
#include "client/cli/input.h"
#include "client/cli/render.h"
#include "mbserve/v1/tokenize.grpc.pb.h"

namespace mbserve::cli {

int RunTokenize(const CliOptions& options, const Io& io) {
  absl::StatusOr<std::vector<std::string>> texts =
      ReadTexts(options.input, io.in, io.in_is_terminal);
  if (!texts.ok()) return ReportError(io, "tokenize", texts.status(), kExitUsage);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(options.connection);
  if (!channel.ok()) return ReportError(io, "tokenize", channel.status(), kExitUsage);

  v1::TokenizeRequest request = options.tokenize;
  for (const std::string& text : *texts) request.add_texts(text);
  v1::TokenizeResponse response;
  grpc::ClientContext context;
  PrepareContext(options.connection, options.connection.timeout, context);
  const grpc::Status status =
      v1::TokenizeService::NewStub(*channel)->Tokenize(&context, request, &response);
  if (!status.ok()) return ReportRpcError(io, "tokenize", status);
  PrintResponse(io, response, TokenizeTable(response, *texts));
  return kExitOk;
}

}  // namespace mbserve::cli
