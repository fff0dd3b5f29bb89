#include "engine/ops/attention.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/ops/attention_cuda.h"
#include "engine/ops/checks.h"
#include "engine/ops/dispatch.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

// The kernels (see dispatch.h). The CUDA launcher is declared in
// attention_cuda.h: its two kernels share their arguments, and the tests
// launch each.
namespace cpu {  // attention_cpu.cc
void Attention(cpu_gemm::CpuIsa isa, const Tensor& qkv, const SequenceLayout& layout, int num_heads,
               int half_window, const Tensor& out);
}  // namespace cpu

absl::Status Attention(Backend& backend, const Tensor& qkv, const SequenceLayout& layout,
                       int num_heads, int half_window, const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("Attention", backend, {&qkv, &layout.cu_seqlens, &out}));
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
  return Dispatch(
      backend, "Attention",
      [&](CpuBackend& cpu) { cpu::Attention(cpu.isa(), qkv, layout, num_heads, half_window, out); },
      [&](auto& gpu) {
        cuda::AttentionArgs args;
        args.dtype = qkv.dtype();
        args.qkv = qkv.raw();
        args.cu_seqlens = layout.cu_seqlens.data<int32_t>();
        args.num_sequences = layout.num_sequences();
        args.num_tokens = layout.num_tokens();
        args.max_seqlen = layout.max_seqlen;
        args.num_heads = num_heads;
        args.head_dim = static_cast<int>(qkv.cols() / 3 / num_heads);
        args.half_window = half_window;
        args.out = out.raw();
        return cuda::LaunchAttention(args, gpu.stream());
      });
}

}  // namespace mbserve
