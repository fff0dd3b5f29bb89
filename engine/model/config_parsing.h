// What the config.json parsers of every architecture share: errors in one
// wording, the fields every encoder has (read from one table, with one set
// of bounds), and the classification labels.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/model/config.h"
#include "nlohmann/json.hpp"

namespace mbserve::config_internal {

inline constexpr char kSource[] = "config.json";

// Upper bounds far above every released encoder (ModernBERT-large: vocab
// 50368, hidden 1024, 28 layers, 8192 positions). They turn a typo or a
// hostile value into a clear error before anything is sized from it.
inline constexpr int kMaxVocabSize = 1 << 21;  // the largest hub vocabularies have ~256k
inline constexpr int kMaxHiddenSize = 1 << 16;
inline constexpr int kMaxIntermediateSize = 1 << 18;
inline constexpr int kMaxLayers = 1024;
inline constexpr int kMaxPositions = 1 << 17;
inline constexpr int kMaxHeadDim = 1024;
inline constexpr int kMaxLabels = 1 << 16;
// A window wider than every sequence is full attention, so there is no
// reason for one beyond twice the longest sequence.
inline constexpr int kMaxLocalAttention = 2 * kMaxPositions;
// norm_eps is added to a variance: it must be positive (0 divides by zero
// on an all-equal row, a negative one gives NaN) and is at most 1 in any
// sensible model.
inline constexpr double kMaxNormEps = 1.0;

// An architecture's defaults for the fields every encoder has, and the key
// its norm epsilon goes by.
struct SharedFieldDefaults {
  int vocab_size;
  int hidden_size;
  int intermediate_size;
  int num_hidden_layers;
  int num_attention_heads;
  int max_position_embeddings;
  const char* norm_eps_key;  // "norm_eps" (ModernBERT), "layer_norm_eps" (BERT)
  float norm_eps;
};

// Reads vocab_size, hidden_size, intermediate_size, num_hidden_layers,
// num_attention_heads (at most hidden_size), max_position_embeddings, the
// norm epsilon and torch_dtype (or dtype) into out, each within the bounds
// above; an error names the field and its limit.
absl::Status ParseSharedFields(const nlohmann::json& config, const SharedFieldDefaults& defaults,
                               ModelConfig& out);

// Unimplemented: "config.json: unsupported <field> <value>; mbserve supports <allowed>".
absl::Status Unsupported(absl::string_view field, absl::string_view value,
                         absl::string_view allowed);

// out.id2label from id2label / num_labels when out.head is a classifier.
absl::Status ParseLabels(const nlohmann::json& config, ModelConfig& out);

}  // namespace mbserve::config_internal
