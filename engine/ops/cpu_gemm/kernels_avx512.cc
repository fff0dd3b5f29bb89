// float32 GEMM tiles for AVX-512: 12 rows x 32 columns (two panels), 24
// accumulators in registers. See kernels.h for the accumulation order.
#include <immintrin.h>

#include "engine/ops/cpu_gemm/kernels.h"

namespace mbserve::cpu_gemm::kernels {
namespace {

__mmask16 ColumnMask(int64_t columns) {
  return columns >= kPanelWidth ? static_cast<__mmask16>(0xFFFF)
                                : static_cast<__mmask16>((1u << columns) - 1u);
}

template <int kRows, int kPanels>
void Tile(const GemmArgs& g, int64_t row, int64_t panel) {
  __m512 acc[kRows][kPanels];
#pragma GCC unroll 12
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 2
    for (int q = 0; q < kPanels; ++q) acc[r][q] = _mm512_setzero_ps();
  }
  const int64_t panel_floats = g.k * kPanelWidth;
  const float* b = static_cast<const float*>(g.b) + panel * panel_floats;
  const float* a = g.a + row * g.lda;
  for (int64_t k = 0; k < g.k; ++k) {
    __m512 bv[kPanels];
#pragma GCC unroll 2
    for (int q = 0; q < kPanels; ++q)
      bv[q] = _mm512_load_ps(b + q * panel_floats + k * kPanelWidth);
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
      const __m512 av = _mm512_set1_ps(a[r * g.lda + k]);
#pragma GCC unroll 2
      for (int q = 0; q < kPanels; ++q) acc[r][q] = _mm512_fmadd_ps(av, bv[q], acc[r][q]);
    }
  }
#pragma GCC unroll 2
  for (int q = 0; q < kPanels; ++q) {
    const int64_t column = (panel + q) * kPanelWidth;
    if (column >= g.n) break;
    const __mmask16 mask = ColumnMask(g.n - column);
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
      float* c = g.c + (row + r) * g.ldc + column;
      __m512 value = acc[r][q];
      if (g.accumulate) value = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, c), value);
      _mm512_mask_storeu_ps(c, mask, value);
    }
  }
}

template <int kPanels>
void TileOfRows(int64_t rows, const GemmArgs& g, int64_t row, int64_t panel) {
  switch (rows) {
    case 1:
      return Tile<1, kPanels>(g, row, panel);
    case 2:
      return Tile<2, kPanels>(g, row, panel);
    case 3:
      return Tile<3, kPanels>(g, row, panel);
    case 4:
      return Tile<4, kPanels>(g, row, panel);
    case 5:
      return Tile<5, kPanels>(g, row, panel);
    case 6:
      return Tile<6, kPanels>(g, row, panel);
    case 7:
      return Tile<7, kPanels>(g, row, panel);
    case 8:
      return Tile<8, kPanels>(g, row, panel);
    case 9:
      return Tile<9, kPanels>(g, row, panel);
    case 10:
      return Tile<10, kPanels>(g, row, panel);
    case 11:
      return Tile<11, kPanels>(g, row, panel);
    default:
      return Tile<12, kPanels>(g, row, panel);
  }
}

}  // namespace

void GemmBlockAvx512(const GemmArgs& g, int64_t m0, int64_t m1, int64_t p0, int64_t p1) {
  for (int64_t row = m0; row < m1; row += kAvx512Rows) {
    const int64_t rows = m1 - row < kAvx512Rows ? m1 - row : kAvx512Rows;
    int64_t panel = p0;
    for (; panel + 2 <= p1; panel += 2) TileOfRows<2>(rows, g, row, panel);
    if (panel < p1) TileOfRows<1>(rows, g, row, panel);
  }
}

}  // namespace mbserve::cpu_gemm::kernels
