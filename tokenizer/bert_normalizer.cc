#include "tokenizer/bert_normalizer.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "tokenizer/aligned_chars.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/unicode_data.h"

namespace mbserve::tokenizer_internal {
namespace {

absl::StatusOr<bool> Flag(const nlohmann::json& config, const char* name, bool fallback) {
  if (!config.contains(name) || config[name].is_null()) return fallback;
  if (!config[name].is_boolean()) {
    return absl::InvalidArgumentError(
        absl::StrCat("normalizer BertNormalizer: \"", name, "\" must be a boolean"));
  }
  return config[name].get<bool>();
}

// Keeps the characters whose BertClass has none of `drop`, each with its own
// input range (NormalizedString::filter).
void Drop(uint8_t drop, std::vector<AlignedChar>& chars) {
  size_t kept = 0;
  for (const AlignedChar& c : chars) {
    if (!(BertClass(c.cp) & drop)) chars[kept++] = c;
  }
  chars.resize(kept);
}

}  // namespace

absl::StatusOr<BertNormalizer> BertNormalizer::FromJson(const nlohmann::json& config) {
  BertNormalizer normalizer;
  for (auto [name, field] : {std::pair{"clean_text", &normalizer.clean_text_},
                             {"handle_chinese_chars", &normalizer.handle_chinese_chars_},
                             {"lowercase", &normalizer.lowercase_}}) {
    auto value = Flag(config, name, true);
    if (!value.ok()) return value.status();
    *field = *value;
  }
  // A null strip_accents follows lowercase, as in BERT's uncased models.
  auto strip = Flag(config, "strip_accents", normalizer.lowercase_);
  if (!strip.ok()) return strip.status();
  normalizer.strip_accents_ = *strip;
  return normalizer;
}

bool BertNormalizer::NormalizeAscii(std::string_view piece, uint32_t base,
                                    NormalizedText& out) const {
  for (unsigned char byte : piece) {
    if (byte >= 0x80 || (clean_text_ && (BertClass(byte) & kBertRemoved))) return false;
  }
  std::string text(piece);
  for (char& c : text) {
    if (clean_text_ && (BertClass(static_cast<unsigned char>(c)) & kBertSpace)) c = ' ';
    if (lowercase_ && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  out.SetRewritten(std::move(text), base);
  return true;
}

void BertNormalizer::Normalize(std::string_view piece, uint32_t base, NormalizedText& out) const {
  if (NormalizeAscii(piece, base, out)) return;
  std::vector<AlignedChar> chars, next;
  DecodeAligned(piece, base, chars);
  if (clean_text_) {
    Drop(kBertRemoved, chars);
    for (AlignedChar& c : chars) {
      if (BertClass(c.cp) & kBertSpace) c.cp = ' ';
    }
  }
  if (handle_chinese_chars_) {
    next.clear();
    for (const AlignedChar& c : chars) {
      if (BertClass(c.cp) & kBertChinese) {
        next.insert(next.end(), {{' ', c.input}, c, {' ', c.input}});
      } else {
        next.push_back(c);
      }
    }
    chars.swap(next);
  }
  if (strip_accents_) {
    NormalizeNfd(chars, base, next);
    chars.swap(next);
    Drop(kBertNonspacingMark, chars);
  }
  if (lowercase_) {
    next.clear();
    std::vector<char32_t> lower;
    for (const AlignedChar& c : chars) {
      lower.clear();
      if (!AppendLowercase(c.cp, lower)) {
        next.push_back(c);
        continue;
      }
      // Extra characters are inserted after the first: same input range.
      for (char32_t cp : lower) next.push_back({cp, c.input});
    }
    chars.swap(next);
  }
  SetAligned(chars, out);
}

}  // namespace mbserve::tokenizer_internal
