#include "server/http/http_routes.h"

#include <string>
#include <vector>

#include "server/classify_call.h"
#include "server/embed_call.h"
#include "server/http/http_call.h"
#include "server/http/openai_codec.h"
#include "server/http/tei_codec.h"
#include "server/info_service.h"
#include "server/input_prep.h"
#include "server/rerank_call.h"
#include "server/tokenize_service.h"

namespace mbserve::server::http {
namespace {

constexpr RouteOptions kWork;
constexpr RouteOptions kDescribe{.needs_key = true, .takes_permit = false};
constexpr RouteOptions kProbe{.needs_key = false, .takes_permit = false};

using Call = std::shared_ptr<CallState>;

// Registers `run` as the POST (with a JSON body) or GET route `route`.
template <typename Run>
void Route(httplib::Server& server, bool post, const std::string& route,
           const RouteOptions& options, ServingContext& serving, const std::atomic<bool>& accepting,
           Run run) {
  if (post) {
    server.Post(route, [&serving, &accepting, route, options, run](
                           const httplib::Request& request, httplib::Response& response,
                           const httplib::ContentReader& reader) {
      ServeCall(serving, accepting, route, options, request, &reader, response, run);
    });
  } else {
    server.Get(route, [&serving, &accepting, route, options, run](const httplib::Request& request,
                                                                  httplib::Response& response) {
      ServeCall(serving, accepting, route, options, request, nullptr, response, run);
    });
  }
}

absl::StatusOr<std::string> Embeddings(ServingContext& serving, const Json& body, Call call) {
  absl::StatusOr<OpenAiEmbeddingsRequest> request = ParseOpenAiEmbeddings(body);
  if (!request.ok()) return request.status();
  v1::EmbedResponse response;
  absl::Status status = Await([&](auto done) {
    RunEmbed(serving, "/v1/embeddings", call, request->embed, &response, std::move(done));
  });
  if (!status.ok()) return status;
  return EncodeOpenAiEmbeddings(response, request->base64, serving.model.name);
}

absl::StatusOr<std::string> Embed(ServingContext& serving, const Json& body, Call call) {
  absl::StatusOr<v1::EmbedRequest> request = ParseTeiEmbed(body);
  if (!request.ok()) return request.status();
  v1::EmbedResponse response;
  absl::Status status = Await(
      [&](auto done) { RunEmbed(serving, "/embed", call, *request, &response, std::move(done)); });
  if (!status.ok()) return status;
  return EncodeTeiEmbed(response);
}

absl::StatusOr<std::string> Predict(ServingContext& serving, const Json& body, Call call) {
  absl::StatusOr<TeiPredictRequest> request = ParseTeiPredict(body);
  if (!request.ok()) return request.status();
  v1::ClassifyResponse response;
  absl::Status status = Await([&](auto done) {
    RunClassify(serving, "/predict", call, request->classify, &response, std::move(done));
  });
  if (!status.ok()) return status;
  return EncodeTeiPredict(response, request->single);
}

absl::StatusOr<std::string> Rerank(ServingContext& serving, const Json& body, Call call) {
  absl::StatusOr<v1::RerankRequest> request = ParseTeiRerank(body);
  if (!request.ok()) return request.status();
  v1::RerankResponse response;
  absl::Status status = Await([&](auto done) {
    RunRerank(serving, "/rerank", call, *request, &response, std::move(done));
  });
  if (!status.ok()) return status;
  return EncodeTeiRerank(response, request->return_text());
}

absl::StatusOr<std::string> Tokenize(ServingContext& serving, const Json& body) {
  absl::StatusOr<v1::TokenizeRequest> request = ParseTeiTokenize(body);
  if (!request.ok()) return request.status();
  if (absl::Status s =
          CheckInputCount("inputs", request->texts_size(), serving.config.max_client_batch_size);
      !s.ok()) {
    return s;
  }
  v1::TokenizeResponse response;
  if (absl::Status s = TokenizeAll(serving.tokenizer, *request, &response); !s.ok()) return s;
  return EncodeTeiTokenize(response);
}

absl::StatusOr<std::string> Decode(ServingContext& serving, const Json& body) {
  absl::StatusOr<std::vector<v1::DetokenizeRequest>> requests = ParseTeiDecode(body);
  if (!requests.ok()) return requests.status();
  if (absl::Status s = CheckInputCount("ids", static_cast<int>(requests->size()),
                                       serving.config.max_client_batch_size);
      !s.ok()) {
    return s;
  }
  std::vector<v1::DetokenizeResponse> responses(requests->size());
  for (size_t i = 0; i < requests->size(); ++i) {
    if (absl::Status s = DetokenizeIds(serving.tokenizer, (*requests)[i], &responses[i]); !s.ok()) {
      return s;
    }
  }
  return EncodeTeiDecode(responses);
}

}  // namespace

void RegisterRoutes(httplib::Server& server, ServingContext& serving,
                    const std::atomic<bool>& accepting) {
  auto with = [&serving](auto handler) {
    return [&serving, handler](const Json& body, Call call) {
      return handler(serving, body, std::move(call));
    };
  };
  auto inline_work = [&serving](auto handler) {
    return [&serving, handler](const Json& body, Call) { return handler(serving, body); };
  };
  Route(server, true, "/v1/embeddings", kWork, serving, accepting, with(Embeddings));
  Route(server, true, "/embed", kWork, serving, accepting, with(Embed));
  Route(server, true, "/predict", kWork, serving, accepting, with(Predict));
  Route(server, true, "/rerank", kWork, serving, accepting, with(Rerank));
  Route(server, true, "/tokenize", kWork, serving, accepting, inline_work(Tokenize));
  Route(server, true, "/decode", kWork, serving, accepting, inline_work(Decode));

  const std::string models = EncodeOpenAiModels(serving.model.name);
  Route(server, false, "/v1/models", kDescribe, serving, accepting,
        [models](const Json&, Call) -> absl::StatusOr<std::string> { return models; });
  const std::string info = EncodeTeiInfo(DescribeServer(serving));
  Route(server, false, "/info", kDescribe, serving, accepting,
        [info](const Json&, Call) -> absl::StatusOr<std::string> { return info; });
  Route(server, false, "/health", kProbe, serving, accepting,
        [](const Json&, Call) -> absl::StatusOr<std::string> { return std::string("{}"); });
}

}  // namespace mbserve::server::http
