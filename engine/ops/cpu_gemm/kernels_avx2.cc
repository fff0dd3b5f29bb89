// float32 GEMM tiles for AVX2 + FMA: 6 rows x 16 columns (one panel as two
// 8-float halves), 12 accumulators in registers. See kernels.h for the
// accumulation order, which matches the AVX-512 kernel's element by element.
#include <immintrin.h>

#include "engine/ops/cpu_gemm/kernels.h"

namespace mbserve::cpu_gemm::kernels {
namespace {

constexpr int64_t kHalf = kPanelWidth / 2;

// Lanes [0, columns) enabled, for maskload/maskstore.
__m256i HalfMask(int64_t columns) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(columns)), lane);
}

// Writes (or adds) the first `columns` (if positive) of 8 values at c.
inline void StoreHalf(const GemmArgs& g, float* c, int64_t columns, __m256 value) {
  if (columns >= kHalf) {
    if (g.accumulate) value = _mm256_add_ps(_mm256_loadu_ps(c), value);
    _mm256_storeu_ps(c, value);
  } else if (columns > 0) {
    const __m256i mask = HalfMask(columns);
    if (g.accumulate) value = _mm256_add_ps(_mm256_maskload_ps(c, mask), value);
    _mm256_maskstore_ps(c, mask, value);
  }
}

template <int kRows>
void Tile(const GemmArgs& g, int64_t row, int64_t panel) {
  __m256 acc[kRows][2];
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  const float* b = static_cast<const float*>(g.b) + panel * g.k * kPanelWidth;
  const float* a = g.a + row * g.lda;
  for (int64_t k = 0; k < g.k; ++k) {
    const __m256 b0 = _mm256_load_ps(b + k * kPanelWidth);
    const __m256 b1 = _mm256_load_ps(b + k * kPanelWidth + kHalf);
#pragma GCC unroll 6
    for (int r = 0; r < kRows; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + r * g.lda + k);
      acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
    }
  }
  const int64_t column = panel * kPanelWidth;
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) {
    float* c = g.c + (row + r) * g.ldc + column;
    StoreHalf(g, c, g.n - column, acc[r][0]);
    StoreHalf(g, c + kHalf, g.n - column - kHalf, acc[r][1]);
  }
}

void TileOfRows(int64_t rows, const GemmArgs& g, int64_t row, int64_t panel) {
  switch (rows) {
    case 1:
      return Tile<1>(g, row, panel);
    case 2:
      return Tile<2>(g, row, panel);
    case 3:
      return Tile<3>(g, row, panel);
    case 4:
      return Tile<4>(g, row, panel);
    case 5:
      return Tile<5>(g, row, panel);
    default:
      return Tile<6>(g, row, panel);
  }
}

}  // namespace

void GemmBlockAvx2(const GemmArgs& g, int64_t m0, int64_t m1, int64_t p0, int64_t p1) {
  for (int64_t row = m0; row < m1; row += kAvx2Rows) {
    const int64_t rows = m1 - row < kAvx2Rows ? m1 - row : kAvx2Rows;
    for (int64_t panel = p0; panel < p1; ++panel) TileOfRows(rows, g, row, panel);
  }
}

}  // namespace mbserve::cpu_gemm::kernels
