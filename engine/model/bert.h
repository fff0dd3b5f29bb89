// BERT (BertModel, BertForSequenceClassification), written against the
// device-neutral ops: word + absolute position + token type embeddings and a
// LayerNorm; per layer a fused QKV projection, full attention, and the
// attention and MLP blocks each closed by residual add and post-LayerNorm;
// the pooler (dense + tanh on [CLS]) and classifier on top.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/batch.h"
#include "engine/memory.h"
#include "engine/model/bert_weights.h"
#include "engine/model/config.h"
#include "engine/model/device_context.h"
#include "engine/model/model.h"

namespace mbserve {

class Bert final : public Model {
 public:
  // Loads the weights in `dtype` (on the CPU: float32 activations, GEMMs in
  // `dtype`) and sizes the activation buffers for batches of up to
  // max_batch_tokens tokens (and as many sequences).
  static absl::StatusOr<std::unique_ptr<Bert>> Load(const std::string& model_dir,
                                                    const ModelConfig& config, Device device,
                                                    DType dtype, int max_batch_tokens);

  const ModelConfig& config() const override { return config_; }
  Backend& backend() const override { return context_.backend(); }
  absl::Status Encode(const PackedBatch& batch) override;
  const Tensor& hidden() const override { return hidden_; }
  absl::StatusOr<Tensor> PoolAll(Pooling pooling, bool normalize,
                                 std::span<const int32_t> mean_from) override;
  absl::StatusOr<Tensor> ClassifyAll() override;
  absl::StatusOr<Tensor> MaskedLmLogits(int64_t first, int64_t count) override;

 private:
  Bert() = default;
  absl::Status AllocateActivations();
  absl::Status RunLayer(int index);

  ModelConfig config_;
  DeviceContext context_;
  BertWeights weights_;

  // Activations, sized at load for the largest batch.
  Buffer hidden_buffer_, qkv_buffer_, attention_buffer_, intermediate_buffer_, pooled_buffer_,
      pooler_out_buffer_, logits_buffer_;

  // Views for the current batch.
  Tensor hidden_, qkv_, attention_, intermediate_;
};

}  // namespace mbserve
