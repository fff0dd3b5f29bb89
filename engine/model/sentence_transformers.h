// The sentence-transformers files beside a checkpoint: modules.json,
// 1_Pooling/config.json (or wherever modules.json points), and the prompts of
// config_sentence_transformers.json. All optional.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "engine/model/config.h"

namespace mbserve {

struct SentenceTransformersConfig {
  bool present = false;               // modules.json was found
  std::optional<Pooling> pooling;     // from the Pooling module's config
  bool include_prompt = true;         // Pooling's include_prompt
  bool normalize = false;             // a Normalize module follows pooling
  std::optional<int> max_seq_length;  // sentence_bert_config.json
  std::map<std::string, std::string> prompts;
  std::string default_prompt_name;  // may be empty
};

// Reads whichever of the files exist in model_dir; a file that exists but is
// malformed or asks for something unsupported is an error. So is a
// max_seq_length above the model's max_position_embeddings: sentence-
// transformers itself would fail on such inputs, and silently truncating
// shorter would give embeddings it never computes, so the folder is
// rejected and the operator fixes the file.
absl::StatusOr<SentenceTransformersConfig> LoadSentenceTransformersConfig(
    const std::string& model_dir, const ModelConfig& model);

}  // namespace mbserve
