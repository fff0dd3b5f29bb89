// The tokenizer.json "post_processor": TemplateProcessing ("[CLS] $A [SEP]",
// "[CLS] $A [SEP] $B [SEP]", each piece with its type id), BertProcessing
// (that template with the second text and its [SEP] of type 1) or none.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tokenizer/tokenizer.h"

namespace mbserve::tokenizer_internal {

class PostProcessor {
 public:
  // `config` is the "post_processor" value (null for none).
  static absl::StatusOr<PostProcessor> FromJson(const nlohmann::json& config);

  size_t NumSpecialTokensToAdd(bool pair) const;

  // Joins the encoded texts (their sequence_ids already set) in template
  // order with the template's type ids, adding its special tokens when
  // `add_special_tokens`.
  Encoding Process(Encoding first, Encoding* second, bool add_special_tokens) const;

 private:
  struct Piece {
    int sequence = -1;  // 0 = $A, 1 = $B, -1 = special token
    int32_t type_id = 0;
    std::vector<int32_t> ids;
    std::vector<std::string> tokens;
  };
  static absl::StatusOr<std::vector<Piece>> ParseTemplate(const nlohmann::json& config,
                                                          const char* name);
  static absl::StatusOr<PostProcessor> FromBertJson(const nlohmann::json& config);

  std::vector<Piece> single_, pair_;
};

}  // namespace mbserve::tokenizer_internal
