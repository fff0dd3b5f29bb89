// LayerNorm (biased variance, optional bias) and the embedding gather fused with
// it. One warp per row; float32 statistics computed in two passes like the
// CPU kernel (mean first, then the squared deviations), the row re-read from
// L1 rather than held in registers so any hidden size works.
#include "engine/ops/cuda_device.cuh"

namespace mbserve::cuda {
namespace {

constexpr int kWarpsPerBlock = 4;

// `row` is the input row; writes LayerNorm(row) * gamma (+ beta unless null)
// to out. kVectorized: hidden % 8 == 0 and every row, gamma and beta 16-byte
// aligned.
template <typename T, bool kVectorized>
__device__ __forceinline__ void NormalizeRow(const T* row, const T* gamma, const T* beta, float eps,
                                             int64_t hidden, T* out) {
  const int lane = threadIdx.x % 32;
  float sum = 0.0f;
  if constexpr (kVectorized) {
    for (int64_t c = lane * kVec; c < hidden; c += 32 * kVec) {
      float v[kVec];
      LoadVec(row + c, v);
#pragma unroll
      for (int i = 0; i < kVec; ++i) sum += v[i];
    }
  } else {
    for (int64_t c = lane; c < hidden; c += 32) sum += ToFloat(row[c]);
  }
  const float mean = WarpSum(sum) / static_cast<float>(hidden);
  float sq = 0.0f;
  if constexpr (kVectorized) {
    for (int64_t c = lane * kVec; c < hidden; c += 32 * kVec) {
      float v[kVec];
      LoadVec(row + c, v);
#pragma unroll
      for (int i = 0; i < kVec; ++i) sq += (v[i] - mean) * (v[i] - mean);
    }
  } else {
    for (int64_t c = lane; c < hidden; c += 32) {
      const float d = ToFloat(row[c]) - mean;
      sq += d * d;
    }
  }
  const float inv_std = rsqrtf(WarpSum(sq) / static_cast<float>(hidden) + eps);
  if constexpr (kVectorized) {
    for (int64_t c = lane * kVec; c < hidden; c += 32 * kVec) {
      float v[kVec], g[kVec], b[kVec] = {};
      LoadVec(row + c, v);
      LoadVec(gamma + c, g);
      if (beta != nullptr) LoadVec(beta + c, b);
#pragma unroll
      for (int i = 0; i < kVec; ++i) v[i] = (v[i] - mean) * inv_std * g[i] + b[i];
      StoreVec(out + c, v);
    }
  } else {
    for (int64_t c = lane; c < hidden; c += 32) {
      const float b = beta != nullptr ? ToFloat(beta[c]) : 0.0f;
      out[c] = FromFloat<T>((ToFloat(row[c]) - mean) * inv_std * ToFloat(gamma[c]) + b);
    }
  }
}

template <typename T, bool kVectorized>
__global__ void __launch_bounds__(kWarpsPerBlock * 32)
    LayerNormKernel(const T* x, const T* gamma, const T* beta, float eps, int64_t rows,
                    int64_t hidden, T* out) {
  const int64_t r = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
  if (r >= rows) return;
  NormalizeRow<T, kVectorized>(x + r * hidden, gamma, beta, eps, hidden, out + r * hidden);
}

template <typename T, bool kVectorized>
__global__ void __launch_bounds__(kWarpsPerBlock * 32)
    EmbeddingLayerNormKernel(const int32_t* ids, const T* table, const T* gamma, float eps,
                             int64_t rows, int64_t hidden, T* out) {
  const int64_t r = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
  if (r >= rows) return;
  NormalizeRow<T, kVectorized>(table + static_cast<int64_t>(ids[r]) * hidden, gamma, nullptr, eps,
                               hidden, out + r * hidden);
}

}  // namespace

std::string LaunchLayerNorm(DType dtype, const void* x, const void* gamma, const void* beta,
                            float eps, int64_t rows, int64_t hidden, void* out,
                            cudaStream_t stream) {
  if (rows == 0) return "";
  const unsigned int blocks = BlocksFor(rows, kWarpsPerBlock);
  if (blocks == 0 || hidden <= 0) return "LayerNorm: too many rows or no columns";
  const bool vectorized = VectorFriendly(hidden, {x, gamma, beta, out});
  MBSERVE_DISPATCH_HALF("LayerNorm", dtype, {
    const T* xt = static_cast<const T*>(x);
    const T* g = static_cast<const T*>(gamma);
    const T* b = static_cast<const T*>(beta);
    T* o = static_cast<T*>(out);
    if (vectorized) {
      LayerNormKernel<T, true>
          <<<blocks, kWarpsPerBlock * 32, 0, stream>>>(xt, g, b, eps, rows, hidden, o);
    } else {
      LayerNormKernel<T, false>
          <<<blocks, kWarpsPerBlock * 32, 0, stream>>>(xt, g, b, eps, rows, hidden, o);
    }
  });
  MBSERVE_CHECK_LAUNCH("LayerNormKernel");
  return "";
}

std::string LaunchEmbeddingLayerNorm(DType dtype, const int32_t* ids, const void* table,
                                     const void* gamma, float eps, int64_t rows, int64_t hidden,
                                     void* out, cudaStream_t stream) {
  if (rows == 0) return "";
  const unsigned int blocks = BlocksFor(rows, kWarpsPerBlock);
  if (blocks == 0 || hidden <= 0) return "EmbeddingLayerNorm: too many rows or no columns";
  const bool vectorized = VectorFriendly(hidden, {table, gamma, out});
  MBSERVE_DISPATCH_HALF("EmbeddingLayerNorm", dtype, {
    const T* t = static_cast<const T*>(table);
    const T* g = static_cast<const T*>(gamma);
    T* o = static_cast<T*>(out);
    if (vectorized) {
      EmbeddingLayerNormKernel<T, true>
          <<<blocks, kWarpsPerBlock * 32, 0, stream>>>(ids, t, g, eps, rows, hidden, o);
    } else {
      EmbeddingLayerNormKernel<T, false>
          <<<blocks, kWarpsPerBlock * 32, 0, stream>>>(ids, t, g, eps, rows, hidden, o);
    }
  });
  MBSERVE_CHECK_LAUNCH("EmbeddingLayerNormKernel");
  return "";
}

}  // namespace mbserve::cuda
