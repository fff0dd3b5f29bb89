#include "server/embed_service.h"

#include "server/embed_call.h"
#include "server/embed_stream.h"
#include "server/unary_call.h"

namespace mbserve::server {

grpc::ServerUnaryReactor* EmbedServiceImpl::Embed(grpc::CallbackServerContext* context,
                                                  const v1::EmbedRequest* request,
                                                  v1::EmbedResponse* response) {
  auto* call = new UnaryCall("Embed", context, serving_);
  if (absl::Status s = call->Admit(); !s.ok()) {
    call->Complete(s);
    return call;
  }
  RunEmbed(serving_, "Embed", call->state(), *request, response,
           [call](const absl::Status& status) { call->Complete(status); });
  return call;
}

grpc::ServerBidiReactor<v1::EmbedStreamRequest, v1::EmbedStreamResponse>*
EmbedServiceImpl::EmbedStream(grpc::CallbackServerContext* context) {
  return new EmbedStreamReactor(context, serving_, streams_);
}

}  // namespace mbserve::server
