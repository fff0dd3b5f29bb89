#include "server/classify_service.h"

#include "server/grpc_convert.h"
#include "server/unary_call.h"

namespace mbserve::server {

grpc::ServerUnaryReactor* ClassifyServiceImpl::Classify(grpc::CallbackServerContext* context,
                                                        const v1::ClassifyRequest* request,
                                                        v1::ClassifyResponse* response) {
  return StartEngineCall(serving_, Rpc::kClassify, context, FromProto(*request),
                         [response](const CallResponse& result) { ToProto(result, response); });
}

}  // namespace mbserve::server
