// The CPU GEMM kernels against a scalar chain of fused multiply-adds in the
// same order (kernels.h): bitwise equal for every ISA path, every tile tail
// and with or without threads. That equality is what makes a row's result
// independent of the rows around it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/model/dtype_convert.h"
#include "engine/ops/cpu_gemm/gemm.h"
#include "engine/ops/cpu_gemm/kernels.h"
#include "gtest/gtest.h"

namespace mbserve::cpu_gemm {
namespace {

std::vector<float> Random(size_t n, std::mt19937& rng) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// C = (old C +) sum_k a[r, k] * b[j, k], one fma per k in increasing order.
std::vector<float> ScalarReference(const std::vector<float>& a, const std::vector<float>& b,
                                   std::vector<float> c, int64_t m, int64_t n, int64_t k,
                                   bool accumulate) {
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t j = 0; j < n; ++j) {
      float acc = 0.0f;
      for (int64_t i = 0; i < k; ++i) acc = std::fma(a[r * k + i], b[j * k + i], acc);
      c[r * n + j] = accumulate ? c[r * n + j] + acc : acc;
    }
  }
  return c;
}

std::vector<float> RunGemm(CpuIsa isa, const std::vector<float>& a, const PackedMatrix& b,
                           std::vector<float> c, int64_t m, bool accumulate, bool parallel) {
  GemmOperands op;
  op.a = a.data();
  op.lda = b.k();
  op.m = m;
  op.c = c.data();
  op.ldc = b.n();
  op.accumulate = accumulate;
  Gemm(isa, op, b, parallel);
  return c;
}

bool BitwiseEqual(const std::vector<float>& x, const std::vector<float>& y) {
  return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0;
}

// Whether the process ISA (isa.h: the levels nest) can run `isa`'s kernels.
bool ProcessRuns(CpuIsa isa) {
  const absl::StatusOr<CpuIsa> available = ProcessCpuIsa();
  return available.ok() && static_cast<int>(isa) <= static_cast<int>(*available);
}

class CpuGemmTest : public ::testing::TestWithParam<CpuIsa> {
 protected:
  void SetUp() override {
    const absl::StatusOr<CpuIsa> available = ProcessCpuIsa();
    ASSERT_TRUE(available.ok()) << available.status();
    if (!ProcessRuns(GetParam())) {
      GTEST_SKIP() << "this CPU (or MBSERVE_CPU_ISA) does not allow the " << CpuIsaName(GetParam())
                   << " kernels";
    }
  }
};

TEST_P(CpuGemmTest, Float32EqualsScalarFmaChainBitwise) {
  std::mt19937 rng(7);
  int checked = 0;
  // Row counts around both kernels' tiles (6, 12) and the row chunk (96);
  // column counts around the panel (16) and panel pair (32); odd depths.
  for (int64_t m : {1, 5, 6, 7, 12, 13, 25, 97, 200}) {
    for (int64_t n : {1, 15, 16, 17, 33, 130}) {
      for (int64_t k : {1, 3, 64, 77}) {
        const auto a = Random(m * k, rng);
        const auto b = Random(n * k, rng);
        const auto c = Random(m * n, rng);
        auto packed = PackedMatrix::FromRows(b.data(), n, k, k, GemmDType::kFloat32);
        ASSERT_TRUE(packed.ok()) << packed.status();
        for (bool accumulate : {false, true}) {
          const auto want = ScalarReference(a, b, c, m, n, k, accumulate);
          for (bool parallel : {false, true}) {
            EXPECT_TRUE(
                BitwiseEqual(RunGemm(GetParam(), a, *packed, c, m, accumulate, parallel), want))
                << m << "x" << n << "x" << k << " accumulate " << accumulate << " parallel "
                << parallel;
            ++checked;
          }
        }
      }
    }
  }
  std::printf("[cpu_gemm] %s: %d float32 products bitwise equal to the scalar chain\n",
              CpuIsaName(GetParam()), checked);
}

TEST_P(CpuGemmTest, ValuesPackedFromColumnsMatchRows) {
  std::mt19937 rng(8);
  const int64_t m = 19, n = 40, k = 70;
  const auto a = Random(m * k, rng);
  const auto b = Random(n * k, rng);
  std::vector<float> b_transposed(k * n);
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < k; ++i) b_transposed[i * n + j] = b[j * k + i];
  }
  PackedMatrix from_columns;
  from_columns.RepackFromColumns(b_transposed.data(), n, k, n);
  const std::vector<float> zeros(m * n, 0.0f);
  EXPECT_TRUE(BitwiseEqual(RunGemm(GetParam(), a, from_columns, zeros, m, false, false),
                           ScalarReference(a, b, zeros, m, n, k, false)));
}

INSTANTIATE_TEST_SUITE_P(Isas, CpuGemmTest, ::testing::Values(CpuIsa::kAvx2, CpuIsa::kAvx512),
                         [](const auto& info) { return std::string(CpuIsaName(info.param)); });

// bfloat16 is checked on each kernel path the CPU runs (VDPBF16PS on
// AVX-512, tiles on AMX): each row of a large product equals the same row
// computed alone, with and without accumulation, and the whole is within
// float32 summation error of the exact product of the bfloat16-rounded
// operands, which a wrong operand layout misses by orders of magnitude.
class CpuGemmBFloat16Test : public ::testing::TestWithParam<CpuIsa> {
 protected:
  void SetUp() override {
    if (!ProcessRuns(GetParam()) || !CpuHasBf16Gemm()) {
      GTEST_SKIP() << "this CPU (or MBSERVE_CPU_ISA) does not allow bfloat16 on the "
                   << CpuIsaName(GetParam()) << " kernels";
    }
  }
};

float RoundedToBFloat16(float value) { return BFloat16ToFloat(ToBFloat16(value)); }

TEST_P(CpuGemmBFloat16Test, RowsDoNotDependOnTheirNeighbours) {
  std::mt19937 rng(9);
  // 150 rows: a full row chunk (96) and a partial one, AMX blocks of 32 with
  // a tail of 22; 70 columns: a panel tail; depth 129: padded to 160.
  const int64_t m = 150, n = 70, k = 129;
  const auto a = Random(m * k, rng);
  const auto b = Random(n * k, rng);
  const auto c = Random(m * n, rng);
  auto packed = PackedMatrix::FromRows(b.data(), n, k, k, GemmDType::kBFloat16);
  ASSERT_TRUE(packed.ok()) << packed.status();
  for (bool accumulate : {false, true}) {
    const auto all = RunGemm(GetParam(), a, *packed, c, m, accumulate, true);
    for (int64_t r = 0; r < m; r += 7) {
      const std::vector<float> row_a(a.begin() + r * k, a.begin() + (r + 1) * k);
      const std::vector<float> row_c(c.begin() + r * n, c.begin() + (r + 1) * n);
      const auto alone = RunGemm(GetParam(), row_a, *packed, row_c, 1, accumulate, false);
      EXPECT_EQ(0, std::memcmp(alone.data(), all.data() + r * n, n * sizeof(float)))
          << "row " << r << " accumulate " << accumulate;
    }
    double worst = 0;
    for (int64_t r = 0; r < m; ++r) {
      for (int64_t j = 0; j < n; ++j) {
        double exact = accumulate ? c[r * n + j] : 0.0;
        double magnitude = std::abs(exact);
        for (int64_t i = 0; i < k; ++i) {
          const double product =
              double(RoundedToBFloat16(a[r * k + i])) * RoundedToBFloat16(b[j * k + i]);
          exact += product;
          magnitude += std::abs(product);
        }
        worst = std::max(worst, std::abs(all[r * n + j] - exact) / magnitude);
      }
    }
    // float32 accumulation over 129 terms: a relative error of a few 1e-7
    // of the sum of magnitudes; a misplaced operand gives order 1.
    EXPECT_LT(worst, 1e-5) << "accumulate " << accumulate;
  }
}

// The bfloat16 kernels' A operand is rounded 16 values at a time; it must
// give ToBFloat16's bits (the weights' rounding) for every float, ties,
// subnormals, overflow to infinity and NaNs included, and leave the values
// past n alone.
TEST(RoundToBFloat16Test, VectorRoundingEqualsScalarRoundingBitwise) {
  if (!ProcessRuns(CpuIsa::kAvx512)) GTEST_SKIP() << "no AVX-512 on this CPU (or MBSERVE_CPU_ISA)";
  std::vector<uint32_t> bits = {0x00000000, 0x80000000, 0x00000001, 0x007FFFFF, 0x00008000,
                                0x3F808000, 0x3F818000, 0x3F807FFF, 0xBF808000, 0x7F7FFFFF,
                                0x7F7F8000, 0x7F800000, 0xFF800000, 0x7F800001, 0x7FC00000,
                                0xFFFFFFFF, 0x7FFF8000, 0xFF80FFFF};
  std::mt19937 rng(10);
  for (int i = 0; i < 10000; ++i) bits.push_back(static_cast<uint32_t>(rng()));
  bits.resize(16 * (bits.size() / 16) + 7);  // a masked tail
  std::vector<float> values(bits.size());
  std::memcpy(values.data(), bits.data(), bits.size() * sizeof(float));
  std::vector<uint16_t> vector_rounded(values.size() + 16, 0xABCD);
  kernels::RoundToBFloat16Avx512(values.data(), static_cast<int64_t>(values.size()),
                                 vector_rounded.data());
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(vector_rounded[i], ToBFloat16(values[i])) << "float bits 0x" << std::hex << bits[i];
  }
  for (size_t i = values.size(); i < vector_rounded.size(); ++i) {
    ASSERT_EQ(vector_rounded[i], 0xABCD) << "wrote past n";
  }
}

INSTANTIATE_TEST_SUITE_P(Isas, CpuGemmBFloat16Test,
                         ::testing::Values(CpuIsa::kAvx512, CpuIsa::kAmx),
                         [](const auto& info) { return std::string(CpuIsaName(info.param)); });

}  // namespace
}  // namespace mbserve::cpu_gemm
