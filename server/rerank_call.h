// One RerankRequest: the (query, text) pairs go through Classify's path, then
// the texts are ranked by the score of the head's last class.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "mbserve/v1/classify.pb.h"
#include "server/call_state.h"
#include "server/serving_context.h"

namespace mbserve::server {

// Same contract as RunEmbed.
void RunRerank(ServingContext& serving, std::string_view rpc, std::shared_ptr<const CallState> call,
               const v1::RerankRequest& request, v1::RerankResponse* response,
               std::function<void(absl::Status)> done);

}  // namespace mbserve::server
