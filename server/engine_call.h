// The part of Embed and Classify between tokenization and post-processing:
// one call's inputs go to the batcher as one group, and come back in order
// with the call's timing and usage, which are also recorded in the metrics.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/engine.h"
#include "mbserve/v1/common.pb.h"
#include "server/call_state.h"
#include "server/input_prep.h"
#include "server/serving_context.h"

namespace mbserve::server {

struct EngineResult {
  std::vector<std::vector<float>> outputs;  // by input
  std::vector<int> lengths;                 // tokens of each input
  std::vector<bool> truncated;              // whether each input was cut
  v1::Timing timing;
  v1::Usage usage;
};

using EngineDone = std::function<void(absl::StatusOr<EngineResult>)>;

// `done` runs once, on the batcher's thread (or the caller's, when the server
// is stopping).
void SubmitToEngine(ServingContext& serving, std::string_view rpc,
                    std::shared_ptr<const CallState> call, std::vector<PreparedInput> inputs,
                    const SequenceTask& task, EngineDone done);

}  // namespace mbserve::server
