// GeGLU and GELU (exact erf form) and tanh, float32 inside. GeGLU reads each [2I] row
// once and writes [I]: the input half and the gate half of a 16-byte chunk
// are loaded together.
#include "engine/ops/cuda_device.cuh"

namespace mbserve::cuda {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ float GeluErf(float x) {
  return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
}

// One thread per kVecWidth outputs of one row.
template <typename T, int kVecWidth>
__global__ void __launch_bounds__(kThreads)
    GeGluKernel(const T* in, T* out, int64_t rows, int64_t width) {
  const int64_t per_row = width / kVecWidth;
  const int64_t item = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (item >= rows * per_row) return;
  const int64_t r = item / per_row;
  const int64_t c = (item % per_row) * kVecWidth;
  const T* input = in + r * 2 * width + c;
  const T* gate = input + width;
  T* o = out + r * width + c;
  if constexpr (kVecWidth == kVec) {
    float a[kVec], g[kVec];
    LoadVec(input, a);
    LoadVec(gate, g);
#pragma unroll
    for (int i = 0; i < kVec; ++i) a[i] = GeluErf(a[i]) * g[i];
    StoreVec(o, a);
  } else {
    static_assert(kVecWidth == 1);
    *o = FromFloat<T>(GeluErf(ToFloat(*input)) * ToFloat(*gate));
  }
}

template <typename T>
__global__ void __launch_bounds__(kThreads) GeluKernel(T* x, int64_t count) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i < count) x[i] = FromFloat<T>(GeluErf(ToFloat(x[i])));
}

template <typename T>
__global__ void __launch_bounds__(kThreads) TanhKernel(T* x, int64_t count) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i < count) x[i] = FromFloat<T>(tanhf(ToFloat(x[i])));
}

}  // namespace

std::string LaunchGeGlu(DType dtype, const void* in, void* out, int64_t rows, int64_t width,
                        cudaStream_t stream) {
  if (rows == 0 || width == 0) return "";
  const bool vectorized = VectorFriendly(width, {in, out});
  const int64_t items = rows * (vectorized ? width / kVec : width);
  const unsigned int blocks = BlocksFor(items, kThreads);
  if (blocks == 0) return "GeGlu: too many elements for one launch";
  MBSERVE_DISPATCH_HALF("GeGlu", dtype, {
    const T* i = static_cast<const T*>(in);
    T* o = static_cast<T*>(out);
    if (vectorized) {
      GeGluKernel<T, kVec><<<blocks, kThreads, 0, stream>>>(i, o, rows, width);
    } else {
      GeGluKernel<T, 1><<<blocks, kThreads, 0, stream>>>(i, o, rows, width);
    }
  });
  MBSERVE_CHECK_LAUNCH("GeGluKernel");
  return "";
}

std::string LaunchGelu(DType dtype, void* x, int64_t count, cudaStream_t stream) {
  if (count == 0) return "";
  const unsigned int blocks = BlocksFor(count, kThreads);
  if (blocks == 0) return "Gelu: too many elements for one launch";
  MBSERVE_DISPATCH_HALF("Gelu", dtype, {
    GeluKernel<T><<<blocks, kThreads, 0, stream>>>(static_cast<T*>(x), count);
  });
  MBSERVE_CHECK_LAUNCH("GeluKernel");
  return "";
}

std::string LaunchTanh(DType dtype, void* x, int64_t count, cudaStream_t stream) {
  if (count == 0) return "";
  const unsigned int blocks = BlocksFor(count, kThreads);
  if (blocks == 0) return "Tanh: too many elements for one launch";
  MBSERVE_DISPATCH_HALF("Tanh", dtype, {
    TanhKernel<T><<<blocks, kThreads, 0, stream>>>(static_cast<T*>(x), count);
  });
  MBSERVE_CHECK_LAUNCH("TanhKernel");
  return "";
}

}  // namespace mbserve::cuda
