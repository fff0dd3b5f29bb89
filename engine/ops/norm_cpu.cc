#include <cmath>

#include "engine/ops/cpu_math.h"
#include "engine/tensor.h"

namespace mbserve::cpu {
namespace {

// LayerNorm with biased variance, then gamma, then beta when not null
// (ModernBERT has no beta, BERT has one). out may be x.
MBSERVE_VECTOR_CLONES void NormalizeRow(const float* x, const float* gamma, const float* beta,
                                        float eps, int64_t n, float* out) {
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < n; ++i) sum += x[i];
  const float mean = sum / static_cast<float>(n);
  float sq = 0.0f;
#pragma omp simd reduction(+ : sq)
  for (int64_t i = 0; i < n; ++i) {
    const float d = x[i] - mean;
    sq += d * d;
  }
  const float inv_std = 1.0f / std::sqrt(sq / static_cast<float>(n) + eps);
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = (x[i] - mean) * inv_std * gamma[i];
  if (beta == nullptr) return;
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] += beta[i];
}

}  // namespace

void EmbeddingLayerNorm(const Tensor& ids, const Tensor& table, const Tensor& gamma, float eps,
                        const Tensor& out) {
  const int64_t rows = out.rows();
  const int64_t hidden = out.cols();
  const int32_t* id = ids.data<int32_t>();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    NormalizeRow(table.data<float>() + static_cast<int64_t>(id[r]) * hidden, gamma.data<float>(),
                 nullptr, eps, hidden, out.data<float>() + r * hidden);
  }
}

void LayerNorm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps,
               const Tensor& out) {
  const int64_t rows = x.rows();
  const int64_t hidden = x.cols();
  const float* bias = beta.empty() ? nullptr : beta.data<float>();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    NormalizeRow(x.data<float>() + r * hidden, gamma.data<float>(), bias, eps, hidden,
                 out.data<float>() + r * hidden);
  }
}

}  // namespace mbserve::cpu
