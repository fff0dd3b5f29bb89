#include "server/embed_service.h"

#include "server/embed_stream.h"
#include "server/grpc_convert.h"
#include "server/unary_call.h"

namespace mbserve::server {

grpc::ServerUnaryReactor* EmbedServiceImpl::Embed(grpc::CallbackServerContext* context,
                                                  const v1::EmbedRequest* request,
                                                  v1::EmbedResponse* response) {
  return StartEngineCall(serving_, Rpc::kEmbed, context, *request, FromProto(*request),
                         [response](const CallResponse& result) { ToProto(result, response); });
}

grpc::ServerBidiReactor<v1::EmbedStreamRequest, v1::EmbedStreamResponse>*
EmbedServiceImpl::EmbedStream(grpc::CallbackServerContext* context) {
  return new EmbedStreamReactor(context, serving_, streams_);
}

}  // namespace mbserve::server
