// Protobuf messages of the gRPC API to and from the server's own call types
// (call_request.h). Decoding only rejects what the internal form cannot
// hold (an unset oneof, an unknown enum value); every other check is the
// call's (call_plan.h).
#pragma once

#include "absl/status/statusor.h"
#include "mbserve/v1/classify.pb.h"
#include "mbserve/v1/embed.pb.h"
#include "server/call_request.h"

namespace mbserve::server {

absl::StatusOr<CallRequest> FromProto(const v1::EmbedRequest& request);
absl::StatusOr<CallRequest> FromProto(const v1::ClassifyRequest& request);

void ToProto(const CallResponse& response, v1::EmbedResponse* out);
void ToProto(const CallResponse& response, v1::ClassifyResponse* out);

}  // namespace mbserve::server
