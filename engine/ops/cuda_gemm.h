// The cuBLASLt state of one CUDA device, owned by its CudaBackend and used
// by the Linear op (defined in linear_cuda.cu). Plain C++: nvcc compiles the
// definition and must not see abseil.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/tensor.h"

namespace mbserve::cuda {

// A cuBLASLt handle, its workspace and the algorithm chosen per shape. The
// algorithm for a weight shape (N, K) is chosen once, for a large
// representative row count, and reused for every row count M, without
// split-K: a row's result then never depends on how many rows the batch has
// (batch invariance), which a per-M choice would break.
class Gemm {
 public:
  Gemm();
  ~Gemm();
  Gemm(const Gemm&) = delete;
  Gemm& operator=(const Gemm&) = delete;

  // Creates the handle and a workspace of `workspace_bytes` on the current device.
  std::string Init(size_t workspace_bytes);
  // out[M, N] = x[M, K] @ w[N, K]^T, plus out's old value when accumulate
  // (beta = 1: the residual add fused into the GEMM). fp32 accumulation.
  // "" on success, else the failed call (activations must be bf16 or f16).
  std::string Run(DType dtype, const void* x, const void* w, void* out, int64_t m, int64_t n,
                  int64_t k, bool accumulate, cudaStream_t stream);
  // How many distinct shapes have a cached plan (for tests).
  size_t cached_plans() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mbserve::cuda
