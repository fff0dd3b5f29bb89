#include "server/classify_service.h"

#include <memory>
#include <utility>

#include "server/grpc_convert.h"
#include "server/raw_message.h"
#include "server/rerank_call.h"
#include "server/unary_call.h"

namespace mbserve::server {

grpc::ServerUnaryReactor* ClassifyServiceImpl::Classify(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  v1::ClassifyRequest message;
  const absl::Status parsed = ParseRequest(*request, serving_.config.max_message_bytes, message);
  return StartEngineCall(serving_, Rpc::kClassify, context,
                         parsed.ok() ? FromProto(message) : parsed,
                         [response](const CallResponse& result) {
                           v1::ClassifyResponse out;
                           ToProto(result, &out);
                           SerializeResponse(out, response);
                         });
}

grpc::ServerUnaryReactor* ClassifyServiceImpl::Rerank(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* request,
                                                      grpc::ByteBuffer* response) {
  // The response returns the request's texts: the request lives until then.
  auto message = std::make_shared<v1::RerankRequest>();
  const absl::Status parsed = ParseRequest(*request, serving_.config.max_message_bytes, *message);
  const absl::StatusOr<RerankQuery> query =
      parsed.ok() ? FromProto(*message) : absl::StatusOr<RerankQuery>(parsed);
  absl::StatusOr<CallRequest> pairs =
      query.ok() ? RerankCall(*query, serving_.model, serving_.config) : query.status();
  return StartEngineCall(serving_, Rpc::kRerank, context, std::move(pairs),
                         [this, message, response](const CallResponse& result) {
                           v1::RerankResponse out;
                           ToProto(RankTexts(result, serving_.model), result, *message, &out);
                           SerializeResponse(out, response);
                         });
}

}  // namespace mbserve::server
