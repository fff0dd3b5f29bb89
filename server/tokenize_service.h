// mbserve.v1.TokenizeService: Tokenize and Detokenize, on the tokenization
// pool (never on gRPC's threads).
#pragma once

#include "mbserve/v1/tokenize.grpc.pb.h"
#include "server/serving_context.h"

namespace mbserve::server {

// The work of each RPC, also run by the HTTP /tokenize and /decode. Errors
// name the input ("texts[2]", "ids[5]"); a response that would pass
// max_message_bytes is refused (RESOURCE_EXHAUSTED) before it is built whole.
// The request's prompt is resolved and checked as Embed's is (call_plan.h,
// input_prep.h), then prepended to every text.
absl::Status TokenizeAll(const ServingContext& serving, const v1::TokenizeRequest& request,
                         v1::TokenizeResponse* response);
absl::Status DetokenizeIds(const Tokenizer& tokenizer, const v1::DetokenizeRequest& request,
                           int max_message_bytes, v1::DetokenizeResponse* response);

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
