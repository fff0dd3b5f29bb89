// bfloat16 GEMM on AMX tiles: blocks of up to 32 rows x 32 columns, held in
// four float32 accumulator tiles while k runs in steps of 32 (one A tile of
// 16 rows x 32 values and one B tile of 16 pairs x 16 columns per product).
//
// TDPBF16PS defines each element of C from its row of A and its column of B
// only, so a row's result does not depend on the tile, block or thread that
// computes it: rows in a partial block are computed by the same instructions
// over zero rows that gemm.cc appends to A, and the results of those rows
// are never written.
#include <immintrin.h>

#include <cstdint>

#include "engine/ops/cpu_gemm/avx512_tile.h"
#include "engine/ops/cpu_gemm/kernels.h"

namespace mbserve::cpu_gemm::kernels {
namespace {

constexpr int kTileRows = 16;
constexpr int kTileRowBytes = 64;
static_assert(kAmxRows == 2 * kTileRows);
static_assert(kBFloat16Depth * sizeof(uint16_t) == kTileRowBytes);
static_assert(kPanelWidth * 2 * sizeof(uint16_t) == kTileRowBytes);

// Tile registers (GCC's AMX intrinsics paste the number into the
// instruction, so they are written as literals): C[i][j], the accumulator of
// A tile i and B tile j, in 2 * i + j (0-3); A tiles in 4-5; B tiles in
// 6-7; all 16 rows x 64 bytes.
constexpr int kTileRegisters = 8;

// The LDTILECFG operand (palette 1), as the Intel SDM lays it out.
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t bytes_per_row[16] = {};
  uint8_t rows[16] = {};
};
static_assert(sizeof(TileConfig) == 64);

// C rows [row, row + rows) x columns of one panel = (C +) `values`, an
// accumulator tile stored as float32.
void WriteAccumulator(const GemmArgs& g, const float (&values)[kTileRows][kPanelWidth], int64_t row,
                      int64_t rows, int64_t panel) {
  const int64_t column = panel * kPanelWidth;
  if (column >= g.n) return;
  const __mmask16 mask = ColumnMask(g.n - column);
  for (int64_t r = 0; r < rows && r < kTileRows; ++r) {
    float* c = g.c + (row + r) * g.ldc + column;
    __m512 value = _mm512_load_ps(values[r]);
    if (g.accumulate) value = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, c), value);
    _mm512_mask_storeu_ps(c, mask, value);
  }
}

// One block: kATiles x 16 rows from `row` (of which `rows` are real) by
// kBTiles panels from `panel`.
template <int kATiles, int kBTiles>
void RunTiles(const GemmArgs& g, int64_t row, int64_t rows, int64_t panel) {
  constexpr bool kTwoA = kATiles == 2, kTwoB = kBTiles == 2;
  _tile_zero(0);
  if constexpr (kTwoB) _tile_zero(1);
  if constexpr (kTwoA) _tile_zero(2);
  if constexpr (kTwoA && kTwoB) _tile_zero(3);
  const int64_t a_stride = g.lda * static_cast<int64_t>(sizeof(uint16_t));
  const uint16_t* a = g.a_bf16 + row * g.lda;
  const uint16_t* a_lower = a + kTileRows * g.lda;
  const int64_t panel_values = g.k * kPanelWidth;
  const uint16_t* b = static_cast<const uint16_t*>(g.b) + panel * panel_values;
  const uint16_t* b_next = b + panel_values;
  // A B tile is 16 consecutive pairs of one panel, 32 k x 16 columns, so
  // the tile for depth k starts at value k * kPanelWidth of its panel.
  for (int64_t k = 0; k < g.k; k += kBFloat16Depth) {
    _tile_loadd(4, a + k, a_stride);
    if constexpr (kTwoA) _tile_loadd(5, a_lower + k, a_stride);
    _tile_loadd(6, b + k * kPanelWidth, kTileRowBytes);
    if constexpr (kTwoB) _tile_loadd(7, b_next + k * kPanelWidth, kTileRowBytes);
    _tile_dpbf16ps(0, 4, 6);
    if constexpr (kTwoB) _tile_dpbf16ps(1, 4, 7);
    if constexpr (kTwoA) _tile_dpbf16ps(2, 5, 6);
    if constexpr (kTwoA && kTwoB) _tile_dpbf16ps(3, 5, 7);
  }
  alignas(64) float values[kTileRows][kPanelWidth];
  constexpr int64_t kStride = kPanelWidth * sizeof(float);
  _tile_stored(0, values, kStride);
  WriteAccumulator(g, values, row, rows, panel);
  if constexpr (kTwoB) {
    _tile_stored(1, values, kStride);
    WriteAccumulator(g, values, row, rows, panel + 1);
  }
  if constexpr (kTwoA) {
    _tile_stored(2, values, kStride);
    WriteAccumulator(g, values, row + kTileRows, rows - kTileRows, panel);
  }
  if constexpr (kTwoA && kTwoB) {
    _tile_stored(3, values, kStride);
    WriteAccumulator(g, values, row + kTileRows, rows - kTileRows, panel + 1);
  }
}

template <int kATiles>
void RunRowBlock(const GemmArgs& g, int64_t row, int64_t rows, int64_t p0, int64_t p1) {
  int64_t panel = p0;
  for (; panel + 2 <= p1; panel += 2) RunTiles<kATiles, 2>(g, row, rows, panel);
  if (panel < p1) RunTiles<kATiles, 1>(g, row, rows, panel);
}

}  // namespace

void ConfigureAmxTiles() {
  // A constant in memory: GCC 12 does not model LDTILECFG as reading its
  // operand, and drops the stores that would fill a local one.
  static constexpr TileConfig kConfig = [] {
    TileConfig config;
    for (int t = 0; t < kTileRegisters; ++t) {
      config.bytes_per_row[t] = kTileRowBytes;
      config.rows[t] = kTileRows;
    }
    return config;
  }();
  _tile_loadconfig(&kConfig);
}

void GemmBlockAmxBf16(const GemmArgs& g, int64_t m0, int64_t m1, int64_t p0, int64_t p1) {
  // Tile configuration is per thread; OpenMP may hand this block to any.
  ConfigureAmxTiles();
  for (int64_t row = m0; row < m1; row += kAmxRows) {
    const int64_t rows = m1 - row < kAmxRows ? m1 - row : kAmxRows;
    if (rows > kTileRows) {
      RunRowBlock<2>(g, row, rows, p0, p1);
    } else {
      RunRowBlock<1>(g, row, rows, p0, p1);
    }
  }
  // Back to the init state, so context switches need not save 8 KiB of tiles.
  _tile_release();
}

}  // namespace mbserve::cpu_gemm::kernels
