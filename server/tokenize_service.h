// mbserve.v1.TokenizeService: Tokenize and Detokenize, on the tokenization
// pool (never on gRPC's threads).
#pragma once

#include "mbserve/v1/tokenize.grpc.pb.h"
#include "server/serving_context.h"
#include "server/tokenize_call.h"

namespace mbserve::server {

class TokenizeServiceImpl final : public v1::TokenizeService::CallbackService {
 public:
  explicit TokenizeServiceImpl(ServingContext& serving) : serving_(serving) {}

  grpc::ServerUnaryReactor* Tokenize(grpc::CallbackServerContext* context,
                                     const v1::TokenizeRequest* request,
                                     v1::TokenizeResponse* response) override;
  grpc::ServerUnaryReactor* Detokenize(grpc::CallbackServerContext* context,
                                       const v1::DetokenizeRequest* request,
                                       v1::DetokenizeResponse* response) override;

 private:
  ServingContext& serving_;
};

}  // namespace mbserve::server
