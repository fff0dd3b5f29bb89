#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "engine/memory.h"
#include "engine/ops/backend.h"
#include "engine/ops/cpu_gemm/packed_matrix.h"
#include "engine/tensor.h"

namespace mbserve {

// A Linear layer's weight w [N, K] in the form its device's GEMM reads,
// prepared once at load. The CPU packs it into panels for the project's own
// kernels (ops/cpu_gemm/), in float32 or bfloat16, and drops the dense copy;
// CUDA keeps the dense matrix, which cuBLASLt reads.
class LinearWeight {
 public:
  LinearWeight() = default;
  // `dense` is [N, K] on its device in the activation dtype; `owner` holds
  // its memory (may be empty when someone else keeps it alive, as for a
  // decoder tied to the embedding table). `cpu_dtype` is the CPU GEMM's
  // operand type (kF32 or kBF16); other devices ignore it.
  static absl::StatusOr<LinearWeight> Prepare(const Tensor& dense, Buffer owner, DType cpu_dtype);

  bool loaded() const { return out_features_ > 0; }
  Device device() const { return device_; }
  int64_t out_features() const { return out_features_; }
  int64_t in_features() const { return in_features_; }
  // The dense matrix (devices other than the CPU).
  const Tensor& dense() const { return dense_; }
  // The packed matrix (the CPU).
  const cpu_gemm::PackedMatrix& packed() const { return *packed_; }

 private:
  Device device_;
  int64_t out_features_ = 0, in_features_ = 0;
  Buffer owner_;
  Tensor dense_;
  std::shared_ptr<const cpu_gemm::PackedMatrix> packed_;
};

// out [T, N] = x [T, K] @ w [N, K]^T, plus out's old value when accumulate
// (the residual connection, fused into the GEMM).
absl::Status Linear(Backend& backend, const Tensor& x, const LinearWeight& w, const Tensor& out,
                    bool accumulate = false);

// x [T, N] += bias [N] on every row.
absl::Status AddBias(Backend& backend, const Tensor& x, const Tensor& bias);

}  // namespace mbserve
