// Dispatch: the one place an op picks its device's kernel.
//
// Each op lives in three places: ops/<op>.{h,cc} (the checks and this
// dispatch), ops/<op>_cpu.cc (the CPU kernel, a plain function in namespace
// cpu) and ops/<op>_cuda.cu (the CUDA kernel and its launcher, in namespace
// cuda). The op's .cc declares both kernels next to the call: the launcher
// is compiled by nvcc, which must not see abseil, so no header shared with
// the op could hold it; a declaration that drifts from its definition fails
// the link of the build that compiles it.
//
// The CPU kernels cannot fail once the checks passed. A CUDA launcher
// returns "" or the reason its launch failed (cudaGetLastError after the
// launch, an unsupported dtype); Dispatch turns that into the op's own
// status, so a failed launch is an error of that op, not of a later copy.
// The CUDA callable is generic (`[&](auto& gpu)`), so a build without CUDA
// never instantiates it and needs no launcher.
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/ops/backend_cpu.h"
#include "engine/ops/cuda_stream.h"

#if MBSERVE_WITH_CUDA
#include "engine/ops/backend_cuda.h"
#endif

namespace mbserve {

// Runs on_cpu(CpuBackend&) or on_cuda(CudaBackend&) for the backend's
// device; on_cuda returns the launcher's "" or error message.
template <typename OnCpu, typename OnCuda>
absl::Status Dispatch(Backend& backend, absl::string_view op, OnCpu&& on_cpu,
                      [[maybe_unused]] OnCuda&& on_cuda) {
  if (backend.device().is_cpu()) {
    std::forward<OnCpu>(on_cpu)(static_cast<CpuBackend&>(backend));
    return absl::OkStatus();
  }
#if MBSERVE_WITH_CUDA
  if (backend.device().is_cuda()) {
    auto& gpu = static_cast<CudaBackend&>(backend);
    if (absl::Status current = gpu.UseDevice(); !current.ok()) return current;
    return gpu.LaunchStatus(op, std::forward<OnCuda>(on_cuda)(gpu));
  }
#endif
  return absl::InternalError(
      absl::StrCat(op, ": no kernel for device ", backend.device().ToString()));
}

}  // namespace mbserve
