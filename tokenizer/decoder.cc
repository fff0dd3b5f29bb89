#include "tokenizer/decoder.h"

#include "absl/strings/str_cat.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {

absl::StatusOr<Decoder> Decoder::FromJson(const nlohmann::json& config,
                                          const std::vector<std::string>& id_to_token,
                                          const std::vector<bool>& present,
                                          const std::vector<bool>& is_special) {
  Decoder decoder;
  if (!config.is_null()) {
    const std::string type = config.is_object() ? config.value("type", std::string()) : "";
    if (type != "ByteLevel") {
      return absl::UnimplementedError(
          absl::StrCat("decoder type \"", type, "\" is unsupported (supported: ByteLevel)"));
    }
    decoder.byte_level_ = true;
  }
  decoder.present_ = present;
  decoder.is_special_ = is_special;
  decoder.pieces_.reserve(id_to_token.size());
  for (const std::string& token : id_to_token) {
    // A token outside the byte alphabet (an added token such as a run of
    // spaces) stands for its own UTF-8 bytes, as in the Rust library.
    std::optional<std::string> bytes = decoder.byte_level_ ? ByteLevelToBytes(token) : std::nullopt;
    decoder.pieces_.push_back(bytes ? std::move(*bytes) : token);
  }
  return decoder;
}

absl::StatusOr<std::string> Decoder::Decode(std::span<const int32_t> ids,
                                            bool skip_special_tokens) const {
  std::string joined;
  bool first = true;
  for (size_t i = 0; i < ids.size(); ++i) {
    const int32_t id = ids[i];
    if (id < 0 || static_cast<size_t>(id) >= present_.size() || !present_[id]) {
      return absl::OutOfRangeError(
          absl::StrCat("ids[", i, "] = ", id, " is not in the vocabulary"));
    }
    if (skip_special_tokens && is_special_[id]) continue;
    // Without a decoder the Rust library joins tokens with spaces.
    if (!byte_level_ && !first) joined.push_back(' ');
    joined.append(pieces_[id]);
    first = false;
  }
  if (!byte_level_) return joined;
  std::string text;
  text.reserve(joined.size());
  AppendUtf8Lossy(joined, text);
  return text;
}

}  // namespace mbserve::tokenizer_internal
