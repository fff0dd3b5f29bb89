// The tokenizer.json WordPiece model (BERT): greedy longest match from the
// start of the word, continuation pieces spelled with a prefix ("##"), and
// the unknown token for a whole word that is too long or cannot be matched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tokenizer/model.h"

namespace mbserve::tokenizer_internal {

class WordPiece : public Model {
 public:
  // `config` is the "model" value, of type WordPiece.
  static absl::StatusOr<std::unique_ptr<WordPiece>> FromJson(const nlohmann::json& config);

  absl::Status Tokenize(std::string_view word, std::vector<ModelPiece>& out) const override;

  const absl::flat_hash_map<std::string, int32_t>& vocab() const override { return vocab_; }

 private:
  absl::flat_hash_map<std::string, int32_t> vocab_;
  std::string continuing_subword_prefix_;
  // Words of more characters are the unknown token whole.
  size_t max_input_chars_per_word_ = 100;
  int32_t unk_id_ = 0;
  // No vocabulary entry is longer; longer candidates need no lookup.
  size_t longest_token_bytes_ = 0;
};

}  // namespace mbserve::tokenizer_internal
