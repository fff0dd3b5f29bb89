// ModernBERT's config.json, in both the transformers v4 format
// (global_rope_theta, global_attn_every_n_layers, ...) and the newer one
// (layer_types + rope_parameters), parsed into one shape.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mbserve {

enum class Pooling { kCls, kMean };
const char* PoolingName(Pooling pooling);

enum class HeadKind {
  kNone,                    // ModernBertModel: hidden states only
  kMaskedLm,                // ModernBertForMaskedLM
  kSequenceClassification,  // ModernBertForSequenceClassification
};

struct LayerSpec {
  bool global = true;       // full attention; otherwise sliding window
  float rope_theta = 0.0f;  // theta of this layer's rotary embedding
};

struct ModelConfig {
  std::string architecture;  // as written in "architectures", or "ModernBertModel"
  HeadKind head = HeadKind::kNone;
  int vocab_size = 0;
  int hidden_size = 0;
  int intermediate_size = 0;  // width of one GeGLU half
  int num_layers = 0;
  int num_heads = 0;
  int head_dim = 0;
  int max_position_embeddings = 0;
  // Keys within |i - j| <= half_window are attended on sliding layers
  // (local_attention / 2).
  int half_window = 0;
  float norm_eps = 1e-5f;
  Pooling classifier_pooling = Pooling::kCls;
  std::vector<LayerSpec> layers;
  std::vector<std::string> id2label;  // index = class id; empty without a head
  std::string torch_dtype;            // informational

  int num_labels() const { return static_cast<int>(id2label.size()); }
};

absl::StatusOr<ModelConfig> ParseModelConfig(const std::string& json_text);
absl::StatusOr<ModelConfig> LoadModelConfig(const std::string& path);

}  // namespace mbserve
