// ModernBERT, written once against the device-neutral ops: the encoder over a
// packed batch, and the heads on top of its final states.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "engine/batch.h"
#include "engine/memory.h"
#include "engine/model/config.h"
#include "engine/model/device_context.h"
#include "engine/model/model.h"
#include "engine/model/weights.h"
#include "engine/ops/sequence_layout.h"

namespace mbserve {

class ModernBert final : public Model {
 public:
  // Loads the weights in `dtype` (on the CPU: float32 activations, GEMMs in
  // `dtype`) and sizes the activation buffers for batches of up to
  // max_batch_tokens tokens (and as many sequences).
  static absl::StatusOr<std::unique_ptr<ModernBert>> Load(const std::string& model_dir,
                                                          const ModelConfig& config, Device device,
                                                          DType dtype, int max_batch_tokens);

  const ModelConfig& config() const override { return config_; }
  Backend& backend() const override { return context_.backend(); }
  DType dtype() const { return context_.activation_dtype(); }

  // Runs embeddings, every layer and the final norm (token types are
  // ignored: ModernBERT has none). Afterwards hidden() holds the states
  // [T, H] and layout() the sequences.
  absl::Status Encode(const PackedBatch& batch) override;
  const Tensor& hidden() const override { return normed_; }
  const SequenceLayout& layout() const { return context_.layout(); }

  absl::StatusOr<Tensor> PoolAll(Pooling pooling, bool normalize,
                                 std::span<const int32_t> mean_from) override;
  absl::StatusOr<Tensor> ClassifyAll() override;
  absl::StatusOr<Tensor> MaskedLmLogits(int64_t first, int64_t count) override;

 private:
  ModernBert() = default;
  absl::Status AllocateActivations();
  absl::Status RunLayer(int index);
  // dense -> GELU -> norm of the prediction head, on `rows` rows of `in`.
  absl::Status PredictionHead(const Tensor& in, const Tensor& scratch, const Tensor& out);

  struct RopeTable {
    Buffer cos_buffer, sin_buffer;
    Tensor cos, sin;
  };

  ModelConfig config_;
  DeviceContext context_;
  ModernBertWeights weights_;
  std::map<float, RopeTable> rope_tables_;  // float32, one per distinct theta

  // Activations, sized at load for the largest batch.
  Buffer residual_buffer_, normed_buffer_, qkv_buffer_, attention_buffer_, mlp_in_buffer_,
      mlp_out_buffer_, pooled_buffer_, head_buffer_, logits_buffer_;

  // Views for the current batch.
  Tensor residual_, normed_, qkv_, attention_, mlp_in_, mlp_out_;
};

}  // namespace mbserve
