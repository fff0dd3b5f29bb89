// Which of the project's CPU kernel sets this process runs.
//
// The GEMM kernels come in one build per x86-64 vector ISA. The widest the CPU
// supports is used unless MBSERVE_CPU_ISA names a narrower one (avx2 or
// avx512), the way ONEDNN_MAX_CPU_ISA caps oneDNN: tests use it to run every
// kernel path a machine can execute, operators to pin one.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace mbserve::cpu_gemm {

enum class CpuIsa { kAvx2, kAvx512 };

const char* CpuIsaName(CpuIsa isa);

// The ISA of this process, resolved once from the CPU and MBSERVE_CPU_ISA;
// an error when the CPU lacks AVX2+FMA or MBSERVE_CPU_ISA asks for more
// than the CPU has or names no ISA.
absl::StatusOr<CpuIsa> ProcessCpuIsa();

// Whether bfloat16 GEMMs can run: AVX-512 with avx512_bf16 (VDPBF16PS), and
// the process ISA is AVX-512.
bool CpuHasBf16Gemm();

}  // namespace mbserve::cpu_gemm
