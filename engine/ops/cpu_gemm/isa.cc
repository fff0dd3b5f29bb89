#include "engine/ops/cpu_gemm/isa.h"

#include <cstdlib>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace mbserve::cpu_gemm {
namespace {

bool CpuHasAvx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

absl::StatusOr<CpuIsa> ResolveIsa() {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    return absl::FailedPreconditionError(
        "this CPU lacks AVX2 and FMA, which mbserve's CPU kernels need (x86-64-v3 or newer)");
  }
  const CpuIsa best = CpuHasAvx512() ? CpuIsa::kAvx512 : CpuIsa::kAvx2;
  const char* requested = std::getenv("MBSERVE_CPU_ISA");
  if (requested == nullptr || *requested == '\0') return best;
  const std::string_view name(requested);
  if (name == "avx2") return CpuIsa::kAvx2;
  if (name == "avx512") {
    if (best != CpuIsa::kAvx512) {
      return absl::FailedPreconditionError(
          "MBSERVE_CPU_ISA=avx512, but this CPU lacks AVX-512 (F, BW, DQ and VL)");
    }
    return CpuIsa::kAvx512;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("MBSERVE_CPU_ISA=", requested, " names no kernel set; use avx2 or avx512"));
}

}  // namespace

const char* CpuIsaName(CpuIsa isa) { return isa == CpuIsa::kAvx512 ? "avx512" : "avx2"; }

absl::StatusOr<CpuIsa> ProcessCpuIsa() {
  static const absl::StatusOr<CpuIsa> isa = ResolveIsa();
  return isa;
}

bool CpuHasBf16Gemm() {
  const absl::StatusOr<CpuIsa> isa = ProcessCpuIsa();
  return isa.ok() && *isa == CpuIsa::kAvx512 && __builtin_cpu_supports("avx512bf16");
}

}  // namespace mbserve::cpu_gemm
