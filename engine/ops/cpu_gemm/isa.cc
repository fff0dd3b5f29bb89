#include "engine/ops/cpu_gemm/isa.h"

#include <asm/prctl.h>
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace mbserve::cpu_gemm {
namespace {

bool CpuHasAvx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

// Linux hands the 8 KiB of AMX tile state to a process only on request
// (arch_prctl ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA, state component 18
// of XSAVE); without it the first tile instruction raises SIGILL. The grant
// covers every thread of the process, so asking once at resolution is enough.
bool KernelGrantsAmx() {
  constexpr unsigned long kXFeatureXTileData = 18;
  return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, kXFeatureXTileData) == 0;
}

// CPUID leaf 7 read directly: not every compiler the project builds with
// knows AMX's names for __builtin_cpu_supports.
bool CpuidHasAmxBf16() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  constexpr unsigned kAmxBf16 = 1u << 22, kAmxTile = 1u << 24;
  return (edx & kAmxBf16) != 0 && (edx & kAmxTile) != 0;
}

// AMX on top of AVX-512 (WidestIsa checks that): the AMX level keeps the
// AVX-512 kernels, and rounds A to bfloat16 with them.
bool CpuHasAmxBf16() {
  return __builtin_cpu_supports("avx512bf16") && CpuidHasAmxBf16() && KernelGrantsAmx();
}

CpuIsa WidestIsa() {
  if (!CpuHasAvx512()) return CpuIsa::kAvx2;
  return CpuHasAmxBf16() ? CpuIsa::kAmx : CpuIsa::kAvx512;
}

absl::StatusOr<CpuIsa> ResolveIsa() {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    return absl::FailedPreconditionError(
        "this CPU lacks AVX2 and FMA, which mbserve's CPU kernels need (x86-64-v3 or newer)");
  }
  const CpuIsa best = WidestIsa();
  const char* requested = std::getenv("MBSERVE_CPU_ISA");
  if (requested == nullptr || *requested == '\0') return best;
  const std::string_view name(requested);
  if (name == "avx2") return CpuIsa::kAvx2;
  if (name == "avx512") {
    if (best == CpuIsa::kAvx2) {
      return absl::FailedPreconditionError(
          "MBSERVE_CPU_ISA=avx512, but this CPU lacks AVX-512 (F, BW, DQ and VL)");
    }
    return CpuIsa::kAvx512;
  }
  if (name == "amx") {
    if (best != CpuIsa::kAmx) {
      return absl::FailedPreconditionError(
          "MBSERVE_CPU_ISA=amx, but this CPU lacks AMX-BF16 with AVX-512 and avx512_bf16, or "
          "the Linux kernel refuses AMX tile state (needs Linux 5.16 or newer)");
    }
    return CpuIsa::kAmx;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("MBSERVE_CPU_ISA=", requested, " names no kernel set; use avx2, avx512 or amx"));
}

}  // namespace

const char* CpuIsaName(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::kAvx2:
      return "avx2";
    case CpuIsa::kAvx512:
      return "avx512";
    case CpuIsa::kAmx:
      return "amx";
  }
  return "unknown";
}

absl::StatusOr<CpuIsa> ProcessCpuIsa() {
  static const absl::StatusOr<CpuIsa> isa = ResolveIsa();
  return isa;
}

bool CpuHasBf16Gemm() {
  const absl::StatusOr<CpuIsa> isa = ProcessCpuIsa();
  // The AMX level implies avx512_bf16 (CpuHasAmxBf16), so either level
  // also runs the VDPBF16PS kernels.
  return isa.ok() && *isa != CpuIsa::kAvx2 && __builtin_cpu_supports("avx512bf16");
}

const char* GemmIsaName(CpuIsa isa, GemmDType dtype) {
  if (isa == CpuIsa::kAmx && dtype == GemmDType::kFloat32) return CpuIsaName(CpuIsa::kAvx512);
  return CpuIsaName(isa);
}

}  // namespace mbserve::cpu_gemm
