// Truncation to a maximum length, Hugging Face's longest-first strategy for
// pairs, from the right or the left.
#pragma once

#include <cstddef>

#include "tokenizer/tokenizer.h"

namespace mbserve::tokenizer_internal {

// Keeps at most `max_length` tokens of `first` and `second` (null for a
// single text) together, before the template adds its special tokens.
void Truncate(Encoding& first, Encoding* second, size_t max_length, TruncationDirection direction);

}  // namespace mbserve::tokenizer_internal
