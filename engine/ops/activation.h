#pragma once

#include "absl/status/status.h"
#include "engine/tensor.h"

namespace mbserve {

// out [T, I] = GELU(in[:, :I]) * in[:, I:] for in [T, 2I]; GELU is the exact
// erf form.
absl::Status GeGlu(const Tensor& in, const Tensor& out);

// x = GELU(x) in place, exact erf form.
absl::Status Gelu(const Tensor& x);

// x = tanh(x) in place (BERT's pooler).
absl::Status Tanh(const Tensor& x);

}  // namespace mbserve
