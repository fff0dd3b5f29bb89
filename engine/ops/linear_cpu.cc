#include "engine/ops/backend_cpu.h"

namespace mbserve {
namespace {

// OpenBLAS's AVX-512 build hands products of up to 100^3 multiply-adds to its
// small-matrix kernels, which round differently from the blocked ones; twice
// that keeps every call of a model on the blocked kernels.
constexpr double kSmallGemmWork = 2e6;

}  // namespace

int64_t CpuBackend::GemmRowFloor(int64_t n, int64_t k) const {
  return static_cast<int64_t>(kSmallGemmWork / static_cast<double>(n * k)) + 1;
}

void CpuBackend::Linear(const Tensor& x, const Tensor& w, const Tensor& out, bool accumulate) {
  const int m = static_cast<int>(x.rows());
  const int k = static_cast<int>(x.cols());
  const int n = static_cast<int>(w.rows());
  blas_.sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x.data<float>(), k,
              w.data<float>(), k, accumulate ? 1.0f : 0.0f, out.data<float>(), n);
}

void CpuBackend::AddBias(const Tensor& x, const Tensor& bias) {
  const int64_t rows = x.rows();
  const int64_t cols = x.cols();
  float* data = x.data<float>();
  const float* b = bias.data<float>();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float* row = data + r * cols;
    for (int64_t c = 0; c < cols; ++c) row[c] += b[c];
  }
}

}  // namespace mbserve
