// Protobuf messages of the gRPC API to and from the server's own call types
// (call_request.h). Decoding only rejects what the internal form cannot
// hold (an unset oneof, an unknown enum value); every other check is the
// call's (call_plan.h).
#pragma once

#include "absl/status/statusor.h"
#include "mbserve/v1/classify.pb.h"
#include "mbserve/v1/embed.pb.h"
#include "mbserve/v1/tokenize.pb.h"
#include "server/call_request.h"
#include "server/rerank_call.h"

namespace mbserve::server {

absl::StatusOr<CallRequest> FromProto(const v1::EmbedRequest& request);
absl::StatusOr<CallRequest> FromProto(const v1::ClassifyRequest& request);
absl::StatusOr<RerankQuery> FromProto(const v1::RerankRequest& request);

// The `prompt` oneof of EmbedRequest and TokenizeRequest.
template <typename Request>
PromptChoice PromptOf(const Request& request) {
  switch (request.prompt_case()) {
    case Request::kPromptName:
      return PromptName{request.prompt_name()};
    case Request::kPromptText:
      return PromptText{request.prompt_text()};
    case Request::PROMPT_NOT_SET:
      break;
  }
  return {};
}

void ToProto(const CallResponse& response, v1::EmbedResponse* out);
void ToProto(const CallResponse& response, v1::ClassifyResponse* out);
// `ranked` is RankTexts(response); `request` gives the texts to return.
void ToProto(const std::vector<RankedText>& ranked, const CallResponse& response,
             const v1::RerankRequest& request, v1::RerankResponse* out);

}  // namespace mbserve::server
