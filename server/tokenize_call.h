// The work of Tokenize and Detokenize, shared by the gRPC service and the
// HTTP /tokenize and /decode.
#pragma once

#include "absl/status/status.h"
#include "mbserve/v1/tokenize.pb.h"
#include "server/served_model.h"
#include "tokenizer/tokenizer.h"

namespace mbserve::server {

// Errors name the input ("texts[2]", "ids[5]"); a response that would pass
// max_message_bytes is refused (RESOURCE_EXHAUSTED) before it is built whole.
// The request's prompt is resolved and checked as Embed's is (call_plan.h,
// input_prep.h), then prepended to every text, so the tokens are those Embed
// runs.
absl::Status TokenizeAll(const Tokenizer& tokenizer, const ServedModel& model,
                         const v1::TokenizeRequest& request, int max_message_bytes,
                         v1::TokenizeResponse* response);
absl::Status DetokenizeIds(const Tokenizer& tokenizer, const v1::DetokenizeRequest& request,
                           int max_message_bytes, v1::DetokenizeResponse* response);

}  // namespace mbserve::server
