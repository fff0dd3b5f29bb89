#include "engine/ops/pooling.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/ops/checks.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

absl::Status Pool(const Tensor& hidden, const SequenceLayout& layout, bool mean,
                  const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("Pool", {&hidden, &layout.cu_seqlens, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("Pool", "hidden", hidden, hidden.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(
      CheckTensor("Pool", "out", out, hidden.dtype(), {layout.num_sequences(), hidden.cols()}));
  if (layout.num_tokens() > hidden.rows()) {
    return absl::InvalidArgumentError(absl::StrCat("Pool: cu_seqlens covers ", layout.num_tokens(),
                                                   " tokens but hidden has ", hidden.rows(),
                                                   " rows"));
  }
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(hidden.device()));
  backend->Pool(hidden, layout, mean, out);
  return absl::OkStatus();
}

absl::Status L2Normalize(const Tensor& x) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("L2Normalize", {&x}));
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(x.device()));
  backend->L2Normalize(x);
  return absl::OkStatus();
}

}  // namespace mbserve
