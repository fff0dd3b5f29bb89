// What the AVX-512 kernels (float32 and bfloat16) share around their inner
// loops: writing a tile of accumulators to C, and choosing the tile template
// for a row count. Included only by kernels_avx512*.cc, which are compiled
// with AVX-512 flags; everything here has internal linkage, so no other
// translation unit can end up with a copy built for AVX-512.
#pragma once

#include <immintrin.h>

#include "engine/ops/cpu_gemm/kernels.h"

namespace mbserve::cpu_gemm::kernels {
namespace {

__mmask16 ColumnMask(int64_t columns) {
  return columns >= kPanelWidth ? static_cast<__mmask16>(0xFFFF)
                                : static_cast<__mmask16>((1u << columns) - 1u);
}

// C rows [row, row + kRows) x panels [panel, panel + kPanels) = (C +) acc,
// columns past n left alone.
template <int kRows, int kPanels>
__attribute__((always_inline)) inline void StoreTile(const GemmArgs& g, int64_t row, int64_t panel,
                                                     const __m512 (&acc)[kRows][kPanels]) {
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

// A panel count as a type, to pass it as a compile-time constant.
template <int kCount>
struct Panels {
  static constexpr int value = kCount;
};

// Rows [m0, m1) x panels [p0, p1) as tiles of up to kAvx512Rows rows and two
// panels, each computed by Tile<rows, panels>::Run(g, row, panel).
template <template <int, int> class Tile>
void RunBlock(const GemmArgs& g, int64_t m0, int64_t m1, int64_t p0, int64_t p1) {
  auto run = [&](int64_t rows, int64_t row, int64_t panel, auto panels) {
    constexpr int kPanels = decltype(panels)::value;
    switch (rows) {
      case 1:
        return Tile<1, kPanels>::Run(g, row, panel);
      case 2:
        return Tile<2, kPanels>::Run(g, row, panel);
      case 3:
        return Tile<3, kPanels>::Run(g, row, panel);
      case 4:
        return Tile<4, kPanels>::Run(g, row, panel);
      case 5:
        return Tile<5, kPanels>::Run(g, row, panel);
      case 6:
        return Tile<6, kPanels>::Run(g, row, panel);
      case 7:
        return Tile<7, kPanels>::Run(g, row, panel);
      case 8:
        return Tile<8, kPanels>::Run(g, row, panel);
      case 9:
        return Tile<9, kPanels>::Run(g, row, panel);
      case 10:
        return Tile<10, kPanels>::Run(g, row, panel);
      case 11:
        return Tile<11, kPanels>::Run(g, row, panel);
      default:
        return Tile<12, kPanels>::Run(g, row, panel);
    }
  };
  for (int64_t row = m0; row < m1; row += kAvx512Rows) {
    const int64_t rows = m1 - row < kAvx512Rows ? m1 - row : kAvx512Rows;
    int64_t panel = p0;
    for (; panel + 2 <= p1; panel += 2) run(rows, row, panel, Panels<2>());
    if (panel < p1) run(rows, row, panel, Panels<1>());
  }
}

}  // namespace
}  // namespace mbserve::cpu_gemm::kernels
