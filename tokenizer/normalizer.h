// The tokenizer.json "normalizer": NFC, alone or in a Sequence. Anything else
// is refused at load, never approximated.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
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
};

// NFC with Hugging Face's alignment rules: a composed character maps to the
// input character of its starter, and each output character consumes input
// characters in order.
void NormalizeNfc(std::string_view piece, uint32_t base, NormalizedText& out);

}  // namespace mbserve::tokenizer_internal
