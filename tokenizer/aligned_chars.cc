#include "tokenizer/aligned_chars.h"

#include <string>

#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {

void DecodeAligned(std::string_view piece, uint32_t base, std::vector<AlignedChar>& out) {
  out.clear();
  size_t pos = 0;
  while (pos < piece.size()) {
    const size_t start = pos;
    const char32_t cp = DecodeUtf8(piece, pos);
    out.push_back({cp, {static_cast<uint32_t>(base + start), static_cast<uint32_t>(base + pos)}});
  }
}

void ApplyChanges(std::span<const AlignedChar> in, std::span<const ChangedChar> changes,
                  uint32_t base, std::vector<AlignedChar>& out) {
  out.clear();
  out.reserve(changes.size());
  size_t next = 0;
  ByteRange last_consumed{base, base};
  for (const ChangedChar& c : changes) {
    ByteRange input = last_consumed;
    if (c.change <= 0 && next < in.size()) {
      input = in[next++].input;
      last_consumed = input;
      for (int removed = 0; removed < -c.change && next < in.size(); ++removed) {
        last_consumed = in[next++].input;
      }
    }
    out.push_back({c.cp, input});
  }
}

void SetAligned(std::span<const AlignedChar> chars, NormalizedText& out) {
  std::string text;
  std::vector<ByteRange> alignments;
  text.reserve(chars.size());
  alignments.reserve(chars.size());
  for (const AlignedChar& c : chars) {
    const size_t before = text.size();
    AppendUtf8(c.cp, text);
    alignments.insert(alignments.end(), text.size() - before, c.input);
  }
  out.SetTransformed(std::move(text), std::move(alignments));
}

}  // namespace mbserve::tokenizer_internal
