#include "engine/ops/activation.h"

#include "common/status_macros.h"
#include "engine/ops/backend.h"
#include "engine/ops/checks.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

absl::Status GeGlu(const Tensor& in, const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("GeGlu", {&in, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("GeGlu", "out", out, in.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("GeGlu", "in", in, in.dtype(), {out.rows(), 2 * out.cols()}));
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(in.device()));
  backend->GeGlu(in, out);
  return absl::OkStatus();
}

absl::Status Gelu(const Tensor& x) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("Gelu", {&x}));
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(x.device()));
  backend->Gelu(x);
  return absl::OkStatus();
}

absl::Status Tanh(const Tensor& x) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("Tanh", {&x}));
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(x.device()));
  backend->Tanh(x);
  return absl::OkStatus();
}

}  // namespace mbserve
