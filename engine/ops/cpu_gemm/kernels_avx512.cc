// float32 GEMM tiles for AVX-512: 12 rows x 32 columns (two panels), 24
// accumulators in registers. See kernels.h for the accumulation order.
#include <immintrin.h>

#include "engine/ops/cpu_gemm/avx512_tile.h"
#include "engine/ops/cpu_gemm/kernels.h"

namespace mbserve::cpu_gemm::kernels {
namespace {

template <int kRows, int kPanels>
struct Float32Tile {
  static void Run(const GemmArgs& g, int64_t row, int64_t panel) {
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
      for (int q = 0; q < kPanels; ++q) {
        bv[q] = _mm512_load_ps(b + q * panel_floats + k * kPanelWidth);
      }
#pragma GCC unroll 12
      for (int r = 0; r < kRows; ++r) {
        const __m512 av = _mm512_set1_ps(a[r * g.lda + k]);
#pragma GCC unroll 2
        for (int q = 0; q < kPanels; ++q) acc[r][q] = _mm512_fmadd_ps(av, bv[q], acc[r][q]);
      }
    }
    StoreTile<kRows, kPanels>(g, row, panel, acc);
  }
};

}  // namespace

void GemmBlockAvx512(const GemmArgs& g, int64_t m0, int64_t m1, int64_t p0, int64_t p1) {
  RunBlock<Float32Tile>(g, m0, m1, p0, p1);
}

}  // namespace mbserve::cpu_gemm::kernels
