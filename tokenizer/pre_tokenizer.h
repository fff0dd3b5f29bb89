// The tokenizer.json "pre_tokenizer": ByteLevel, Split (PCRE2),
// BertPreTokenizer and Sequence.
// It cuts a normalized piece into the words the model encodes one by one.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tokenizer/normalized_text.h"
#include "tokenizer/regex_split.h"

namespace mbserve::tokenizer_internal {

class PreTokenizer {
 public:
  // `config` is the "pre_tokenizer" value (null for none).
  static absl::StatusOr<PreTokenizer> FromJson(const nlohmann::json& config);

  // True when a ByteLevel step maps the words to bytes, so the model's
  // vocabulary is written in the byte-level alphabet.
  bool byte_level() const { return byte_level_; }
  // True when each piece gets a leading space (ByteLevel add_prefix_space).
  bool add_prefix_space() const { return add_prefix_space_; }

  // Appends the words of text[begin, end), one piece of normalized text
  // (after any prefix space was prepended), as byte ranges of `text`.
  absl::Status Split(std::string_view text, size_t begin, size_t end,
                     std::vector<ByteRange>& words) const;

 private:
  struct Step {
    enum Kind { kGpt2, kRegex, kBert } kind;
    std::shared_ptr<const RegexSplit> regex;  // for kRegex
  };
  absl::Status Add(const nlohmann::json& config);

  std::vector<Step> steps_;
  bool byte_level_ = false;
  bool add_prefix_space_ = false;
};

}  // namespace mbserve::tokenizer_internal
