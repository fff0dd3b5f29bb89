#include "tokenizer/normalized_text.h"

#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {

void NormalizedText::SetIdentity(std::string_view piece, uint32_t base) {
  text_ = piece;
  base_ = base;
  alignments_.clear();
}

void NormalizedText::SetRewritten(std::string text, uint32_t base) {
  storage_ = std::move(text);
  text_ = storage_;
  base_ = base;
  alignments_.clear();
}

void NormalizedText::SetTransformed(std::string text, std::vector<ByteRange> alignments) {
  storage_ = std::move(text);
  text_ = storage_;
  alignments_ = std::move(alignments);
}

void NormalizedText::SetSlice(const NormalizedText& whole, size_t begin, size_t end) {
  if (whole.alignments_.empty()) {
    SetIdentity(whole.text_.substr(begin, end - begin), whole.base_ + static_cast<uint32_t>(begin));
    return;
  }
  SetTransformed(
      std::string(whole.text_.substr(begin, end - begin)),
      std::vector<ByteRange>(whole.alignments_.begin() + begin, whole.alignments_.begin() + end));
}

void NormalizedText::PrependAscii(char c) {
  if (text_.empty()) return;
  std::vector<ByteRange> alignments;
  alignments.reserve(text_.size() + 1);
  alignments.push_back(OriginalRange(0, 1));
  for (size_t i = 0; i < text_.size(); ++i) alignments.push_back(OriginalRange(i, i + 1));
  std::string text;
  text.reserve(text_.size() + 1);
  text.push_back(c);
  text.append(text_);
  SetTransformed(std::move(text), std::move(alignments));
}

ByteRange NormalizedText::OriginalRange(size_t begin, size_t end) const {
  if (!alignments_.empty()) return {alignments_[begin].first, alignments_[end - 1].second};
  const auto* s = reinterpret_cast<const uint8_t*>(text_.data());
  while (begin > 0 && IsUtf8Continuation(s[begin])) --begin;
  while (end < text_.size() && IsUtf8Continuation(s[end])) ++end;
  return {static_cast<uint32_t>(base_ + begin), static_cast<uint32_t>(base_ + end)};
}

}  // namespace mbserve::tokenizer_internal
