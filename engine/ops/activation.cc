#include "engine/ops/activation.h"

#include <string>

#include "common/status_macros.h"
#include "engine/ops/checks.h"
#include "engine/ops/dispatch.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

// The kernels (see dispatch.h); GELU is the exact erf form.
namespace cpu {  // activation_cpu.cc
void GeGlu(const Tensor& in, const Tensor& out);
void Gelu(const Tensor& x);
void Tanh(const Tensor& x);
}  // namespace cpu
namespace cuda {  // activation_cuda.cu
// out[r, i] = GELU(in[r, i]) * in[r, width + i]; in [rows, 2 * width].
std::string LaunchGeGlu(DType dtype, const void* in, void* out, int64_t rows, int64_t width,
                        Stream stream);
// In place on `count` elements.
std::string LaunchGelu(DType dtype, void* x, int64_t count, Stream stream);
std::string LaunchTanh(DType dtype, void* x, int64_t count, Stream stream);
}  // namespace cuda

absl::Status GeGlu(Backend& backend, const Tensor& in, const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("GeGlu", backend, {&in, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("GeGlu", "out", out, in.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("GeGlu", "in", in, in.dtype(), {out.rows(), 2 * out.cols()}));
  return Dispatch(
      backend, "GeGlu", [&](CpuBackend&) { cpu::GeGlu(in, out); },
      [&](auto& gpu) {
        return cuda::LaunchGeGlu(in.dtype(), in.raw(), out.raw(), out.rows(), out.cols(),
                                 gpu.stream());
      });
}

absl::Status Gelu(Backend& backend, const Tensor& x) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("Gelu", backend, {&x}));
  return Dispatch(
      backend, "Gelu", [&](CpuBackend&) { cpu::Gelu(x); },
      [&](auto& gpu) { return cuda::LaunchGelu(x.dtype(), x.raw(), x.numel(), gpu.stream()); });
}

absl::Status Tanh(Backend& backend, const Tensor& x) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("Tanh", backend, {&x}));
  return Dispatch(
      backend, "Tanh", [&](CpuBackend&) { cpu::Tanh(x); },
      [&](auto& gpu) { return cuda::LaunchTanh(x.dtype(), x.raw(), x.numel(), gpu.stream()); });
}

}  // namespace mbserve
