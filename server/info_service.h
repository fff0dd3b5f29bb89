// mbserve.v1.InfoService: GetInfo, answered inline from the resolved model
// description and flags.
#pragma once

#include "mbserve/v1/info.grpc.pb.h"
#include "server/serving_context.h"

namespace mbserve::server {

// The version reported by GetInfo, metrics and logs.
inline constexpr char kServerVersion[] = "0.1.0";

// What GetInfo (and the HTTP /info) answers: the model and the limits.
v1::GetInfoResponse DescribeServer(const ServingContext& serving);

// A raw method: mbserve parses the request (raw_message.h).
class InfoServiceImpl final
    : public v1::InfoService::WithRawCallbackMethod_GetInfo<v1::InfoService::Service> {
 public:
  explicit InfoServiceImpl(ServingContext& serving)
      : serving_(serving), info_(DescribeServer(serving)) {}

  grpc::ServerUnaryReactor* GetInfo(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;

 private:
  ServingContext& serving_;
  v1::GetInfoResponse info_;
};

}  // namespace mbserve::server
