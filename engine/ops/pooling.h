#pragma once

#include "absl/status/status.h"
#include "engine/ops/backend.h"
#include "engine/tensor.h"

namespace mbserve {

// out [n, H]: the first token (cls) or the mean over the tokens (mean) of
// each of the n sequences of hidden [T', H].
absl::Status Pool(Backend& backend, const Tensor& hidden, const SequenceLayout& layout, bool mean,
                  const Tensor& out);

// Each row of x divided by its L2 norm (at least 1e-12, as torch's normalize).
absl::Status L2Normalize(Backend& backend, const Tensor& x);

}  // namespace mbserve
