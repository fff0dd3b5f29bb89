#include "server/http/http_routes.h"

#include <string>
#include <vector>

#include "server/http/http_call.h"
#include "server/http/openai_codec.h"
#include "server/http/tei_codec.h"
#include "server/info_service.h"
#include "server/input_prep.h"
#include "server/rerank_call.h"
#include "server/tokenize_service.h"

namespace mbserve::server::http {
namespace {

constexpr RouteOptions kEngine{.needs_key = true, .engine_call = true};
constexpr RouteOptions kTokenizer{.needs_key = true, .engine_call = false, .takes_permit = true};
constexpr RouteOptions kDescribe{.needs_key = true, .engine_call = false, .takes_permit = false};
constexpr RouteOptions kProbe{.needs_key = false, .engine_call = false, .takes_permit = false};

// Registers `run` as the POST (with a JSON body) or GET route of `rpc`.
void Route(httplib::Server& server, bool post, Rpc rpc, const RouteOptions& options,
           ServingContext& serving, const std::atomic<bool>& accepting, RouteBody run) {
  const std::string path(RpcName(rpc));
  if (post) {
    server.Post(path, [&serving, &accepting, rpc, options, run](
                          const httplib::Request& request, httplib::Response& response,
                          const httplib::ContentReader& reader) {
      ServeCall(serving, accepting, rpc, options, request, &reader, response, run);
    });
  } else {
    server.Get(path, [&serving, &accepting, rpc, options, run](const httplib::Request& request,
                                                               httplib::Response& response) {
      ServeCall(serving, accepting, rpc, options, request, nullptr, response, run);
    });
  }
}

absl::StatusOr<std::string> Embeddings(ServingContext& serving, const Json& body,
                                       ClientLink& client) {
  absl::StatusOr<OpenAiEmbeddingsRequest> request = ParseOpenAiEmbeddings(body);
  absl::StatusOr<CallResponse> response =
      RunCall(serving, Rpc::kHttpEmbeddings,
              request.ok() ? absl::StatusOr<CallRequest>(request->call) : request.status(), client);
  if (!response.ok()) return response.status();
  return EncodeOpenAiEmbeddings(*response, request->base64, serving.model.name);
}

absl::StatusOr<std::string> Embed(ServingContext& serving, const Json& body, ClientLink& client) {
  absl::StatusOr<CallResponse> response =
      RunCall(serving, Rpc::kHttpEmbed, ParseTeiEmbed(body), client);
  if (!response.ok()) return response.status();
  return EncodeTeiEmbed(*response);
}

absl::StatusOr<std::string> Predict(ServingContext& serving, const Json& body, ClientLink& client) {
  absl::StatusOr<TeiPredictRequest> request = ParseTeiPredict(body);
  absl::StatusOr<CallResponse> response =
      RunCall(serving, Rpc::kHttpPredict,
              request.ok() ? absl::StatusOr<CallRequest>(request->call) : request.status(), client);
  if (!response.ok()) return response.status();
  return EncodeTeiPredict(*response, request->single);
}

absl::StatusOr<std::string> Rerank(ServingContext& serving, const Json& body, ClientLink& client) {
  absl::StatusOr<TeiRerankRequest> request = ParseTeiRerank(body);
  absl::StatusOr<CallResponse> response = RunCall(
      serving, Rpc::kHttpRerank,
      request.ok() ? RerankCall(request->query, serving.model, serving.config) : request.status(),
      client);
  if (!response.ok()) return response.status();
  return EncodeTeiRerank(RankTexts(*response, serving.model), *request);
}

absl::StatusOr<std::string> Tokenize(ServingContext& serving, const Json& body, ClientLink&) {
  absl::StatusOr<v1::TokenizeRequest> request = ParseTeiTokenize(body);
  if (!request.ok()) return request.status();
  if (absl::Status s =
          CheckInputCount("inputs", request->texts_size(), serving.config.max_client_batch_size);
      !s.ok()) {
    return s;
  }
  v1::TokenizeResponse response;
  if (absl::Status s = TokenizeAll(serving.tokenizer, serving.model, *request,
                                   serving.config.max_message_bytes, &response);
      !s.ok())
    return s;
  return EncodeTeiTokenize(response);
}

absl::StatusOr<std::string> Decode(ServingContext& serving, const Json& body, ClientLink&) {
  absl::StatusOr<std::vector<v1::DetokenizeRequest>> requests = ParseTeiDecode(body);
  if (!requests.ok()) return requests.status();
  if (absl::Status s = CheckInputCount("ids", static_cast<int>(requests->size()),
                                       serving.config.max_client_batch_size);
      !s.ok()) {
    return s;
  }
  std::vector<v1::DetokenizeResponse> responses(requests->size());
  for (size_t i = 0; i < requests->size(); ++i) {
    if (absl::Status s = DetokenizeIds(serving.tokenizer, (*requests)[i],
                                       serving.config.max_message_bytes, &responses[i]);
        !s.ok()) {
      return s;
    }
  }
  return EncodeTeiDecode(responses);
}

// A fixed answer, made once.
RouteBody Constant(std::string answer) {
  return [answer = std::move(answer)](const Json&, ClientLink&) -> absl::StatusOr<std::string> {
    return answer;
  };
}

}  // namespace

void RegisterRoutes(httplib::Server& server, ServingContext& serving,
                    const std::atomic<bool>& accepting) {
  auto with = [&serving](auto handler) -> RouteBody {
    return [&serving, handler](const Json& body, ClientLink& client) {
      return handler(serving, body, client);
    };
  };
  Route(server, true, Rpc::kHttpEmbeddings, kEngine, serving, accepting, with(Embeddings));
  Route(server, true, Rpc::kHttpEmbed, kEngine, serving, accepting, with(Embed));
  Route(server, true, Rpc::kHttpPredict, kEngine, serving, accepting, with(Predict));
  Route(server, true, Rpc::kHttpRerank, kEngine, serving, accepting, with(Rerank));
  Route(server, true, Rpc::kHttpTokenize, kTokenizer, serving, accepting, with(Tokenize));
  Route(server, true, Rpc::kHttpDecode, kTokenizer, serving, accepting, with(Decode));
  Route(server, false, Rpc::kHttpModels, kDescribe, serving, accepting,
        Constant(EncodeOpenAiModels(serving.model.name)));
  Route(server, false, Rpc::kHttpInfo, kDescribe, serving, accepting,
        Constant(EncodeTeiInfo(DescribeServer(serving))));
  Route(server, false, Rpc::kHttpHealth, kProbe, serving, accepting, Constant("{}"));
}

}  // namespace mbserve::server::http
