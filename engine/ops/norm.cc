#include "engine/ops/norm.h"

#include <string>

#include "common/status_macros.h"
#include "engine/ops/checks.h"
#include "engine/ops/dispatch.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

// The kernels (see dispatch.h). LayerNorm with biased variance; beta may be
// empty (null for the launcher).
namespace cpu {  // norm_cpu.cc
void LayerNorm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps,
               const Tensor& out);
void EmbeddingLayerNorm(const Tensor& ids, const Tensor& table, const Tensor& gamma, float eps,
                        const Tensor& out);
}  // namespace cpu
namespace cuda {  // norm_cuda.cu
std::string LaunchLayerNorm(DType dtype, const void* x, const void* gamma, const void* beta,
                            float eps, int64_t rows, int64_t hidden, void* out, Stream stream);
std::string LaunchEmbeddingLayerNorm(DType dtype, const int32_t* ids, const void* table,
                                     const void* gamma, float eps, int64_t rows, int64_t hidden,
                                     void* out, Stream stream);
}  // namespace cuda

namespace {

// Both LayerNorms once their arguments are checked.
absl::Status RunLayerNorm(Backend& backend, const Tensor& x, const Tensor& gamma,
                          const Tensor& beta, float eps, const Tensor& out) {
  return Dispatch(
      backend, "LayerNorm", [&](CpuBackend&) { cpu::LayerNorm(x, gamma, beta, eps, out); },
      [&](auto& gpu) {
        return cuda::LaunchLayerNorm(x.dtype(), x.raw(), gamma.raw(),
                                     beta.empty() ? nullptr : beta.raw(), eps, x.rows(), x.cols(),
                                     out.raw(), gpu.stream());
      });
}

}  // namespace

absl::Status LayerNorm(Backend& backend, const Tensor& x, const Tensor& gamma, float eps,
                       const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("LayerNorm", backend, {&x, &gamma, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "x", x, x.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "gamma", gamma, x.dtype(), {x.cols()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "out", out, x.dtype(), {x.rows(), x.cols()}));
  return RunLayerNorm(backend, x, gamma, Tensor(), eps, out);
}

absl::Status LayerNorm(Backend& backend, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                       float eps, const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("LayerNorm", backend, {&x, &gamma, &beta, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "x", x, x.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "gamma", gamma, x.dtype(), {x.cols()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "beta", beta, x.dtype(), {x.cols()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "out", out, x.dtype(), {x.rows(), x.cols()}));
  return RunLayerNorm(backend, x, gamma, beta, eps, out);
}

absl::Status EmbeddingLayerNorm(Backend& backend, const Tensor& ids, const Tensor& table,
                                const Tensor& gamma, float eps, const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(
      CheckDevices("EmbeddingLayerNorm", backend, {&ids, &table, &gamma, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("EmbeddingLayerNorm", "ids", ids, DType::kI32, {-1}));
  MBSERVE_RETURN_IF_ERROR(
      CheckTensor("EmbeddingLayerNorm", "table", table, table.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(
      CheckTensor("EmbeddingLayerNorm", "gamma", gamma, table.dtype(), {table.cols()}));
  MBSERVE_RETURN_IF_ERROR(
      CheckTensor("EmbeddingLayerNorm", "out", out, table.dtype(), {ids.numel(), table.cols()}));
  return Dispatch(
      backend, "EmbeddingLayerNorm",
      [&](CpuBackend&) { cpu::EmbeddingLayerNorm(ids, table, gamma, eps, out); },
      [&](auto& gpu) {
        return cuda::LaunchEmbeddingLayerNorm(table.dtype(), ids.data<int32_t>(), table.raw(),
                                              gamma.raw(), eps, out.rows(), out.cols(), out.raw(),
                                              gpu.stream());
      });
}

}  // namespace mbserve
