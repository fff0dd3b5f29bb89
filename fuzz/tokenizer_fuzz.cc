// libFuzzer target for the tokenizer loader and encoder (see docs/TOKENIZER.md).
// The first input byte picks what the rest is:
//   even: a tokenizer.json to load; if it loads, it encodes and decodes a
//         fixed mixed-script text;
//   odd:  text for a fixture tokenizer (the second bit picks the committed
//         ModernBERT-like BPE or all-MiniLM-L6-v2's WordPiece), encoded
//         alone and as a pair with truncation options from the second byte,
//         then decoded.
// Any crash, sanitizer report, hang or runaway allocation is a finding.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tokenizer/tokenizer.h"

namespace {

const mbserve::Tokenizer* Load(const char* path) {
  auto loaded = mbserve::Tokenizer::FromFile(path);
  if (!loaded.ok()) __builtin_trap();
  return loaded->release();
}

const mbserve::Tokenizer& FixtureTokenizer(bool wordpiece) {
  static const mbserve::Tokenizer* bpe = Load(MBSERVE_FUZZ_TOKENIZER);
  static const mbserve::Tokenizer* bert = Load(MBSERVE_FUZZ_BERT_TOKENIZER);
  return wordpiece ? *bert : *bpe;
}

void EncodeAndDecode(const mbserve::Tokenizer& tokenizer, std::string_view text,
                     const mbserve::EncodeOptions& options) {
  auto single = tokenizer.Encode(text, options);
  if (single.ok()) {
    if (single->ids.size() != single->offsets.size() ||
        single->ids.size() != single->type_ids.size()) {
      __builtin_trap();
    }
    for (const auto& [start, end] : single->offsets) {
      if (start > end || end > text.size()) __builtin_trap();
    }
    (void)tokenizer.Decode(single->ids, true);
    (void)tokenizer.Decode(single->ids, false);
  }
  const size_t half = text.size() / 2;
  (void)tokenizer.EncodePair(text.substr(0, half), text.substr(half), options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  mbserve::EncodeOptions options;
  options.add_special_tokens = (data[1] & 1) != 0;
  options.direction =
      (data[1] & 2) ? mbserve::TruncationDirection::kLeft : mbserve::TruncationDirection::kRight;
  if (data[1] & 4) options.max_length = data[1] >> 3;
  if ((data[0] & 1) == 0) {
    auto tokenizer = mbserve::Tokenizer::FromJson(rest);
    if (tokenizer.ok()) {
      EncodeAndDecode(**tokenizer, "Hello wörld! 你好 🚀 [MASK]  x\n\tcafe\xcc\x81 ", options);
    }
    return 0;
  }
  EncodeAndDecode(FixtureTokenizer((data[0] & 2) != 0), rest, options);
  return 0;
}
