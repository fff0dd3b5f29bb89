#include "engine/tensor.h"

namespace mbserve::cpu {

void ApplyRope(const Tensor& qkv, const Tensor& positions, const Tensor& cos, const Tensor& sin,
               int num_heads) {
  const int64_t rows = positions.numel();
  const int64_t stride = qkv.cols();  // 3H
  const int64_t hidden = stride / 3;
  const int64_t half = cos.cols();  // head_dim / 2
  const int64_t head_dim = 2 * half;
  const int32_t* pos = positions.data<int32_t>();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* c = cos.data<float>() + pos[r] * half;
    const float* s = sin.data<float>() + pos[r] * half;
    float* row = qkv.data<float>() + r * stride;
    // Q heads then K heads: 2 * num_heads vectors of head_dim, GPT-NeoX
    // "rotate_half" pairing of element k with k + head_dim / 2.
    for (int64_t v = 0; v < 2 * num_heads; ++v) {
      float* x = row + (v < num_heads ? v * head_dim : hidden + (v - num_heads) * head_dim);
      for (int64_t k = 0; k < half; ++k) {
        const float x1 = x[k];
        const float x2 = x[k + half];
        x[k] = x1 * c[k] - x2 * s[k];
        x[k + half] = x2 * c[k] + x1 * s[k];
      }
    }
  }
}

}  // namespace mbserve::cpu
