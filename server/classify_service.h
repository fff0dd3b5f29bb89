// mbserve.v1.ClassifyService: Classify and Rerank.
#pragma once

#include "mbserve/v1/classify.grpc.pb.h"
#include "server/serving_context.h"

namespace mbserve::server {

class ClassifyServiceImpl final : public v1::ClassifyService::CallbackService {
 public:
  explicit ClassifyServiceImpl(ServingContext& serving) : serving_(serving) {}

  grpc::ServerUnaryReactor* Classify(grpc::CallbackServerContext* context,
                                     const v1::ClassifyRequest* request,
                                     v1::ClassifyResponse* response) override;
  grpc::ServerUnaryReactor* Rerank(grpc::CallbackServerContext* context,
                                   const v1::RerankRequest* request,
                                   v1::RerankResponse* response) override;

 private:
  ServingContext& serving_;
};

}  // namespace mbserve::server
