#include "engine/model/device_context.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/ops/pooling.h"

namespace mbserve {

absl::StatusOr<DeviceContext> DeviceContext::Create(Device device, DType dtype,
                                                    int max_batch_tokens) {
  DeviceContext context;
  MBSERVE_ASSIGN_OR_RETURN(context.backend_, GetBackend(device));
  context.activation_dtype_ = device.is_cpu() ? DType::kF32 : dtype;
  context.capacity_rows_ = max_batch_tokens;
  const size_t int_bytes = static_cast<size_t>(max_batch_tokens) * sizeof(int32_t);
  Backend& backend = *context.backend_;
  // A batch has at most as many sequences as tokens, so mean_from fits too.
  for (Buffer* ints : {&context.ids_buffer_, &context.positions_buffer_, &context.types_buffer_,
                       &context.mean_from_buffer_}) {
    MBSERVE_ASSIGN_OR_RETURN(*ints, Buffer::Allocate(backend, int_bytes));
  }
  MBSERVE_ASSIGN_OR_RETURN(context.cu_seqlens_buffer_,
                           Buffer::Allocate(backend, int_bytes + sizeof(int32_t)));
  return context;
}

absl::StatusOr<Buffer> DeviceContext::AllocateActivation(int64_t rows, int64_t cols) const {
  return Buffer::Allocate(*backend_,
                          static_cast<size_t>(rows * cols) * DTypeSize(activation_dtype_));
}

absl::Status DeviceContext::Upload(const PackedBatch& batch) {
  const int64_t rows = batch.num_tokens();
  if (rows > capacity_rows_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch of ", rows, " tokens exceeds the engine's buffers of ", capacity_rows_, " rows"));
  }
  const size_t int_bytes = rows * sizeof(int32_t);
  ids_ = ids_buffer_.View(DType::kI32, {rows});
  positions_ = positions_buffer_.View(DType::kI32, {rows});
  types_ = types_buffer_.View(DType::kI32, {rows});
  MBSERVE_RETURN_IF_ERROR(CopyFromHost(*backend_, batch.token_ids.data(), int_bytes, ids_));
  MBSERVE_RETURN_IF_ERROR(CopyFromHost(*backend_, batch.positions.data(), int_bytes, positions_));
  MBSERVE_RETURN_IF_ERROR(CopyFromHost(*backend_, batch.token_type_ids.data(), int_bytes, types_));

  host_cu_seqlens_ = batch.cu_seqlens;
  const int64_t boundaries = static_cast<int64_t>(host_cu_seqlens_.size());
  layout_.host_cu_seqlens = host_cu_seqlens_;
  layout_.cu_seqlens = cu_seqlens_buffer_.View(DType::kI32, {boundaries});
  layout_.max_seqlen = batch.max_seqlen;
  return CopyFromHost(*backend_, host_cu_seqlens_.data(), boundaries * sizeof(int32_t),
                      layout_.cu_seqlens);
}

absl::Status DeviceContext::PoolSequences(const Tensor& hidden, Pooling pooling, bool normalize,
                                          std::span<const int32_t> mean_from, const Tensor& out) {
  Tensor skip;
  if (!mean_from.empty()) {
    skip = mean_from_buffer_.View(DType::kI32, {static_cast<int64_t>(mean_from.size())});
    MBSERVE_RETURN_IF_ERROR(
        CopyFromHost(*backend_, mean_from.data(), mean_from.size_bytes(), skip));
  }
  MBSERVE_RETURN_IF_ERROR(Pool(*backend_, hidden, layout_, pooling == Pooling::kMean, skip, out));
  if (normalize) MBSERVE_RETURN_IF_ERROR(L2Normalize(*backend_, out));
  return absl::OkStatus();
}

}  // namespace mbserve
