// The warm-up batch run before health says SERVING: it pays for first-touch
// allocations and kernel selection so that the first client does not.
#pragma once

#include "absl/status/status.h"
#include "server/batcher.h"
#include "server/served_model.h"
#include "tokenizer/tokenizer.h"

namespace mbserve::server {

// Blocks until the batch has run. `tokens` is capped by the maximum input
// length; a classifier also runs its head.
absl::Status RunWarmUp(Batcher& batcher, const Tokenizer& tokenizer, const ServedModel& model,
                       int tokens);

}  // namespace mbserve::server
