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

// The tail is masked rather than left to ToBFloat16: an inline function
// used here could be emitted with AVX-512 code and picked by the linker for
// every caller.
void RoundToBFloat16Avx512(const float* src, int64_t n, uint16_t* dst) {
  const __m512i sign_off = _mm512_set1_epi32(0x7FFFFFFF);
  const __m512i infinity = _mm512_set1_epi32(0x7F800000);
  const __m512i half_minus_one = _mm512_set1_epi32(0x7FFF);
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i quiet = _mm512_set1_epi32(0x40);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 lanes = ColumnMask(n - i);
    const __m512i bits = _mm512_maskz_loadu_epi32(lanes, src + i);
    // Round to nearest even: add 0x7FFF plus the lowest kept bit. (The
    // zero-masked forms: GCC 12 warns that the unmasked ones read an
    // undefined register.)
    const __m512i odd = _mm512_and_si512(_mm512_maskz_srli_epi32(lanes, bits, 16), one);
    __m512i rounded = _mm512_maskz_srli_epi32(
        lanes, _mm512_add_epi32(bits, _mm512_add_epi32(half_minus_one, odd)), 16);
    // NaN: truncated, with the quiet bit set, so rounding cannot make it infinite.
    const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(bits, sign_off), infinity);
    rounded = _mm512_mask_or_epi32(rounded, nan, _mm512_maskz_srli_epi32(lanes, bits, 16), quiet);
    _mm256_mask_storeu_epi16(dst + i, lanes, _mm512_maskz_cvtepi32_epi16(lanes, rounded));
  }
}

void GemmBlockAvx512Bf16(const GemmArgs& g, int64_t m0, int64_t m1, int64_t p0, int64_t p1) {
  RunBlock<BFloat16Tile>(g, m0, m1, p0, p1);
}

}  // namespace mbserve::cpu_gemm::kernels
