// The tokenizer.json "normalizer": NFC (alone or in a Sequence) or a
// BertNormalizer. Anything else is refused at load, never approximated.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tokenizer/aligned_chars.h"
#include "tokenizer/bert_normalizer.h"
#include "tokenizer/normalized_text.h"

namespace mbserve::tokenizer_internal {

class Normalizer {
 public:
  // `config` is the "normalizer" value (null for none).
  static absl::StatusOr<Normalizer> FromJson(const nlohmann::json& config);

  // Normalizes `piece`, found at `base` in the input, into `out`.
  void Normalize(std::string_view piece, uint32_t base, NormalizedText& out) const;

 private:
  bool nfc_ = false;
  std::optional<BertNormalizer> bert_;
};

// NFC with Hugging Face's alignment rules: a composed character maps to the
// input character of its starter, and each output character consumes input
// characters in order.
void NormalizeNfc(std::string_view piece, uint32_t base, NormalizedText& out);

// NFD of `chars` with the same rules (NormalizedString::nfd); `base` is where
// their piece starts in the input.
void NormalizeNfd(std::span<const AlignedChar> chars, uint32_t base, std::vector<AlignedChar>& out);

}  // namespace mbserve::tokenizer_internal
