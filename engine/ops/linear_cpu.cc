#include "engine/ops/cpu_gemm/gemm.h"
#include "engine/ops/linear.h"

namespace mbserve::cpu {

void Linear(cpu_gemm::CpuIsa isa, const Tensor& x, const LinearWeight& w, const Tensor& out,
            bool accumulate) {
  cpu_gemm::GemmOperands operands;
  operands.a = x.data<float>();
  operands.lda = x.cols();
  operands.m = x.rows();
  operands.c = out.data<float>();
  operands.ldc = out.cols();
  operands.accumulate = accumulate;
  cpu_gemm::Gemm(isa, operands, w.packed(), /*parallel=*/true);
}

void AddBias(const Tensor& x, const Tensor& bias) {
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

}  // namespace mbserve::cpu
