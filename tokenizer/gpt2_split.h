// A hand-written matcher for the GPT-2 pre-tokenizer regex
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// that finds the same matches as Oniguruma (the Rust library's engine), many
// times faster than a general regex engine.
#pragma once

#include <string_view>
#include <vector>

#include "tokenizer/normalized_text.h"

namespace mbserve::tokenizer_internal {

inline constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Appends the matches within text[begin, end) to `out`; they tile the range.
void SplitGpt2(std::string_view text, size_t begin, size_t end, std::vector<ByteRange>& out);

}  // namespace mbserve::tokenizer_internal
