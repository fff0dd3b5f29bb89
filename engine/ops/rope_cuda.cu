// RoPE on the Q and K thirds of the packed qkv rows, in place, from the
// float32 cos/sin tables of one theta. The rotation runs in float32 (as the
// flash-attn Triton kernel and transformers v5 do) and rounds once on store.
// One thread rotates kPairs consecutive (k, k + half) pairs of one head
// vector: with half % 8 == 0 that is two 16-byte loads of x and 2 x 32 bytes
// of table.
#include "engine/ops/cuda_device.cuh"

namespace mbserve::cuda {
namespace {

constexpr int kThreads = 256;

template <typename T, int kPairs>
__global__ void __launch_bounds__(kThreads)
    RopeKernel(T* qkv, const int32_t* positions, const float* cos_table, const float* sin_table,
               int64_t rows, int num_heads, int head_dim, int64_t max_positions) {
  const int half = head_dim / 2;
  const int chunks = half / kPairs;  // per head vector
  const int64_t per_row = static_cast<int64_t>(2 * num_heads) * chunks;
  const int64_t item = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (item >= rows * per_row) return;
  const int64_t r = item / per_row;
  const int rest = static_cast<int>(item % per_row);
  const int vector = rest / chunks;  // 0..num_heads-1: Q heads, then K heads
  const int k0 = (rest % chunks) * kPairs;
  const int32_t pos = positions[r];
  if (pos < 0 || pos >= max_positions) return;

  const int64_t hidden = static_cast<int64_t>(num_heads) * head_dim;
  // K heads start one hidden width after the Q heads; both use vector's head.
  T* x = qkv + r * 3 * hidden + (vector < num_heads ? 0 : hidden) +
         static_cast<int64_t>(vector % num_heads) * head_dim;
  const float* c = cos_table + static_cast<int64_t>(pos) * half + k0;
  const float* s = sin_table + static_cast<int64_t>(pos) * half + k0;
  if constexpr (kPairs == kVec) {
    float x1[kVec], x2[kVec], o1[kVec], o2[kVec];
    LoadVec(x + k0, x1);
    LoadVec(x + k0 + half, x2);
    const float4 c0 = reinterpret_cast<const float4*>(c)[0];
    const float4 c1 = reinterpret_cast<const float4*>(c)[1];
    const float4 s0 = reinterpret_cast<const float4*>(s)[0];
    const float4 s1 = reinterpret_cast<const float4*>(s)[1];
    const float cv[kVec] = {c0.x, c0.y, c0.z, c0.w, c1.x, c1.y, c1.z, c1.w};
    const float sv[kVec] = {s0.x, s0.y, s0.z, s0.w, s1.x, s1.y, s1.z, s1.w};
#pragma unroll
    for (int i = 0; i < kVec; ++i) {
      o1[i] = x1[i] * cv[i] - x2[i] * sv[i];
      o2[i] = x2[i] * cv[i] + x1[i] * sv[i];
    }
    StoreVec(x + k0, o1);
    StoreVec(x + k0 + half, o2);
  } else {
    static_assert(kPairs == 1);
    const float x1 = ToFloat(x[k0]);
    const float x2 = ToFloat(x[k0 + half]);
    x[k0] = FromFloat<T>(x1 * c[0] - x2 * s[0]);
    x[k0 + half] = FromFloat<T>(x2 * c[0] + x1 * s[0]);
  }
}

}  // namespace

std::string LaunchRope(DType dtype, void* qkv, const int32_t* positions, const float* cos,
                       const float* sin, int64_t rows, int num_heads, int head_dim,
                       int64_t max_positions, cudaStream_t stream) {
  if (rows == 0) return "";
  if (num_heads <= 0 || head_dim <= 0 || head_dim % 2 != 0) {
    return "ApplyRope: num_heads and an even head_dim must be positive";
  }
  const int half = head_dim / 2;
  const bool vectorized = half % kVec == 0 && VectorFriendly(3LL * num_heads * head_dim, {qkv}) &&
                          VectorFriendly(half, {cos, sin});
  const int pairs = vectorized ? kVec : 1;
  const int64_t items = rows * 2 * num_heads * (half / pairs);
  const unsigned int blocks = BlocksFor(items, kThreads);
  if (blocks == 0) return "ApplyRope: too many rows for one launch";
  MBSERVE_DISPATCH_HALF("ApplyRope", dtype, {
    T* x = static_cast<T*>(qkv);
    if (vectorized) {
      RopeKernel<T, kVec><<<blocks, kThreads, 0, stream>>>(x, positions, cos, sin, rows, num_heads,
                                                           head_dim, max_positions);
    } else {
      RopeKernel<T, 1><<<blocks, kThreads, 0, stream>>>(x, positions, cos, sin, rows, num_heads,
                                                        head_dim, max_positions);
    }
  });
  MBSERVE_CHECK_LAUNCH("RopeKernel");
  return "";
}

}  // namespace mbserve::cuda
