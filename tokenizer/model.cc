#include "tokenizer/model.h"

#include "absl/strings/str_cat.h"
#include "tokenizer/bpe.h"
#include "tokenizer/wordpiece.h"

namespace mbserve::tokenizer_internal {

absl::StatusOr<std::unique_ptr<Model>> Model::FromJson(const nlohmann::json& config,
                                                       bool byte_level) {
  if (!config.is_object())
    return absl::InvalidArgumentError("tokenizer.json has no \"model\" object");
  const std::string type = config.contains("type") && config["type"].is_string()
                               ? config["type"].get<std::string>()
                               : "";
  if (type == "BPE") {
    auto bpe = Bpe::FromJson(config, byte_level);
    if (!bpe.ok()) return bpe.status();
    return std::unique_ptr<Model>(std::move(bpe).value());
  }
  if (type == "WordPiece") {
    if (byte_level) {
      return absl::UnimplementedError(
          "model WordPiece after a ByteLevel pre-tokenizer is unsupported");
    }
    auto wordpiece = WordPiece::FromJson(config);
    if (!wordpiece.ok()) return wordpiece.status();
    return std::unique_ptr<Model>(std::move(wordpiece).value());
  }
  return absl::UnimplementedError(
      absl::StrCat("model type \"", type, "\" is unsupported (supported: BPE, WordPiece)"));
}

absl::Status ParseVocab(const nlohmann::json& config,
                        absl::flat_hash_map<std::string, int32_t>& vocab) {
  if (!config.contains("vocab") || !config["vocab"].is_object()) {
    return absl::InvalidArgumentError("model.vocab must be an object of token to id");
  }
  for (const auto& [token, id] : config["vocab"].items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX) {
      return absl::InvalidArgumentError(
          absl::StrCat("model.vocab[\"", token, "\"]: id must be an integer in [0, 2^31)"));
    }
    vocab[token] = static_cast<int32_t>(id.get<int64_t>());
  }
  return absl::OkStatus();
}

}  // namespace mbserve::tokenizer_internal
