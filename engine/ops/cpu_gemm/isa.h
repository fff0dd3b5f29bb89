// Which of the project's CPU kernel sets this process runs.
//
// The GEMM kernels come in one build per x86-64 vector ISA. The widest the CPU
// supports is used unless MBSERVE_CPU_ISA names a narrower one (avx2, avx512
// or amx), the way ONEDNN_MAX_CPU_ISA caps oneDNN: tests use it to run every
// kernel path a machine can execute, operators to pin one.
//
// The levels nest: amx runs the avx512 float32 kernels and adds AMX tiles
// for bfloat16; avx512 runs bfloat16 on VDPBF16PS where the CPU has
// avx512_bf16.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "engine/ops/cpu_gemm/packed_matrix.h"

namespace mbserve::cpu_gemm {

enum class CpuIsa { kAvx2, kAvx512, kAmx };

const char* CpuIsaName(CpuIsa isa);

// The ISA of this process, resolved once from the CPU and MBSERVE_CPU_ISA;
// an error when the CPU lacks AVX2+FMA or MBSERVE_CPU_ISA asks for more
// than the CPU (or the kernel, for AMX) allows or names no ISA.
absl::StatusOr<CpuIsa> ProcessCpuIsa();

// Whether bfloat16 GEMMs can run: the process ISA is AVX-512 or AMX and the
// CPU has avx512_bf16, so the VDPBF16PS kernels run too (AMX implies it).
bool CpuHasBf16Gemm();

// The instruction set that computes GEMMs of `dtype` when the process ISA
// is `isa`, e.g. "avx512" for float32 on an AMX process, "amx" for bfloat16.
const char* GemmIsaName(CpuIsa isa, GemmDType dtype);

}  // namespace mbserve::cpu_gemm
