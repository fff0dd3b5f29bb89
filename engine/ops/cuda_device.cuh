// Device-side helpers shared by the *_cuda.cu kernels: 16-bit float
// conversions, 16-byte vector loads and stores, warp reductions, and the
// dispatch from DType to the element type. nvcc only.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "engine/ops/cuda_check.h"
#include "engine/tensor.h"

namespace mbserve::cuda {

template <typename T>
__device__ __forceinline__ float ToFloat(T v);
template <>
__device__ __forceinline__ float ToFloat<__nv_bfloat16>(__nv_bfloat16 v) {
  return __bfloat162float(v);
}
template <>
__device__ __forceinline__ float ToFloat<__half>(__half v) {
  return __half2float(v);
}

template <typename T>
__device__ __forceinline__ T FromFloat(float v);
template <>
__device__ __forceinline__ __nv_bfloat16 FromFloat<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}
template <>
__device__ __forceinline__ __half FromFloat<__half>(float v) {
  return __float2half_rn(v);
}

// Eight 16-bit values moved as one 16-byte access.
constexpr int kVec = 8;
struct alignas(16) Pack8 {
  uint16_t bits[kVec];
};

template <typename T>
__device__ __forceinline__ void LoadVec(const T* src, float (&dst)[kVec]) {
  const Pack8 pack = *reinterpret_cast<const Pack8*>(src);
  const T* v = reinterpret_cast<const T*>(pack.bits);
#pragma unroll
  for (int i = 0; i < kVec; ++i) dst[i] = ToFloat(v[i]);
}

template <typename T>
__device__ __forceinline__ void StoreVec(T* dst, const float (&src)[kVec]) {
  Pack8 pack;
  T* v = reinterpret_cast<T*>(pack.bits);
#pragma unroll
  for (int i = 0; i < kVec; ++i) v[i] = FromFloat<T>(src[i]);
  *reinterpret_cast<Pack8*>(dst) = pack;
}

__device__ __forceinline__ float WarpSum(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

// True when every pointer is 16-byte aligned and `cols` is a multiple of 8,
// so rows can be moved as Pack8.
inline bool VectorFriendly(int64_t cols, std::initializer_list<const void*> pointers) {
  if (cols % kVec != 0) return false;
  for (const void* p : pointers) {
    if (reinterpret_cast<uintptr_t>(p) % 16 != 0) return false;
  }
  return true;
}

// Grid size for `items` work items of `per_block` each, or 0 when it would
// exceed the x-dimension limit (2^31 - 1 blocks).
inline unsigned int BlocksFor(int64_t items, int64_t per_block) {
  const int64_t blocks = (items + per_block - 1) / per_block;
  if (blocks <= 0 || blocks > 0x7fffffffLL) return 0;
  return static_cast<unsigned int>(blocks);
}

inline std::string UnsupportedDType(const char* op, DType dtype) {
  return std::string(op) + ": the CUDA backend computes in bf16 or f16, not " + DTypeName(dtype);
}

// Checks the launch just queued (bad configuration, missing kernel image).
inline std::string CheckLaunch(const char* kernel, const char* file, int line) {
  return CheckResult(cudaGetLastError(), kernel, file, line);
}

}  // namespace mbserve::cuda

// Runs BODY with `T` bound to the element type of DTYPE (bf16 or f16), or
// returns an error naming OP for any other dtype.
#define MBSERVE_DISPATCH_HALF(OP, DTYPE, ...)              \
  do {                                                     \
    if ((DTYPE) == ::mbserve::DType::kBF16) {              \
      using T = __nv_bfloat16;                             \
      __VA_ARGS__                                          \
    } else if ((DTYPE) == ::mbserve::DType::kF16) {        \
      using T = __half;                                    \
      __VA_ARGS__                                          \
    } else {                                               \
      return ::mbserve::cuda::UnsupportedDType(OP, DTYPE); \
    }                                                      \
  } while (0)

#define MBSERVE_CHECK_LAUNCH(name) \
  MBSERVE_CUDA_RETURN_IF_ERROR(::mbserve::cuda::CheckLaunch(name, __FILE__, __LINE__))
