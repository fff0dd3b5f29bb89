#include "engine/ops/norm.h"

#include "common/status_macros.h"
#include "engine/ops/backend.h"
#include "engine/ops/checks.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

absl::Status LayerNorm(const Tensor& x, const Tensor& gamma, float eps, const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("LayerNorm", {&x, &gamma, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "x", x, x.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "gamma", gamma, x.dtype(), {x.cols()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "out", out, x.dtype(), {x.rows(), x.cols()}));
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(x.device()));
  backend->LayerNorm(x, gamma, Tensor(), eps, out);
  return absl::OkStatus();
}

absl::Status LayerNorm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps,
                       const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("LayerNorm", {&x, &gamma, &beta, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "x", x, x.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "gamma", gamma, x.dtype(), {x.cols()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "beta", beta, x.dtype(), {x.cols()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LayerNorm", "out", out, x.dtype(), {x.rows(), x.cols()}));
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(x.device()));
  backend->LayerNorm(x, gamma, beta, eps, out);
  return absl::OkStatus();
}

absl::Status EmbeddingLayerNorm(const Tensor& ids, const Tensor& table, const Tensor& gamma,
                                float eps, const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("EmbeddingLayerNorm", {&ids, &table, &gamma, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("EmbeddingLayerNorm", "ids", ids, DType::kI32, {-1}));
  MBSERVE_RETURN_IF_ERROR(
      CheckTensor("EmbeddingLayerNorm", "table", table, table.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(
      CheckTensor("EmbeddingLayerNorm", "gamma", gamma, table.dtype(), {table.cols()}));
  MBSERVE_RETURN_IF_ERROR(
      CheckTensor("EmbeddingLayerNorm", "out", out, table.dtype(), {ids.numel(), table.cols()}));
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(ids.device()));
  backend->EmbeddingLayerNorm(ids, table, gamma, eps, out);
  return absl::OkStatus();
}

}  // namespace mbserve
