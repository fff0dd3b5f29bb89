// Per-sequence pooling straight from cu_seqlens (a mean may start
// mean_from[b] tokens into sequence b), and L2 normalization.
// Pooling: a block owns 32 columns of one sequence; its 8 warps stride over
// the sequence's rows and their float32 partial sums are combined in a fixed
// order, so a sequence's vector depends only on the sequence (batch
// invariance), and a long sequence is read by 8 warps at once.
#include "engine/ops/cuda_device.cuh"

namespace mbserve::cuda {
namespace {

constexpr int kPoolWarps = 8;
constexpr int kNormWarps = 4;

template <typename T>
__global__ void __launch_bounds__(kPoolWarps * 32)
    PoolKernel(const T* hidden, const int32_t* cu_seqlens, const int32_t* mean_from, int64_t width,
               bool mean, T* out) {
  __shared__ float partial[kPoolWarps][32];
  const int b = blockIdx.y;
  const int lane = threadIdx.x % 32;
  const int warp = threadIdx.x / 32;
  const int64_t c = static_cast<int64_t>(blockIdx.x) * 32 + lane;
  const int64_t start = cu_seqlens[b];
  const int64_t stop = cu_seqlens[b + 1];
  const int64_t skip = mean && mean_from != nullptr ? mean_from[b] : 0;
  const int64_t begin = start + skip < stop ? start + skip : stop;
  const int64_t end = mean ? stop : begin + 1;
  float sum = 0.0f;
  if (c < width) {
    for (int64_t t = begin + warp; t < end; t += kPoolWarps) sum += ToFloat(hidden[t * width + c]);
  }
  partial[warp][lane] = sum;
  __syncthreads();
  if (warp != 0 || c >= width) return;
  float total = 0.0f;
#pragma unroll
  for (int w = 0; w < kPoolWarps; ++w) total += partial[w][lane];
  const float count = static_cast<float>(end - begin);
  out[static_cast<int64_t>(b) * width + c] = FromFloat<T>(count > 0 ? total / count : 0.0f);
}

template <typename T>
__global__ void __launch_bounds__(kNormWarps * 32)
    L2NormalizeKernel(T* x, int64_t rows, int64_t width) {
  const int64_t r = static_cast<int64_t>(blockIdx.x) * kNormWarps + threadIdx.x / 32;
  if (r >= rows) return;
  const int lane = threadIdx.x % 32;
  T* row = x + r * width;
  float sq = 0.0f;
  for (int64_t c = lane; c < width; c += 32) {
    const float v = ToFloat(row[c]);
    sq += v * v;
  }
  // torch.nn.functional.normalize's eps: zero vectors stay zero.
  const float inv = 1.0f / fmaxf(sqrtf(WarpSum(sq)), 1e-12f);
  for (int64_t c = lane; c < width; c += 32) row[c] = FromFloat<T>(ToFloat(row[c]) * inv);
}

}  // namespace

std::string LaunchPool(DType dtype, const void* hidden, const int32_t* cu_seqlens,
                       const int32_t* mean_from, int num_sequences, int64_t width, bool mean,
                       void* out, cudaStream_t stream) {
  if (num_sequences == 0 || width == 0) return "";
  const unsigned int column_blocks = BlocksFor(width, 32);
  if (column_blocks == 0) return "Pool: too many columns for one launch";
  // gridDim.y is limited to 65535: larger batches are pooled in slices.
  constexpr int kMaxSlice = 65535;
  for (int first = 0; first < num_sequences; first += kMaxSlice) {
    const int count = num_sequences - first < kMaxSlice ? num_sequences - first : kMaxSlice;
    const dim3 grid(column_blocks, static_cast<unsigned int>(count));
    MBSERVE_DISPATCH_HALF("Pool", dtype, {
      PoolKernel<T><<<grid, kPoolWarps * 32, 0, stream>>>(
          static_cast<const T*>(hidden), cu_seqlens + first,
          mean_from != nullptr ? mean_from + first : nullptr, width, mean,
          static_cast<T*>(out) + static_cast<int64_t>(first) * width);
    });
  }
  MBSERVE_CHECK_LAUNCH("PoolKernel");
  return "";
}

std::string LaunchL2Normalize(DType dtype, void* x, int64_t rows, int64_t width,
                              cudaStream_t stream) {
  if (rows == 0 || width == 0) return "";
  const unsigned int blocks = BlocksFor(rows, kNormWarps);
  if (blocks == 0) return "L2Normalize: too many rows for one launch";
  MBSERVE_DISPATCH_HALF("L2Normalize", dtype, {
    L2NormalizeKernel<T><<<blocks, kNormWarps * 32, 0, stream>>>(static_cast<T*>(x), rows, width);
  });
  MBSERVE_CHECK_LAUNCH("L2NormalizeKernel");
  return "";
}

}  // namespace mbserve::cuda
