#pragma once

#include "absl/status/status.h"
#include "engine/ops/backend.h"
#include "engine/tensor.h"

namespace mbserve {

// out [T, I] = GELU(in[:, :I]) * in[:, I:] for in [T, 2I]; GELU is the exact
// erf form.
absl::Status GeGlu(Backend& backend, const Tensor& in, const Tensor& out);

// x = GELU(x) in place, exact erf form.
absl::Status Gelu(Backend& backend, const Tensor& x);

// x = tanh(x) in place (BERT's pooler).
absl::Status Tanh(Backend& backend, const Tensor& x);

}  // namespace mbserve
