// One EmbedRequest from validation to response, shared by Embed and each
// message of EmbedStream. Cheap checks run on the caller's thread,
// tokenization on the pool, post-processing on the batcher's thread.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "mbserve/v1/embed.pb.h"
#include "server/call_state.h"
#include "server/serving_context.h"

namespace mbserve::server {

// `request` and `response` must outlive the call to `done`, which happens
// exactly once; `response` is complete when done gets OK.
void RunEmbed(ServingContext& serving, std::string_view rpc,
              std::shared_ptr<const CallState> call, const v1::EmbedRequest& request,
              v1::EmbedResponse* response, std::function<void(absl::Status)> done);

}  // namespace mbserve::server
