#include "tokenizer/wordpiece.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "tokenizer/absl_view.h"
#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {

absl::StatusOr<std::unique_ptr<WordPiece>> WordPiece::FromJson(const nlohmann::json& config) {
  auto model = std::unique_ptr<WordPiece>(new WordPiece());
  MBSERVE_RETURN_IF_ERROR(ParseVocab(config, model->vocab_));
  for (const auto& [token, id] : model->vocab_) {
    model->longest_token_bytes_ = std::max(model->longest_token_bytes_, token.size());
  }
  const nlohmann::json prefix = config.value("continuing_subword_prefix", nlohmann::json("##"));
  if (!prefix.is_string()) {
    return absl::InvalidArgumentError("model.continuing_subword_prefix must be a string");
  }
  model->continuing_subword_prefix_ = prefix.get<std::string>();
  const nlohmann::json max_chars = config.value("max_input_chars_per_word", nlohmann::json(100));
  if (!max_chars.is_number_integer() || max_chars.get<int64_t>() < 0) {
    return absl::InvalidArgumentError(
        "model.max_input_chars_per_word must be a non-negative integer");
  }
  model->max_input_chars_per_word_ = static_cast<size_t>(max_chars.get<int64_t>());
  const nlohmann::json unk = config.value("unk_token", nlohmann::json("[UNK]"));
  if (!unk.is_string()) return absl::InvalidArgumentError("model.unk_token must be a string");
  auto it = model->vocab_.find(unk.get<std::string>());
  if (it == model->vocab_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model.unk_token \"", unk.get<std::string>(), "\" is not in model.vocab"));
  }
  model->unk_id_ = it->second;
  return model;
}

absl::Status WordPiece::Tokenize(std::string_view word, std::vector<ModelPiece>& out) const {
  const auto whole_word_unknown = [&] {
    out.push_back({unk_id_, static_cast<uint32_t>(word.size())});
    return absl::OkStatus();
  };
  size_t chars = 0;
  for (unsigned char byte : word) chars += !IsUtf8Continuation(byte);
  if (chars > max_input_chars_per_word_) return whole_word_unknown();

  const size_t first = out.size();
  std::string candidate;
  size_t start = 0;
  while (start < word.size()) {
    // Longest match first: shrink the candidate one character at a time.
    const std::string_view prefix =
        start > 0 ? std::string_view(continuing_subword_prefix_) : std::string_view();
    size_t end = std::min(
        word.size(),
        start + (longest_token_bytes_ > prefix.size() ? longest_token_bytes_ - prefix.size() : 0));
    while (end > start && end < word.size() && IsUtf8Continuation(static_cast<uint8_t>(word[end])))
      --end;
    bool found = false;
    while (end > start) {
      candidate.assign(prefix);
      candidate.append(word.substr(start, end - start));
      if (auto it = vocab_.find(AbslView(candidate)); it != vocab_.end()) {
        out.push_back({it->second, static_cast<uint32_t>(end - start)});
        found = true;
        break;
      }
      do {
        --end;
      } while (end > start && IsUtf8Continuation(static_cast<uint8_t>(word[end])));
    }
    if (!found) {
      out.resize(first);
      return whole_word_unknown();
    }
    start = end;
  }
  return absl::OkStatus();
}

}  // namespace mbserve::tokenizer_internal
