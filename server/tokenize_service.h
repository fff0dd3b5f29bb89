// mbserve.v1.TokenizeService: Tokenize and Detokenize, on the tokenization
// pool (never on gRPC's threads).
#pragma once

#include "mbserve/v1/tokenize.grpc.pb.h"
#include "server/serving_context.h"
#include "server/tokenize_call.h"

namespace mbserve::server {

// Raw methods: mbserve parses the requests (raw_message.h).
class TokenizeServiceImpl final
    : public v1::TokenizeService::WithRawCallbackMethod_Tokenize<
          v1::TokenizeService::WithRawCallbackMethod_Detokenize<v1::TokenizeService::Service>> {
 public:
  explicit TokenizeServiceImpl(ServingContext& serving) : serving_(serving) {}

  grpc::ServerUnaryReactor* Tokenize(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Detokenize(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;

 private:
  ServingContext& serving_;
};

}  // namespace mbserve::server
