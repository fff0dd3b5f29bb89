// bfloat16 GEMM tiles for AVX-512 with avx512_bf16: 12 rows x 32 columns,
// float32 accumulators. Each VDPBF16PS step adds the products of one pair of
// k (2j, 2j + 1) to the accumulator, so as in the float32 kernels every
// element of C goes through one fixed chain whatever the row count or tile.
#include <immintrin.h>

#include <cstring>

#include "engine/ops/cpu_gemm/avx512_tile.h"
#include "engine/ops/cpu_gemm/kernels.h"

namespace mbserve::cpu_gemm::kernels {
namespace {

// A panel holds, per pair of k, kPanelWidth columns x 2 bfloat16 values.
constexpr int64_t kPairWidth = 2 * kPanelWidth;

template <int kRows, int kPanels>
struct BFloat16Tile {
  static void Run(const GemmArgs& g, int64_t row, int64_t panel) {
    __m512 acc[kRows][kPanels];
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 2
      for (int q = 0; q < kPanels; ++q) acc[r][q] = _mm512_setzero_ps();
    }
    const int64_t pairs = g.k / 2;
    const int64_t panel_values = g.k * kPanelWidth;
    const uint16_t* b = static_cast<const uint16_t*>(g.b) + panel * panel_values;
    const uint16_t* a = g.a_bf16 + row * g.lda;
    for (int64_t j = 0; j < pairs; ++j) {
      __m512bh bv[kPanels];
#pragma GCC unroll 2
      for (int q = 0; q < kPanels; ++q) {
        bv[q] = (__m512bh)_mm512_load_si512(b + q * panel_values + j * kPairWidth);
      }
#pragma GCC unroll 12
      for (int r = 0; r < kRows; ++r) {
        int32_t pair;
        std::memcpy(&pair, a + r * g.lda + 2 * j, sizeof(pair));
        const __m512bh av = (__m512bh)_mm512_set1_epi32(pair);
#pragma GCC unroll 2
        for (int q = 0; q < kPanels; ++q) acc[r][q] = _mm512_dpbf16_ps(acc[r][q], av, bv[q]);
      }
    }
    StoreTile<kRows, kPanels>(g, row, panel, acc);
  }
};

}  // namespace

void GemmBlockAvx512Bf16(const GemmArgs& g, int64_t m0, int64_t m1, int64_t p0, int64_t p1) {
  RunBlock<BFloat16Tile>(g, m0, m1, p0, p1);
}

}  // namespace mbserve::cpu_gemm::kernels
