// ModernBERT's weights on one device, loaded from a checkpoint by the names
// transformers uses, each checked against the shape the config implies.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "engine/memory.h"
#include "engine/model/checkpoint.h"
#include "engine/model/config.h"
#include "engine/model/weight_loader.h"
#include "engine/ops/linear.h"

namespace mbserve {

struct LayerWeights {
  Weight attn_norm;     // absent on layer 0, where the norm is the identity
  LinearWeight wqkv;    // [3H, H]: Q rows, then K, then V
  LinearWeight wo;      // [H, H]
  Weight mlp_norm;      // [H]
  LinearWeight wi;      // [2I, H]: GELU input rows, then gate rows
  LinearWeight mlp_wo;  // [H, I]
};

struct ModernBertWeights {
  Weight tok_embeddings;  // [V, H]
  Weight embedding_norm;  // [H]
  std::vector<LayerWeights> layers;
  Weight final_norm;  // [H]
  // Prediction head shared by MaskedLM and SequenceClassification.
  LinearWeight head_dense;  // [H, H]
  Weight head_norm;         // [H]
  // MaskedLM: logits = head(h) @ decoder^T + bias; decoder is the embedding
  // table unless the checkpoint stores decoder.weight.
  LinearWeight decoder;  // [V, H]
  Weight decoder_bias;   // [V]
  // SequenceClassification: logits = head(pooled) @ classifier^T + bias.
  LinearWeight classifier_weight;  // [num_labels, H]
  Weight classifier_bias;          // [num_labels]
};

// Every weight converted to `dtype`, the activation dtype of the backend;
// Linear weights prepared for the device's GEMM, on the CPU in
// `cpu_gemm_dtype` (float32 or bfloat16).
absl::StatusOr<ModernBertWeights> LoadWeights(const Checkpoint& checkpoint,
                                              const ModelConfig& config, Device device, DType dtype,
                                              DType cpu_gemm_dtype);

}  // namespace mbserve
