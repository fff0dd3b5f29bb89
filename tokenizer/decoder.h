// The tokenizer.json "decoder": ByteLevel, WordPiece or none, turning ids
// back into text.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace mbserve::tokenizer_internal {

class Decoder {
 public:
  // `config` is the "decoder" value (null for none); `id_to_token` holds the
  // token string of every id (empty where no token has that id) and
  // `is_special` marks the special added tokens.
  static absl::StatusOr<Decoder> FromJson(const nlohmann::json& config,
                                          const std::vector<std::string>& id_to_token,
                                          const std::vector<bool>& present,
                                          const std::vector<bool>& is_special);

  absl::StatusOr<std::string> Decode(std::span<const int32_t> ids, bool skip_special_tokens) const;

 private:
  enum class Kind { kNone, kByteLevel, kWordPiece };
  // WordPiece: a token continues the previous word when it starts with the
  // prefix (which is dropped), otherwise a space precedes it.
  void AppendWordPiece(std::string_view token, bool first, std::string& out) const;

  Kind kind_ = Kind::kNone;
  std::string wordpiece_prefix_;
  bool wordpiece_cleanup_ = false;
  // What each id contributes: raw bytes (byte-level) or the token itself.
  std::vector<std::string> pieces_;
  std::vector<bool> present_;
  std::vector<bool> is_special_;
};

}  // namespace mbserve::tokenizer_internal
