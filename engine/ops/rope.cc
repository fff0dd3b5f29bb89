#include "engine/ops/rope.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/ops/checks.h"
#include "engine/ops/dispatch.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

// The kernels (see dispatch.h): GPT-NeoX "rotate_half" of the Q and K thirds
// of each row, with the float32 cos/sin rows picked by positions[r].
namespace cpu {  // rope_cpu.cc
void ApplyRope(const Tensor& qkv, const Tensor& positions, const Tensor& cos, const Tensor& sin,
               int num_heads);
}  // namespace cpu
namespace cuda {  // rope_cuda.cu; rows whose position is outside [0, max_positions) stay
std::string LaunchRope(DType dtype, void* qkv, const int32_t* positions, const float* cos,
                       const float* sin, int64_t rows, int num_heads, int head_dim,
                       int64_t max_positions, Stream stream);
}  // namespace cuda

RopeTableHost ComputeRopeTable(float theta, int head_dim, int max_positions) {
  const int half = head_dim / 2;
  std::vector<float> inv_freq(half);
  for (int k = 0; k < half; ++k) {
    const float exponent = static_cast<float>(2 * k) / static_cast<float>(head_dim);
    inv_freq[k] = 1.0f / static_cast<float>(std::pow(static_cast<double>(theta), exponent));
  }
  RopeTableHost table;
  table.cos.resize(static_cast<size_t>(max_positions) * half);
  table.sin.resize(table.cos.size());
  for (int p = 0; p < max_positions; ++p) {
    for (int k = 0; k < half; ++k) {
      const float angle = static_cast<float>(p) * inv_freq[k];
      table.cos[static_cast<size_t>(p) * half + k] = std::cos(angle);
      table.sin[static_cast<size_t>(p) * half + k] = std::sin(angle);
    }
  }
  return table;
}

absl::Status ApplyRope(Backend& backend, const Tensor& qkv, const Tensor& positions,
                       const Tensor& cos, const Tensor& sin, int num_heads) {
  MBSERVE_RETURN_IF_ERROR(CheckDevices("ApplyRope", backend, {&qkv, &positions, &cos, &sin}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor("ApplyRope", "positions", positions, DType::kI32, {-1}));
  // The tables stay float32 whatever the activations are: rounding cos and
  // sin to 16 bits costs accuracy at long positions.
  MBSERVE_RETURN_IF_ERROR(CheckTensor("ApplyRope", "cos", cos, DType::kF32, {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(
      CheckTensor("ApplyRope", "sin", sin, DType::kF32, {cos.dim(0), cos.dim(1)}));
  if (num_heads <= 0 || qkv.cols() % (3 * num_heads) != 0 ||
      qkv.cols() / (3 * num_heads) != 2 * cos.cols()) {
    return absl::InvalidArgumentError(absl::StrCat("ApplyRope: qkv has ", qkv.cols(),
                                                   " columns, which is not 3 * ", num_heads,
                                                   " heads * head_dim ", 2 * cos.cols()));
  }
  // Rows past positions.numel() are GEMM row padding and are left alone.
  if (qkv.rows() < positions.numel()) {
    return absl::InvalidArgumentError(absl::StrCat("ApplyRope: qkv has ", qkv.rows(), " rows for ",
                                                   positions.numel(), " positions"));
  }
  return Dispatch(
      backend, "ApplyRope",
      [&](CpuBackend&) { cpu::ApplyRope(qkv, positions, cos, sin, num_heads); },
      [&](auto& gpu) {
        return cuda::LaunchRope(qkv.dtype(), qkv.raw(), positions.data<int32_t>(),
                                cos.data<float>(), sin.data<float>(), positions.numel(), num_heads,
                                static_cast<int>(2 * cos.cols()), cos.dim(0), gpu.stream());
      });
}

}  // namespace mbserve
