// mbserve.v1.EmbedService: Embed (unary) and EmbedStream (bidirectional).
#pragma once

#include "mbserve/v1/embed.grpc.pb.h"
#include "server/serving_context.h"
#include "server/stream_registry.h"

namespace mbserve::server {

// Both methods are raw: mbserve parses their messages (raw_message.h).
class EmbedServiceImpl final
    : public v1::EmbedService::WithRawCallbackMethod_Embed<
          v1::EmbedService::WithRawCallbackMethod_EmbedStream<v1::EmbedService::Service>> {
 public:
  EmbedServiceImpl(ServingContext& serving, StreamRegistry& streams)
      : serving_(serving), streams_(streams) {}

  grpc::ServerUnaryReactor* Embed(grpc::CallbackServerContext* context,
                                  const grpc::ByteBuffer* request,
                                  grpc::ByteBuffer* response) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* EmbedStream(
      grpc::CallbackServerContext* context) override;

 private:
  ServingContext& serving_;
  StreamRegistry& streams_;
};

}  // namespace mbserve::server
