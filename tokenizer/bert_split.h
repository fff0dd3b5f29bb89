// The tokenizer.json "BertPreTokenizer": words are the runs between
// whitespace (which is dropped), and each punctuation character is a word of
// its own.
#pragma once

#include <string_view>
#include <vector>

#include "tokenizer/normalized_text.h"

namespace mbserve::tokenizer_internal {

// Appends the words within text[begin, end) to `out`.
void SplitBert(std::string_view text, size_t begin, size_t end, std::vector<ByteRange>& out);

}  // namespace mbserve::tokenizer_internal
