// BERT's config.json (model_type "bert"): BertModel encoders such as the
// sentence-transformers embedders, and BertForSequenceClassification
// (cross-encoder rerankers, classifiers).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "engine/model/config.h"

namespace mbserve {

absl::StatusOr<ModelConfig> ParseBertConfig(const std::string& json_text);

}  // namespace mbserve
