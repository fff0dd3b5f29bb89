// BERT's embedding sum: one thread per output element, float32 adds in the
// order transformers uses (word + type, then + position), one rounding.
#include "engine/ops/cuda_device.cuh"

namespace mbserve::cuda {
namespace {

constexpr int kThreads = 256;

template <typename T>
__global__ void __launch_bounds__(kThreads)
    SumEmbeddingsKernel(const int32_t* ids, const int32_t* positions, const int32_t* types,
                        const T* word, const T* position, const T* type, int64_t rows,
                        int64_t hidden, T* out) {
  const int64_t item = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (item >= rows * hidden) return;
  const int64_t r = item / hidden;
  const int64_t c = item % hidden;
  const float sum = ToFloat(word[static_cast<int64_t>(ids[r]) * hidden + c]) +
                    ToFloat(type[static_cast<int64_t>(types[r]) * hidden + c]);
  out[item] =
      FromFloat<T>(sum + ToFloat(position[static_cast<int64_t>(positions[r]) * hidden + c]));
}

}  // namespace

std::string LaunchSumEmbeddings(DType dtype, const int32_t* ids, const int32_t* positions,
                                const int32_t* types, const void* word, const void* position,
                                const void* type, int64_t rows, int64_t hidden, void* out,
                                cudaStream_t stream) {
  if (rows == 0 || hidden == 0) return "";
  const unsigned int blocks = BlocksFor(rows * hidden, kThreads);
  if (blocks == 0) return "SumEmbeddings: too many elements for one launch";
  MBSERVE_DISPATCH_HALF("SumEmbeddings", dtype, {
    SumEmbeddingsKernel<T><<<blocks, kThreads, 0, stream>>>(
        ids, positions, types, static_cast<const T*>(word), static_cast<const T*>(position),
        static_cast<const T*>(type), rows, hidden, static_cast<T*>(out));
  });
  MBSERVE_CHECK_LAUNCH("SumEmbeddingsKernel");
  return "";
}

}  // namespace mbserve::cuda
