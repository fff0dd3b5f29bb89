#include <cmath>

#include "engine/ops/backend_cpu.h"

namespace mbserve {
namespace {

// The exact erf form, as ModernBERT's "gelu" (not the tanh approximation).
inline float GeluErf(float x) { return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f)); }

}  // namespace

void CpuBackend::GeGlu(const Tensor& in, const Tensor& out) {
  const int64_t rows = out.rows();
  const int64_t width = out.cols();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* input = in.data<float>() + r * 2 * width;
    const float* gate = input + width;
    float* o = out.data<float>() + r * width;
    for (int64_t i = 0; i < width; ++i) o[i] = GeluErf(input[i]) * gate[i];
  }
}

void CpuBackend::Gelu(const Tensor& x) {
  const int64_t n = x.numel();
  float* data = x.data<float>();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) data[i] = GeluErf(data[i]);
}

}  // namespace mbserve
