#include "server/classify_service.h"

#include "server/grpc_convert.h"
#include "server/rerank_call.h"
#include "server/unary_call.h"

namespace mbserve::server {

grpc::ServerUnaryReactor* ClassifyServiceImpl::Classify(grpc::CallbackServerContext* context,
                                                        const v1::ClassifyRequest* request,
                                                        v1::ClassifyResponse* response) {
  return StartEngineCall(serving_, Rpc::kClassify, context, *request, FromProto(*request),
                         [response](const CallResponse& result) { ToProto(result, response); });
}

grpc::ServerUnaryReactor* ClassifyServiceImpl::Rerank(grpc::CallbackServerContext* context,
                                                      const v1::RerankRequest* request,
                                                      v1::RerankResponse* response) {
  absl::StatusOr<RerankQuery> query = FromProto(*request);
  absl::StatusOr<CallRequest> pairs =
      query.ok() ? RerankCall(*query, serving_.model, serving_.config) : query.status();
  return StartEngineCall(serving_, Rpc::kRerank, context, *request, std::move(pairs),
                         [this, request, response](const CallResponse& result) {
                           ToProto(RankTexts(result, serving_.model), result, *request, response);
                         });
}

}  // namespace mbserve::server
