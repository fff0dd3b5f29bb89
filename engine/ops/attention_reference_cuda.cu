// The simple attention kernel: one warp per (query, head), float32 online
// softmax over the query's allowed keys, lanes splitting head_dim. Slow and
// obviously right; the fallback for head sizes the flash kernel does not
// take, and the GPU-side reference it is tested against.
#include "engine/ops/attention_cuda.h"
#include "engine/ops/cuda_device.cuh"

namespace mbserve::cuda {
namespace {

constexpr int kMaxHeadDim = 256;
constexpr int kPerLane = kMaxHeadDim / 32;
constexpr int kWarpsPerBlock = 4;

template <typename T>
__global__ void __launch_bounds__(kWarpsPerBlock * 32)
    ReferenceAttentionKernel(const T* qkv, const int32_t* cu_seqlens, int num_sequences,
                             int num_tokens, int num_heads, int head_dim, int half_window,
                             float scale, T* out) {
  const int64_t token = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
  const int head = blockIdx.y;
  if (token >= num_tokens) return;
  // The sequence holding this token: the largest b with cu_seqlens[b] <= token.
  int lo = 0, hi = num_sequences - 1;
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (cu_seqlens[mid] <= token) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  const int start = cu_seqlens[lo];
  const int len = cu_seqlens[lo + 1] - start;
  const int i = static_cast<int>(token) - start;
  const int key_begin = half_window < 0 ? 0 : max(0, i - half_window);
  const int key_end = half_window < 0 ? len : min(len, i + half_window + 1);

  const int lane = threadIdx.x % 32;
  const int64_t hidden = static_cast<int64_t>(num_heads) * head_dim;
  const int64_t stride = 3 * hidden;
  const T* q = qkv + token * stride + static_cast<int64_t>(head) * head_dim;
  float qv[kPerLane], acc[kPerLane];
#pragma unroll
  for (int e = 0; e < kPerLane; ++e) {
    const int d = lane + 32 * e;
    qv[e] = d < head_dim ? ToFloat(q[d]) : 0.0f;
    acc[e] = 0.0f;
  }
  float running_max = -INFINITY, running_sum = 0.0f;
  for (int j = key_begin; j < key_end; ++j) {
    const T* k = qkv + (start + j) * stride + hidden + static_cast<int64_t>(head) * head_dim;
    const T* v = k + hidden;
    float dot = 0.0f;
#pragma unroll
    for (int e = 0; e < kPerLane; ++e) {
      const int d = lane + 32 * e;
      if (d < head_dim) dot += qv[e] * ToFloat(k[d]);
    }
    const float score = WarpSum(dot) * scale;
    const float new_max = fmaxf(running_max, score);
    const float correction = expf(running_max - new_max);  // exp(-inf) = 0 on the first key
    const float weight = expf(score - new_max);
    running_sum = running_sum * correction + weight;
#pragma unroll
    for (int e = 0; e < kPerLane; ++e) {
      const int d = lane + 32 * e;
      if (d < head_dim) acc[e] = acc[e] * correction + weight * ToFloat(v[d]);
    }
    running_max = new_max;
  }
  T* o = out + token * hidden + static_cast<int64_t>(head) * head_dim;
  const float inv = running_sum > 0.0f ? 1.0f / running_sum : 0.0f;
#pragma unroll
  for (int e = 0; e < kPerLane; ++e) {
    const int d = lane + 32 * e;
    if (d < head_dim) o[d] = FromFloat<T>(acc[e] * inv);
  }
}

}  // namespace

std::string LaunchReferenceAttention(const AttentionArgs& args, cudaStream_t stream) {
  if (args.head_dim <= 0 || args.head_dim > kMaxHeadDim) {
    return "Attention: head_dim " + std::to_string(args.head_dim) + " is not in [1, " +
           std::to_string(kMaxHeadDim) + "]";
  }
  if (args.num_sequences == 0 || args.num_tokens == 0) return "";
  const unsigned int blocks = BlocksFor(args.num_tokens, kWarpsPerBlock);
  if (blocks == 0 || args.num_heads <= 0 || args.num_heads > 65535) {
    return "Attention: batch too large for one launch";
  }
  const dim3 grid(blocks, static_cast<unsigned int>(args.num_heads));
  const float scale = 1.0f / sqrtf(static_cast<float>(args.head_dim));
  MBSERVE_DISPATCH_HALF("Attention", args.dtype, {
    ReferenceAttentionKernel<T><<<grid, kWarpsPerBlock * 32, 0, stream>>>(
        static_cast<const T*>(args.qkv), args.cu_seqlens, args.num_sequences, args.num_tokens,
        args.num_heads, args.head_dim, args.half_window, scale, static_cast<T*>(args.out));
  });
  MBSERVE_CHECK_LAUNCH("ReferenceAttentionKernel");
  return "";
}

}  // namespace mbserve::cuda
