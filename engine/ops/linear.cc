#include "engine/ops/linear.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/ops/checks.h"
#include "engine/ops/cpu_gemm/isa.h"
#include "engine/ops/dispatch.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

// The kernels (see dispatch.h). The CUDA GEMM is the backend's cuBLASLt
// handle (cuda_gemm.h).
namespace cpu {  // linear_cpu.cc
void Linear(cpu_gemm::CpuIsa isa, const Tensor& x, const LinearWeight& w, const Tensor& out,
            bool accumulate);
void AddBias(const Tensor& x, const Tensor& bias);
}  // namespace cpu
namespace cuda {  // linear_cuda.cu
std::string LaunchAddBias(DType dtype, void* x, const void* bias, int64_t rows, int64_t cols,
                          Stream stream);
}  // namespace cuda

absl::StatusOr<LinearWeight> LinearWeight::Prepare(const Tensor& dense, Buffer owner,
                                                   DType cpu_dtype) {
  MBSERVE_RETURN_IF_ERROR(CheckTensor("LinearWeight", "w", dense, dense.dtype(), {-1, -1}));
  LinearWeight weight;
  weight.device_ = dense.device();
  weight.out_features_ = dense.rows();
  weight.in_features_ = dense.cols();
  if (!dense.device().is_cpu()) {
    weight.owner_ = std::move(owner);
    weight.dense_ = dense;
    return weight;
  }
  if (dense.dtype() != DType::kF32) {
    return absl::InvalidArgumentError(absl::StrCat(
        "LinearWeight: CPU weights are packed from float32, got ", DTypeName(dense.dtype())));
  }
  cpu_gemm::GemmDType gemm_dtype = cpu_gemm::GemmDType::kFloat32;
  if (cpu_dtype == DType::kBF16) {
    if (!cpu_gemm::CpuHasBf16Gemm()) {
      return absl::FailedPreconditionError(
          "bfloat16 on the CPU needs AVX-512 with avx512_bf16 or AMX-BF16, which this CPU (or "
          "MBSERVE_CPU_ISA) does not allow; use float32");
    }
    gemm_dtype = cpu_gemm::GemmDType::kBFloat16;
  } else if (cpu_dtype != DType::kF32) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dtype ", DTypeName(cpu_dtype), " requested; the CPU computes in float32 or bfloat16"));
  }
  MBSERVE_ASSIGN_OR_RETURN(
      cpu_gemm::PackedMatrix packed,
      cpu_gemm::PackedMatrix::FromRows(dense.data<float>(), dense.rows(), dense.cols(),
                                       dense.cols(), gemm_dtype));
  weight.packed_ = std::make_shared<const cpu_gemm::PackedMatrix>(std::move(packed));
  return weight;
}

absl::Status Linear(Backend& backend, const Tensor& x, const LinearWeight& w, const Tensor& out,
                    bool accumulate) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("Linear", backend, {&x, &out}));
  if (!w.loaded() || !(w.device() == x.device())) {
    return absl::InvalidArgumentError(
        absl::StrCat("Linear: w is not loaded on ", x.device().ToString()));
  }
  MBSERVE_RETURN_IF_ERROR(CheckTensor("Linear", "x", x, x.dtype(), {-1, -1}));
  if (w.in_features() != x.cols()) {
    return absl::InvalidArgumentError(absl::StrCat("Linear: w has shape [", w.out_features(), ", ",
                                                   w.in_features(), "], expected [*, ", x.cols(),
                                                   "]"));
  }
  MBSERVE_RETURN_IF_ERROR(
      CheckTensor("Linear", "out", out, x.dtype(), {x.rows(), w.out_features()}));
  return Dispatch(
      backend, "Linear", [&](CpuBackend& cpu) { cpu::Linear(cpu.isa(), x, w, out, accumulate); },
      [&](auto& gpu) {
        return gpu.gemm().Run(x.dtype(), x.raw(), w.dense().raw(), out.raw(), x.rows(),
                              w.out_features(), x.cols(), accumulate, gpu.stream());
      });
}

absl::Status AddBias(Backend& backend, const Tensor& x, const Tensor& bias) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("AddBias", backend, {&x, &bias}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("AddBias", "x", x, x.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("AddBias", "bias", bias, x.dtype(), {x.cols()}));
  return Dispatch(
      backend, "AddBias", [&](CpuBackend&) { cpu::AddBias(x, bias); },
      [&](auto& gpu) {
        return cuda::LaunchAddBias(x.dtype(), x.raw(), bias.raw(), x.rows(), x.cols(),
                                   gpu.stream());
      });
}

}  // namespace mbserve
