#include "server/classify_service.h"

#include "server/classify_call.h"
#include "server/rerank_call.h"
#include "server/unary_call.h"

namespace mbserve::server {

grpc::ServerUnaryReactor* ClassifyServiceImpl::Classify(grpc::CallbackServerContext* context,
                                                        const v1::ClassifyRequest* request,
                                                        v1::ClassifyResponse* response) {
  auto* call = new UnaryCall("Classify", context, serving_);
  if (absl::Status s = call->Admit(); !s.ok()) {
    call->Complete(s);
    return call;
  }
  RunClassify(serving_, "Classify", call->state(), *request, response,
              [call](const absl::Status& status) { call->Complete(status); });
  return call;
}

grpc::ServerUnaryReactor* ClassifyServiceImpl::Rerank(grpc::CallbackServerContext* context,
                                                      const v1::RerankRequest* request,
                                                      v1::RerankResponse* response) {
  auto* call = new UnaryCall("Rerank", context, serving_);
  if (absl::Status s = call->Admit(); !s.ok()) {
    call->Complete(s);
    return call;
  }
  RunRerank(serving_, "Rerank", call->state(), *request, response,
            [call](const absl::Status& status) { call->Complete(status); });
  return call;
}

}  // namespace mbserve::server
