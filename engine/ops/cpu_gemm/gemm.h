// The CPU GEMM: C [m, n] = A [m, k] B^T (+ C), B packed once (packed_matrix.h),
// on the project's own kernels for the process ISA (isa.h).
//
// Batch invariance by construction: each element of C is accumulated in one
// fixed order that depends on nothing but k (kernels.h), there is no split
// of k across threads and no special path for few rows, so a row's result is
// bitwise the same whatever rows surround it, however many threads run and
// whichever of the float32 kernels (AVX2 or AVX-512) computes it.
#pragma once

#include <cstdint>

#include "engine/ops/cpu_gemm/isa.h"
#include "engine/ops/cpu_gemm/packed_matrix.h"

namespace mbserve::cpu_gemm {

struct GemmOperands {
  const float* a = nullptr;  // [m, b.k()], row stride lda
  int64_t lda = 0;
  int64_t m = 0;
  float* c = nullptr;  // [m, b.n()], row stride ldc
  int64_t ldc = 0;
  bool accumulate = false;
};

// Splits the work over the calling thread's OpenMP team when `parallel`;
// otherwise runs on the calling thread (inside a parallel region).
// A bfloat16 B needs CpuHasBf16Gemm(); A is then rounded to bfloat16 first.
void Gemm(CpuIsa isa, const GemmOperands& operands, const PackedMatrix& b, bool parallel);

}  // namespace mbserve::cpu_gemm
