#include <cmath>

#include "engine/ops/cpu_math.h"
#include "engine/tensor.h"

namespace mbserve::cpu {
namespace {

MBSERVE_VECTOR_CLONES void GeGluRow(const float* input, const float* gate, int64_t width,
                                    float* out) {
#pragma omp simd
  for (int64_t i = 0; i < width; ++i) out[i] = cpu_math::Gelu(input[i]) * gate[i];
}

MBSERVE_VECTOR_CLONES void GeluRow(float* x, int64_t width) {
#pragma omp simd
  for (int64_t i = 0; i < width; ++i) x[i] = cpu_math::Gelu(x[i]);
}

}  // namespace

void GeGlu(const Tensor& in, const Tensor& out) {
  const int64_t rows = out.rows();
  const int64_t width = out.cols();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* input = in.data<float>() + r * 2 * width;
    GeGluRow(input, input + width, width, out.data<float>() + r * width);
  }
}

void Gelu(const Tensor& x) {
  // Row by row, so a value's place in the tensor never changes its result.
  const int64_t rows = x.rows();
  const int64_t width = x.cols();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) GeluRow(x.data<float>() + r * width, width);
}

void Tanh(const Tensor& x) {
  // Only the pooler uses it, on one row per sequence: libm's tanhf is enough.
  float* data = x.data<float>();
  const int64_t count = x.numel();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < count; ++i) data[i] = std::tanh(data[i]);
}

}  // namespace mbserve::cpu
