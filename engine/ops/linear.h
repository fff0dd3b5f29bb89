#pragma once

#include "absl/status/status.h"
#include "engine/tensor.h"

namespace mbserve {

// out [T, N] = x [T, K] @ w [N, K]^T, plus out's old value when accumulate
// (the residual connection, fused into the GEMM).
absl::Status Linear(const Tensor& x, const Tensor& w, const Tensor& out, bool accumulate = false);

// x [T, N] += bias [N] on every row.
absl::Status AddBias(const Tensor& x, const Tensor& bias);

}  // namespace mbserve
