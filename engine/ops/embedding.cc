#include "engine/ops/embedding.h"

#include "engine/ops/backend.h"
#include "engine/ops/checks.h"
#include "common/status_macros.h"

namespace mbserve {
using ops_internal::CheckDevices;
using ops_internal::CheckTensor;

absl::Status SumEmbeddings(const Tensor& ids, const Tensor& positions, const Tensor& types,
                           const Tensor& word, const Tensor& position, const Tensor& type,
                           const Tensor& out) {
  constexpr char kOp[] = "SumEmbeddings";
  MBSERVE_RETURN_IF_ERROR(
      CheckDevices(kOp, {&ids, &positions, &types, &word, &position, &type, &out}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "ids", ids, DType::kI32, {-1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "positions", positions, DType::kI32, {ids.numel()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "types", types, DType::kI32, {ids.numel()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "word", word, word.dtype(), {-1, -1}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "position", position, word.dtype(), {-1, word.cols()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "type", type, word.dtype(), {-1, word.cols()}));
  MBSERVE_RETURN_IF_ERROR(CheckTensor(kOp, "out", out, word.dtype(), {ids.numel(), word.cols()}));
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(ids.device()));
  backend->SumEmbeddings(ids, positions, types, word, position, type, out);
  return absl::OkStatus();
}

}  // namespace mbserve
