// The per-ISA halves of the CPU GEMM; gemm.cc drives them. Each
// kernels_<isa>.cc is compiled with its ISA's flags, so this header declares
// plain functions over plain data and nothing an ISA-flagged file could emit
// a shared inline copy of.
//
// Every kernel computes each element of C the same way: one float32
// accumulator starting at zero, one fused multiply-add per k in increasing k
// order, then (when accumulating) old C + accumulator. Nothing in that chain
// depends on the row's position, the number of rows, the tile the row falls
// in or the ISA, so a row's result depends only on that row of A and on B.
// The bfloat16 kernels keep the same structure per row: VDPBF16PS adds one
// pair of k per step, AMX's TDPBF16PS a tile of 32 k per step, in increasing
// k order, and both define each element of C from its row of A and its
// column of B alone.
#pragma once

#include <cstdint>

namespace mbserve::cpu_gemm::kernels {

// Columns of B per packed panel (one AVX-512 register of float32).
inline constexpr int64_t kPanelWidth = 16;

struct GemmArgs {
  const float* a = nullptr;          // float32 A [m, k], row stride lda
  const uint16_t* a_bf16 = nullptr;  // bfloat16 A [m, k], row stride lda (bf16 kernel)
  int64_t lda = 0;
  const void* b = nullptr;  // packed B: panels of kPanelWidth columns
  int64_t k = 0;            // depth; for bfloat16 a multiple of kBFloat16Depth (zero padded)
  int64_t n = 0;            // columns of C that are written
  float* c = nullptr;       // C [m, n], row stride ldc
  int64_t ldc = 0;
  bool accumulate = false;  // C = C + A B^T instead of C = A B^T
};

// C rows [m0, m1) x panels [p0, p1), for each ISA.
void GemmBlockAvx2(const GemmArgs& args, int64_t m0, int64_t m1, int64_t p0, int64_t p1);
void GemmBlockAvx512(const GemmArgs& args, int64_t m0, int64_t m1, int64_t p0, int64_t p1);
void GemmBlockAvx512Bf16(const GemmArgs& args, int64_t m0, int64_t m1, int64_t p0, int64_t p1);
// A bfloat16 A for the AMX kernel holds zero rows up to a multiple of
// kAmxRows past m, so whole tiles can be loaded.
void GemmBlockAmxBf16(const GemmArgs& args, int64_t m0, int64_t m1, int64_t p0, int64_t p1);
// dst[i] = ToBFloat16(src[i]) (packed_matrix.h), bit for bit, 16 at a time:
// the bfloat16 kernels' A operand. Needs AVX-512, as both bfloat16 paths do.
void RoundToBFloat16Avx512(const float* src, int64_t n, uint16_t* dst);
// Loads the AMX kernel's tile layout on the calling thread (eight tiles of
// 16 rows x 64 bytes); GemmBlockAmxBf16 does so itself, benchmarks call it
// before using tiles on their own.
void ConfigureAmxTiles();

// Rows per tile of each kernel; gemm.cc cuts row chunks in multiples of all.
inline constexpr int64_t kAvx2Rows = 6;
inline constexpr int64_t kAvx512Rows = 12;
inline constexpr int64_t kAmxRows = 32;  // two tiles of 16 rows

// bfloat16 depth is padded with zeros to a multiple of this: the k of one
// AMX tile (64 bytes a row), which also keeps VDPBF16PS's pairs whole.
inline constexpr int64_t kBFloat16Depth = 32;

}  // namespace mbserve::cpu_gemm::kernels
