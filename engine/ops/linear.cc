#include "engine/ops/linear.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/ops/backend.h"
#include "engine/ops/checks.h"
#include "engine/ops/cpu_gemm/isa.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

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
          "bfloat16 on the CPU needs AVX-512 with avx512_bf16, which this CPU (or "
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

absl::Status Linear(const Tensor& x, const LinearWeight& w, const Tensor& out, bool accumulate) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("Linear", {&x, &out}));
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
