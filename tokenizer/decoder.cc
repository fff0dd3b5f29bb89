#include "tokenizer/decoder.h"

#include "absl/strings/str_cat.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {

namespace {

// Hugging Face's WordPiece cleanup: spaces before punctuation and English
// contractions, replaced in this order in each token.
constexpr std::pair<std::string_view, std::string_view> kCleanup[] = {
    {" .", "."},   {" ?", "?"},     {" !", "!"},     {" ,", ","},
    {" ' ", "'"},  {" n't", "n't"}, {" 'm", "'m"},   {" do not", " don't"},
    {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
};

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
}

}  // namespace

absl::StatusOr<Decoder> Decoder::FromJson(const nlohmann::json& config,
                                          const std::vector<std::string>& id_to_token,
                                          const std::vector<bool>& present,
                                          const std::vector<bool>& is_special) {
  Decoder decoder;
  if (!config.is_null()) {
    const std::string type = config.is_object() ? config.value("type", std::string()) : "";
    if (type == "ByteLevel") {
      decoder.kind_ = Kind::kByteLevel;
    } else if (type == "WordPiece") {
      decoder.kind_ = Kind::kWordPiece;
      const nlohmann::json prefix = config.value("prefix", nlohmann::json("##"));
      const nlohmann::json cleanup = config.value("cleanup", nlohmann::json(true));
      if (!prefix.is_string() || !cleanup.is_boolean()) {
        return absl::InvalidArgumentError(
            "decoder WordPiece: \"prefix\" must be a string and \"cleanup\" a boolean");
      }
      decoder.wordpiece_prefix_ = prefix.get<std::string>();
      decoder.wordpiece_cleanup_ = cleanup.get<bool>();
    } else {
      return absl::UnimplementedError(absl::StrCat(
          "decoder type \"", type, "\" is unsupported (supported: ByteLevel, WordPiece)"));
    }
  }
  decoder.present_ = present;
  decoder.is_special_ = is_special;
  decoder.pieces_.reserve(id_to_token.size());
  for (const std::string& token : id_to_token) {
    // A token outside the byte alphabet (an added token such as a run of
    // spaces) stands for its own UTF-8 bytes, as in the Rust library.
    std::optional<std::string> bytes =
        decoder.kind_ == Kind::kByteLevel ? ByteLevelToBytes(token) : std::nullopt;
    decoder.pieces_.push_back(bytes ? std::move(*bytes) : token);
  }
  return decoder;
}

void Decoder::AppendWordPiece(std::string_view token, bool first, std::string& out) const {
  std::string piece;
  if (first) {
    piece = token;
  } else if (token.substr(0, wordpiece_prefix_.size()) == wordpiece_prefix_) {
    piece = token.substr(wordpiece_prefix_.size());
  } else {
    piece = " ";
    piece.append(token);
  }
  if (wordpiece_cleanup_) {
    for (const auto& [from, to] : kCleanup) ReplaceAll(piece, from, to);
  }
  out.append(piece);
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
    if (kind_ == Kind::kWordPiece) {
      AppendWordPiece(pieces_[id], first, joined);
    } else {
      // Without a decoder the Rust library joins tokens with spaces.
      if (kind_ == Kind::kNone && !first) joined.push_back(' ');
      joined.append(pieces_[id]);
    }
    first = false;
  }
  if (kind_ != Kind::kByteLevel) return joined;
  std::string text;
  text.reserve(joined.size());
  AppendUtf8Lossy(joined, text);
  return text;
}

}  // namespace mbserve::tokenizer_internal
