// The tokenizer.json "BertNormalizer": clean_text (drop controls, whitespace
// to " "), handle_chinese_chars (spaces around CJK ideographs), strip_accents
// (NFD, then drop non-spacing marks; null follows lowercase) and lowercase,
// in that order, with Hugging Face's alignments back to the input.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tokenizer/normalized_text.h"

namespace mbserve::tokenizer_internal {

class BertNormalizer {
 public:
  // `config` is a normalizer object of type BertNormalizer.
  static absl::StatusOr<BertNormalizer> FromJson(const nlohmann::json& config);

  // Normalizes `piece`, found at `base` in the input, into `out`.
  void Normalize(std::string_view piece, uint32_t base, NormalizedText& out) const;

 private:
  // ASCII without characters clean_text drops: every step maps one byte to
  // one byte, so the alignment stays the identity.
  bool NormalizeAscii(std::string_view piece, uint32_t base, NormalizedText& out) const;

  bool clean_text_ = true;
  bool handle_chinese_chars_ = true;
  bool strip_accents_ = true;
  bool lowercase_ = true;
};

}  // namespace mbserve::tokenizer_internal
