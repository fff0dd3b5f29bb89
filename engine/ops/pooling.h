#pragma once

#include "absl/status/status.h"
#include "engine/ops/backend.h"
#include "engine/ops/sequence_layout.h"
#include "engine/tensor.h"

namespace mbserve {

// out [n, H]: the first token (cls) or the mean over the tokens (mean) of
// each of the n sequences of hidden [T', H]. With mean pooling, mean_from
// (empty, or int32 [n] on the device, each >= 0) leaves the first
// mean_from[b] tokens of sequence b out of its mean; a sequence with no
// token left pools to zeros.
absl::Status Pool(Backend& backend, const Tensor& hidden, const SequenceLayout& layout, bool mean,
                  const Tensor& mean_from, const Tensor& out);

// Each row of x divided by its L2 norm (at least 1e-12, as torch's normalize).
absl::Status L2Normalize(Backend& backend, const Tensor& x);

}  // namespace mbserve
