// The set-up every architecture shares on its device: the backend, looked up
// once at load and handed to every op; the activation dtype; activation
// buffers; and the packed batch's integer inputs (ids, positions, token
// types, cu_seqlens), sized at load and uploaded once per batch; and the
// pooling of the final states, which every architecture does alike.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/batch.h"
#include "engine/memory.h"
#include "engine/model/config.h"
#include "engine/ops/backend.h"
#include "engine/ops/sequence_layout.h"
#include "engine/tensor.h"

namespace mbserve {

class DeviceContext {
 public:
  // For batches of up to max_batch_tokens tokens (and as many sequences).
  // Activations are in `dtype`, except on the CPU, which keeps them in
  // float32 and runs its GEMMs in `dtype`.
  static absl::StatusOr<DeviceContext> Create(Device device, DType dtype, int max_batch_tokens);

  Backend& backend() const { return *backend_; }
  DType activation_dtype() const { return activation_dtype_; }
  int64_t capacity_rows() const { return capacity_rows_; }

  // Room for a [rows, cols] activation.
  absl::StatusOr<Buffer> AllocateActivation(int64_t rows, int64_t cols) const;

  // Copies the batch's ids, positions, token types and cu_seqlens to the
  // device; afterwards the views below describe it.
  absl::Status Upload(const PackedBatch& batch);
  const Tensor& ids() const { return ids_; }              // int32 [T]
  const Tensor& positions() const { return positions_; }  // int32 [T]
  const Tensor& types() const { return types_; }          // int32 [T]
  const SequenceLayout& layout() const { return layout_; }

  // out [n, H] = the cls or mean pooling of `hidden` [T, H] for each
  // sequence of the last upload, L2-normalized when asked. With mean
  // pooling, a non-empty mean_from (one entry >= 0 per sequence) leaves the
  // first mean_from[b] tokens of sequence b out of its mean.
  absl::Status PoolSequences(const Tensor& hidden, Pooling pooling, bool normalize,
                             std::span<const int32_t> mean_from, const Tensor& out);

 private:
  Backend* backend_ = nullptr;
  DType activation_dtype_ = DType::kF32;
  int64_t capacity_rows_ = 0;
  Buffer ids_buffer_, positions_buffer_, types_buffer_, cu_seqlens_buffer_, mean_from_buffer_;

  std::vector<int32_t> host_cu_seqlens_;  // layout_.host_cu_seqlens points here
  SequenceLayout layout_;
  Tensor ids_, positions_, types_;
};

}  // namespace mbserve
