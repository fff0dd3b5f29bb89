#include "engine/ops/attention.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/ops/checks.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

absl::Status Attention(const Tensor& qkv, const SequenceLayout& layout, int num_heads,
                       int half_window, const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("Attention", {&qkv, &layout.cu_seqlens, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("Attention", "cu_seqlens", layout.cu_seqlens, DType::kI32,
                                      {static_cast<int64_t>(layout.host_cu_seqlens.size())}));
  if (num_heads <= 0 || qkv.cols() % (3 * num_heads) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("Attention: qkv has ", qkv.cols(),
                                                   " columns, not a multiple of 3 * ", num_heads,
                                                   " heads"));
  }
  MBSERVE_RETURN_IF_ERROR(CheckTensor("Attention", "qkv", qkv, qkv.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(
      CheckTensor("Attention", "out", out, qkv.dtype(), {qkv.rows(), qkv.cols() / 3}));
  if (layout.num_sequences() < 0 || layout.num_tokens() > qkv.rows()) {
    return absl::InvalidArgumentError(absl::StrCat("Attention: cu_seqlens covers ",
                                                   layout.num_tokens(), " tokens but qkv has ",
                                                   qkv.rows(), " rows"));
  }
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(qkv.device()));
  backend->Attention(qkv, layout, num_heads, half_window, out);
  return absl::OkStatus();
}

}  // namespace mbserve
