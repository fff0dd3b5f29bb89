#include "engine/ops/pooling.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/ops/checks.h"
#include "engine/ops/dispatch.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

// The kernels (see dispatch.h), summing in float32.
namespace cpu {  // pooling_cpu.cc
void Pool(const Tensor& hidden, const SequenceLayout& layout, bool mean, const Tensor& mean_from,
          const Tensor& out);
void L2Normalize(const Tensor& x);
}  // namespace cpu
namespace cuda {  // pooling_cuda.cu
std::string LaunchPool(DType dtype, const void* hidden, const int32_t* cu_seqlens,
                       const int32_t* mean_from, int num_sequences, int64_t width, bool mean,
                       void* out, Stream stream);
std::string LaunchL2Normalize(DType dtype, void* x, int64_t rows, int64_t width, Stream stream);
}  // namespace cuda

absl::Status Pool(Backend& backend, const Tensor& hidden, const SequenceLayout& layout, bool mean,
                  const Tensor& mean_from, const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("Pool", backend, {&hidden, &layout.cu_seqlens, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("Pool", "hidden", hidden, hidden.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(
      CheckTensor("Pool", "out", out, hidden.dtype(), {layout.num_sequences(), hidden.cols()}));
  if (!mean_from.empty()) {
    MBSERVE_RETURN_IF_ERROR(CheckDevices("Pool", backend, {&mean_from}));
    MBSERVE_RETURN_IF_ERROR(
        CheckTensor("Pool", "mean_from", mean_from, DType::kI32, {layout.num_sequences()}));
  }
  if (layout.num_tokens() > hidden.rows()) {
    return absl::InvalidArgumentError(absl::StrCat("Pool: cu_seqlens covers ", layout.num_tokens(),
                                                   " tokens but hidden has ", hidden.rows(),
                                                   " rows"));
  }
  return Dispatch(
      backend, "Pool", [&](CpuBackend&) { cpu::Pool(hidden, layout, mean, mean_from, out); },
      [&](auto& gpu) {
        return cuda::LaunchPool(hidden.dtype(), hidden.raw(), layout.cu_seqlens.data<int32_t>(),
                                mean_from.empty() ? nullptr : mean_from.data<int32_t>(),
                                layout.num_sequences(), hidden.cols(), mean, out.raw(),
                                gpu.stream());
      });
}

absl::Status L2Normalize(Backend& backend, const Tensor& x) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("L2Normalize", backend, {&x}));
  return Dispatch(
      backend, "L2Normalize", [&](CpuBackend&) { cpu::L2Normalize(x); },
      [&](auto& gpu) {
        return cuda::LaunchL2Normalize(x.dtype(), x.raw(), x.rows(), x.cols(), gpu.stream());
      });
}

}  // namespace mbserve
