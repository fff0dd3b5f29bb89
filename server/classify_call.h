// One ClassifyRequest from validation to response: texts, text pairs or token
// ids through the classification head, then softmax / sigmoid and top-k.
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
void RunClassify(ServingContext& serving, std::string_view rpc,
                 std::shared_ptr<const CallState> call, const v1::ClassifyRequest& request,
                 v1::ClassifyResponse* response, std::function<void(absl::Status)> done);

}  // namespace mbserve::server
