// BERT's weights on one device, loaded by the names transformers uses (with
// or without the "bert." prefix of BertForSequenceClassification).
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "engine/model/checkpoint.h"
#include "engine/model/config.h"
#include "engine/model/weight_loader.h"
#include "engine/ops/linear.h"

namespace mbserve {

struct BertLayerWeights {
  LinearWeight qkv;  // [3H, H]: query rows, then key, then value
  Weight qkv_bias;   // [3H]
  LinearWeight attention_out;
  Weight attention_out_bias, attention_norm_gamma, attention_norm_beta;  // [H]
  LinearWeight intermediate;                                             // [I, H]
  Weight intermediate_bias;                                              // [I]
  LinearWeight output;                                                   // [H, I]
  Weight output_bias, output_norm_gamma, output_norm_beta;               // [H]
};

struct BertWeights {
  Weight word_embeddings;                            // [V, H]
  Weight position_embeddings;                        // [max_position_embeddings, H]
  Weight type_embeddings;                            // [type_vocab_size, H]
  Weight embedding_norm_gamma, embedding_norm_beta;  // [H]
  std::vector<BertLayerWeights> layers;
  // BertForSequenceClassification: logits = classifier(tanh(pooler([CLS]))).
  LinearWeight pooler;      // [H, H]
  Weight pooler_bias;       // [H]
  LinearWeight classifier;  // [num_labels, H]
  Weight classifier_bias;   // [num_labels]
};

// Every weight converted to `dtype`, the activation dtype of the backend;
// Linear weights prepared for the device's GEMM, on the CPU in
// `cpu_gemm_dtype`.
absl::StatusOr<BertWeights> LoadBertWeights(const Checkpoint& checkpoint, const ModelConfig& config,
                                            Device device, DType dtype, DType cpu_gemm_dtype);

}  // namespace mbserve
