// UTF-8 validation, decoding and encoding for the tokenizer's hot paths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace mbserve::tokenizer_internal {

// Fails with InvalidArgument naming `field` and the byte offset of the first
// ill-formed sequence (overlong forms, surrogates and code points above
// U+10FFFF are ill-formed, as in Rust's str).
absl::Status ValidateUtf8(std::string_view text, std::string_view field);

// Length of the sequence a valid lead byte starts.
inline size_t Utf8SequenceLength(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

inline bool IsUtf8Continuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

// Decodes the code point at `pos` of valid UTF-8 and advances `pos` past it.
inline char32_t DecodeUtf8(std::string_view text, size_t& pos) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data()) + pos;
  const uint8_t lead = s[0];
  if (lead < 0x80) {
    pos += 1;
    return lead;
  }
  if (lead < 0xE0) {
    pos += 2;
    return (char32_t{lead & 0x1Fu} << 6) | (s[1] & 0x3Fu);
  }
  if (lead < 0xF0) {
    pos += 3;
    return (char32_t{lead & 0x0Fu} << 12) | (char32_t{s[1] & 0x3Fu} << 6) | (s[2] & 0x3Fu);
  }
  pos += 4;
  return (char32_t{lead & 0x07u} << 18) | (char32_t{s[1] & 0x3Fu} << 12) |
         (char32_t{s[2] & 0x3Fu} << 6) | (s[3] & 0x3Fu);
}

void AppendUtf8(char32_t cp, std::string& out);

// Appends `bytes` to `out` with each maximal ill-formed subpart replaced by
// U+FFFD, as Rust's String::from_utf8_lossy does.
void AppendUtf8Lossy(std::string_view bytes, std::string& out);

}  // namespace mbserve::tokenizer_internal
