// The model configuration every architecture parses its config.json into,
// and ModernBERT's parser: both the transformers v4 format
// (global_rope_theta, global_attn_every_n_layers, ...) and the newer one
// (layer_types + rope_parameters). BERT's parser is in bert_config.h;
// registry.h picks the parser from model_type.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mbserve {

enum class Pooling { kCls, kMean };
const char* PoolingName(Pooling pooling);

enum class HeadKind {
  kNone,                    // ModernBertModel, BertModel: hidden states only
  kMaskedLm,                // ModernBertForMaskedLM
  kSequenceClassification,  // ModernBertForSequenceClassification, BertForSequenceClassification
};

// ModernBERT only.
struct LayerSpec {
  bool global = true;       // full attention; otherwise sliding window
  float rope_theta = 0.0f;  // theta of this layer's rotary embedding
};

struct ModelConfig {
  std::string model_type;    // "modernbert" or "bert"; picks the Model (registry.h)
  std::string architecture;  // as written in "architectures", or the base model's name
  HeadKind head = HeadKind::kNone;
  int vocab_size = 0;
  // Token types (segments) the model embeds; 0 when it has none and ignores
  // PackedBatch::token_type_ids (ModernBERT).
  int type_vocab_size = 0;
  int hidden_size = 0;
  int intermediate_size = 0;  // ModernBERT: width of one GeGLU half; BERT: the MLP width
  int num_layers = 0;
  int num_heads = 0;
  int head_dim = 0;
  int max_position_embeddings = 0;
  // ModernBERT: keys within |i - j| <= half_window are attended on sliding layers
  // (local_attention / 2).
  int half_window = 0;
  float norm_eps = 1e-5f;  // ModernBERT's norm_eps, BERT's layer_norm_eps
  Pooling classifier_pooling = Pooling::kCls;
  std::vector<LayerSpec> layers;      // ModernBERT only
  std::vector<std::string> id2label;  // index = class id; empty without a head
  std::string torch_dtype;            // informational

  int num_labels() const { return static_cast<int>(id2label.size()); }
};

// A ModernBERT config.json (model_type "modernbert" or absent).
absl::StatusOr<ModelConfig> ParseModernBertConfig(const std::string& json_text);

}  // namespace mbserve
