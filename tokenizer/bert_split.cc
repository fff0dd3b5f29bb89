#include "tokenizer/bert_split.h"

#include "tokenizer/unicode_data.h"
#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {

void SplitBert(std::string_view text, size_t begin, size_t end, std::vector<ByteRange>& out) {
  size_t word = begin;  // start of the word being read
  size_t pos = begin;
  const auto close = [&](size_t at) {
    if (word < at) out.emplace_back(static_cast<uint32_t>(word), static_cast<uint32_t>(at));
  };
  while (pos < end) {
    const size_t start = pos;
    const char32_t cp = DecodeUtf8(text, pos);
    if (CharClass(cp) & kWhiteSpace) {
      close(start);
      word = pos;
    } else if (BertClass(cp) & kBertPunctuation) {
      close(start);
      out.emplace_back(static_cast<uint32_t>(start), static_cast<uint32_t>(pos));
      word = pos;
    }
  }
  close(end);
}

}  // namespace mbserve::tokenizer_internal
