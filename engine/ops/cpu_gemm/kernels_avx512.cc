// float32 GEMM tiles for AVX-512: 12 rows x 32 columns (two panels), 24
// accumulators in registers. See kernels.h for the accumulation order.
#include <immintrin.h>

#include "engine/ops/cpu_gemm/avx512_tile.h"
#include "engine/ops/cpu_gemm/kernels.h"

namespace mbserve::cpu_gemm::kernels {
namespace {

constexpr int kFewRows = 8;
constexpr int64_t kPrefetchDistance = 32;  // steps of k, one 64-byte line of B each

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
        const float* panel_row = b + q * panel_floats + k * kPanelWidth;
        // A tile of few rows does little arithmetic per line of B, so the
        // GEMM runs at the speed B streams from memory (a short request's
        // whole forward pass); asking for lines well ahead keeps more of
        // them in flight than the hardware prefetcher does. Prefetches never
        // fault past the panel's end and change no result.
        if constexpr (kRows <= kFewRows) {
          _mm_prefetch(reinterpret_cast<const char*>(panel_row + kPrefetchDistance * kPanelWidth),
                       _MM_HINT_T0);
        }
        bv[q] = _mm512_load_ps(panel_row);
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
