// Characters with the input range each came from, and Hugging Face's way of
// rewriting them (NormalizedString::transform): each output character says
// whether it replaces the next input character (0), is inserted (1), or
// replaces it and removes the n after it (-n). Normalizers that add, drop or
// reorder characters (NFC, NFD, BertNormalizer) produce such a list.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "tokenizer/normalized_text.h"

namespace mbserve::tokenizer_internal {

struct AlignedChar {
  char32_t cp;
  ByteRange input;  // the input bytes it stands for
};

struct ChangedChar {
  char32_t cp;
  int change;  // 1 inserted, 0 replaces one input character, -n also removes n
};

// The characters of valid UTF-8 `piece`, found at `base` in the input.
void DecodeAligned(std::string_view piece, uint32_t base, std::vector<AlignedChar>& out);

// Replays `changes` over `in` into `out`. An inserted character takes the
// range of the last input character consumed so far (removed ones included),
// or (base, base) before any.
void ApplyChanges(std::span<const AlignedChar> in, std::span<const ChangedChar> changes,
                  uint32_t base, std::vector<AlignedChar>& out);

// `chars` as normalized text with its map back to the input.
void SetAligned(std::span<const AlignedChar> chars, NormalizedText& out);

}  // namespace mbserve::tokenizer_internal
