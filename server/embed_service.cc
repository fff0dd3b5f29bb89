#include "server/embed_service.h"

#include "server/embed_stream.h"
#include "server/grpc_convert.h"
#include "server/raw_message.h"
#include "server/unary_call.h"

namespace mbserve::server {

grpc::ServerUnaryReactor* EmbedServiceImpl::Embed(grpc::CallbackServerContext* context,
                                                  const grpc::ByteBuffer* request,
                                                  grpc::ByteBuffer* response) {
  v1::EmbedRequest message;
  const absl::Status parsed = ParseRequest(*request, serving_.config.max_message_bytes, message);
  return StartEngineCall(serving_, Rpc::kEmbed, context, parsed.ok() ? FromProto(message) : parsed,
                         [response](const CallResponse& result) {
                           v1::EmbedResponse out;
                           ToProto(result, &out);
                           SerializeResponse(out, response);
                         });
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* EmbedServiceImpl::EmbedStream(
    grpc::CallbackServerContext* context) {
  return new EmbedStreamReactor(context, serving_, streams_);
}

}  // namespace mbserve::server
