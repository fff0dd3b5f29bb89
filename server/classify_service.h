// mbserve.v1.ClassifyService: Classify and Rerank.
#pragma once

#include "mbserve/v1/classify.grpc.pb.h"
#include "server/serving_context.h"

namespace mbserve::server {

// Raw methods: mbserve parses the requests (raw_message.h).
class ClassifyServiceImpl final
    : public v1::ClassifyService::WithRawCallbackMethod_Classify<
          v1::ClassifyService::WithRawCallbackMethod_Rerank<v1::ClassifyService::Service>> {
 public:
  explicit ClassifyServiceImpl(ServingContext& serving) : serving_(serving) {}

  grpc::ServerUnaryReactor* Classify(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Rerank(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;

 private:
  ServingContext& serving_;
};

}  // namespace mbserve::server
