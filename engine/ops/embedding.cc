#include "engine/ops/embedding.h"

#include <string>

#include "common/status_macros.h"
#include "engine/ops/checks.h"
#include "engine/ops/dispatch.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

// The kernels (see dispatch.h), summing in transformers' order:
// (word + type) + position.
namespace cpu {  // embedding_cpu.cc
void SumEmbeddings(const Tensor& ids, const Tensor& positions, const Tensor& types,
                   const Tensor& word, const Tensor& position, const Tensor& type,
                   const Tensor& out);
}  // namespace cpu
namespace cuda {  // embedding_cuda.cu
std::string LaunchSumEmbeddings(DType dtype, const int32_t* ids, const int32_t* positions,
                                const int32_t* types, const void* word, const void* position,
                                const void* type, int64_t rows, int64_t hidden, void* out,
                                Stream stream);
}  // namespace cuda

absl::Status SumEmbeddings(Backend& backend, const Tensor& ids, const Tensor& positions,
                           const Tensor& types, const Tensor& word, const Tensor& position,
                           const Tensor& type, const Tensor& out) {
  constexpr char kOp[] = "SumEmbeddings";
  MBSERVE_RETURN_IF_ERROR(
      CheckDevices(kOp, backend, {&ids, &positions, &types, &word, &position, &type, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "ids", ids, DType::kI32, {-1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "positions", positions, DType::kI32, {ids.numel()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "types", types, DType::kI32, {ids.numel()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "word", word, word.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "position", position, word.dtype(), {-1, word.cols()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "type", type, word.dtype(), {-1, word.cols()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "out", out, word.dtype(), {ids.numel(), word.cols()}));
  return Dispatch(
      backend, kOp,
      [&](CpuBackend&) { cpu::SumEmbeddings(ids, positions, types, word, position, type, out); },
      [&](auto& gpu) {
        return cuda::LaunchSumEmbeddings(word.dtype(), ids.data<int32_t>(),
                                         positions.data<int32_t>(), types.data<int32_t>(),
                                         word.raw(), position.raw(), type.raw(), out.rows(),
                                         out.cols(), out.raw(), gpu.stream());
      });
}

}  // namespace mbserve
