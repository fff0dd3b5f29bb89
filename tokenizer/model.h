// The tokenizer.json "model": what turns one pre-tokenized word into ids.
// BPE (bpe.h) and WordPiece (wordpiece.h) implement it; FromJson picks one
// from model.type.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace mbserve::tokenizer_internal {

// One token of a word: consecutive pieces cover the word exactly.
struct ModelPiece {
  int32_t id;
  uint32_t length;  // bytes of the word it covers
};

class Model {
 public:
  // `config` is the "model" value; `byte_level` is true when a ByteLevel
  // pre-tokenizer maps words to the byte alphabet.
  static absl::StatusOr<std::unique_ptr<Model>> FromJson(const nlohmann::json& config,
                                                         bool byte_level);

  virtual ~Model() = default;

  // Appends the pieces of `word` (non-empty); fails only when the model needs
  // an unknown token it does not have.
  virtual absl::Status Tokenize(std::string_view word, std::vector<ModelPiece>& out) const = 0;

  // The vocabulary as tokenizer.json writes it.
  virtual const absl::flat_hash_map<std::string, int32_t>& vocab() const = 0;
};

// Reads model.vocab (token to id, ids in [0, 2^31)) into `vocab`.
absl::Status ParseVocab(const nlohmann::json& config,
                        absl::flat_hash_map<std::string, int32_t>& vocab);

}  // namespace mbserve::tokenizer_internal
