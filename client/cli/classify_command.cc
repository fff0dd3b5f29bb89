#include "client/cli/commands.h"
#include "client/cli/connection.h"
#include "client/cli/http_codec.h"
#include "client/cli/http_connection.h"
#include "client/cli/input.h"
#include "client/cli/render.h"
#include "mbserve/v1/classify.grpc.pb.h"

namespace mbserve::cli {
namespace {

int ClassifyOverHttp(const CliOptions& options, const Io& io, const v1::ClassifyRequest& request,
                     const std::vector<std::string>& described) {
  absl::StatusOr<std::vector<nlohmann::json>> bodies = TeiPredictBodies(request);
  if (!bodies.ok()) return ReportError(io, "classify", bodies.status(), kExitUsage);
  absl::StatusOr<HttpConnection> connection = HttpConnection::Open(options.connection);
  if (!connection.ok()) return ReportError(io, "classify", connection.status(), kExitUsage);
  v1::ClassifyResponse response;
  for (const nlohmann::json& body : *bodies) {
    absl::StatusOr<nlohmann::json> answer = connection->Post("/predict", body);
    if (!answer.ok()) return ReportError(io, "classify", answer.status(), kExitFailed);
    if (absl::Status s = AddPredictionFromTei(*answer, response); !s.ok()) {
      return ReportError(io, "classify", s, kExitFailed);
    }
  }
  PrintResponse(io, response, ClassifyTable(response, described));
  return kExitOk;
}

}  // namespace

int RunClassify(const CliOptions& options, const Io& io) {
  absl::StatusOr<std::vector<std::string>> texts =
      ReadTexts(options.input, io.in, io.in_is_terminal);
  if (!texts.ok()) return ReportError(io, "classify", texts.status(), kExitUsage);

  v1::ClassifyRequest request = options.classify;
  std::vector<std::string> described;  // the table's input column
  if (options.input.pairs) {
    // ReadTexts returns pairs flattened: first, second, first, second, ...
    for (size_t i = 0; i + 1 < texts->size(); i += 2) {
      v1::TextPair* pair = request.add_inputs()->mutable_pair();
      pair->set_first((*texts)[i]);
      pair->set_second((*texts)[i + 1]);
      described.push_back((*texts)[i] + " | " + (*texts)[i + 1]);
    }
  } else {
    for (const std::string& text : *texts) request.add_inputs()->set_text(text);
    described = *texts;
  }
  if (options.connection.http) return ClassifyOverHttp(options, io, request, described);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(options.connection);
  if (!channel.ok()) return ReportError(io, "classify", channel.status(), kExitUsage);
  v1::ClassifyResponse response;
  grpc::ClientContext context;
  PrepareContext(options.connection, options.connection.timeout, context);
  const grpc::Status status =
      v1::ClassifyService::NewStub(*channel)->Classify(&context, request, &response);
  if (!status.ok()) return ReportRpcError(io, "classify", status);
  PrintResponse(io, response, ClassifyTable(response, described),
                UsageLine(response.usage(), response.timing()));
  return kExitOk;
}

}  // namespace mbserve::cli
