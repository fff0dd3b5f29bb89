#include "engine/ops/linear.h"

#include "common/status_macros.h"
#include "engine/ops/backend.h"
#include "engine/ops/checks.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

absl::Status Linear(const Tensor& x, const Tensor& w, const Tensor& out, bool accumulate) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("Linear", {&x, &w, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("Linear", "x", x, x.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("Linear", "w", w, x.dtype(), {-1, x.cols()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("Linear", "out", out, x.dtype(), {x.rows(), w.rows()}));
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(x.device()));
  backend->Linear(x, w, out, accumulate);
  return absl::OkStatus();
}

absl::Status AddBias(const Tensor& x, const Tensor& bias) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("AddBias", {&x, &bias}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("AddBias", "x", x, x.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("AddBias", "bias", bias, x.dtype(), {x.cols()}));
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(x.device()));
  backend->AddBias(x, bias);
  return absl::OkStatus();
}

}  // namespace mbserve
