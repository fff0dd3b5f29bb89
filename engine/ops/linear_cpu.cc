#include "engine/ops/backend_cpu.h"
#include "engine/ops/cpu_gemm/gemm.h"

namespace mbserve {

void CpuBackend::Linear(const Tensor& x, const LinearWeight& w, const Tensor& out,
                        bool accumulate) {
  cpu_gemm::GemmOperands operands;
  operands.a = x.data<float>();
  operands.lda = x.cols();
  operands.m = x.rows();
  operands.c = out.data<float>();
  operands.ldc = out.cols();
  operands.accumulate = accumulate;
  cpu_gemm::Gemm(isa_, operands, w.packed(), /*parallel=*/true);
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
