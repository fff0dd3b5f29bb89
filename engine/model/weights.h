// ModernBERT's weights on one device, loaded from a checkpoint by the names
// transformers uses, each checked against the shape the config implies.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "engine/memory.h"
#include "engine/model/checkpoint.h"
#include "engine/model/config.h"

namespace mbserve {

// A buffer and the shaped view of it the ops take.
struct Weight {
  Buffer buffer;
  Tensor tensor;

  bool loaded() const { return !tensor.empty(); }
};

struct LayerWeights {
  Weight attn_norm;  // absent on layer 0, where the norm is the identity
  Weight wqkv;       // [3H, H]: Q rows, then K, then V
  Weight wo;         // [H, H]
  Weight mlp_norm;   // [H]
  Weight wi;         // [2I, H]: GELU input rows, then gate rows
  Weight mlp_wo;     // [H, I]
};

struct ModernBertWeights {
  Weight tok_embeddings;  // [V, H]
  Weight embedding_norm;  // [H]
  std::vector<LayerWeights> layers;
  Weight final_norm;  // [H]
  // Prediction head shared by MaskedLM and SequenceClassification.
  Weight head_dense;  // [H, H]
  Weight head_norm;   // [H]
  // MaskedLM: logits = head(h) @ decoder^T + bias; decoder is the embedding
  // table unless the checkpoint stores decoder.weight.
  Weight decoder_weight;  // [V, H] or not loaded
  Weight decoder_bias;    // [V]
  // SequenceClassification: logits = head(pooled) @ classifier^T + bias.
  Weight classifier_weight;  // [num_labels, H]
  Weight classifier_bias;    // [num_labels]

  const Tensor& decoder() const {
    return decoder_weight.loaded() ? decoder_weight.tensor : tok_embeddings.tensor;
  }
};

// Every weight converted to `dtype`, the activation dtype of the backend.
absl::StatusOr<ModernBertWeights> LoadWeights(const Checkpoint& checkpoint,
                                              const ModelConfig& config, Device device,
                                              DType dtype);

}  // namespace mbserve
