// A piece of input after normalization, with the map back to input offsets
// that Hugging Face keeps as NormalizedString alignments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mbserve::tokenizer_internal {

using ByteRange = std::pair<uint32_t, uint32_t>;

class NormalizedText {
 public:
  // The piece is unchanged: it views `piece`, found at `base` in the input.
  void SetIdentity(std::string_view piece, uint32_t base);
  // The piece at `base` with characters replaced by others of the same
  // length, so each byte still maps to its own character in the input.
  void SetRewritten(std::string text, uint32_t base);
  // `alignments` holds, for each byte of `text`, the input range of the
  // character it came from.
  void SetTransformed(std::string text, std::vector<ByteRange> alignments);
  // This text's bytes [begin, end) as a text of their own.
  void SetSlice(const NormalizedText& whole, size_t begin, size_t end);
  // Prepends `c` aligned with the first character, as Hugging Face's
  // NormalizedString::prepend does; no-op on an empty piece.
  void PrependAscii(char c);

  std::string_view text() const { return text_; }
  // Input range of normalized bytes [begin, end), begin < end: from the start
  // of the first byte's character to the end of the last byte's character.
  ByteRange OriginalRange(size_t begin, size_t end) const;

 private:
  std::string_view text_;
  std::string storage_;
  uint32_t base_ = 0;
  std::vector<ByteRange> alignments_;  // empty while identity (or rewritten)
};

}  // namespace mbserve::tokenizer_internal
