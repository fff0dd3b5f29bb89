#include "tokenizer/unicode_data.h"

#include <algorithm>
#include <cstddef>

namespace mbserve::tokenizer_internal {
namespace {

// A code point mapped to a run of code points in a pool (its decomposition
// or its lowercase).
struct PooledMapping {
  uint32_t code_point;
  uint32_t offset;
  uint32_t length;
};

struct Composition {
  uint64_t pair;  // first << 32 | second
  uint32_t composite;
};

#include "tokenizer/unicode_tables.inc"

constexpr int kBlockShift = 7;  // tools/gen_unicode_tables.py BLOCK = 128
constexpr char32_t kHangulS = 0xAC00, kHangulL = 0x1100, kHangulV = 0x1161, kHangulT = 0x11A7;
constexpr char32_t kHangulLCount = 19, kHangulVCount = 21, kHangulTCount = 28;
constexpr char32_t kHangulNCount = kHangulVCount * kHangulTCount;
constexpr char32_t kHangulSCount = kHangulLCount * kHangulNCount;

template <size_t N, size_t M>
uint8_t Lookup(const uint16_t (&index)[N], const uint8_t (&data)[M], char32_t cp) {
  if (cp > kMaxCodePoint) return 0;
  return data[(size_t{index[cp >> kBlockShift]} << kBlockShift) | (cp & ((1u << kBlockShift) - 1))];
}

}  // namespace

uint8_t CharClass(char32_t cp) { return Lookup(kClassIndex, kClassData, cp); }

uint8_t CombiningClass(char32_t cp) { return Lookup(kCccIndex, kCccData, cp); }

uint8_t BertClass(char32_t cp) { return Lookup(kBertIndex, kBertData, cp); }

bool AppendLowercase(char32_t cp, std::vector<char32_t>& out) {
  const auto* end = std::end(kLowercase);
  const auto* it =
      std::lower_bound(std::begin(kLowercase), end, cp,
                       [](const PooledMapping& d, char32_t value) { return d.code_point < value; });
  if (it == end || it->code_point != cp) return false;
  out.insert(out.end(), kLowercasePool + it->offset, kLowercasePool + it->offset + it->length);
  return true;
}

void AppendCanonicalDecomposition(char32_t cp, std::vector<char32_t>& out) {
  if (cp >= kHangulS && cp < kHangulS + kHangulSCount) {
    const char32_t s = cp - kHangulS;
    out.push_back(kHangulL + s / kHangulNCount);
    out.push_back(kHangulV + (s % kHangulNCount) / kHangulTCount);
    if (s % kHangulTCount != 0) out.push_back(kHangulT + s % kHangulTCount);
    return;
  }
  const auto* end = std::end(kDecompositions);
  const auto* it =
      std::lower_bound(std::begin(kDecompositions), end, cp,
                       [](const PooledMapping& d, char32_t value) { return d.code_point < value; });
  if (it == end || it->code_point != cp) {
    out.push_back(cp);
    return;
  }
  out.insert(out.end(), kDecompositionPool + it->offset,
             kDecompositionPool + it->offset + it->length);
}

char32_t ComposePair(char32_t first, char32_t second) {
  if (first >= kHangulL && first < kHangulL + kHangulLCount && second >= kHangulV &&
      second < kHangulV + kHangulVCount) {
    return kHangulS + ((first - kHangulL) * kHangulVCount + (second - kHangulV)) * kHangulTCount;
  }
  if (first >= kHangulS && first < kHangulS + kHangulSCount &&
      (first - kHangulS) % kHangulTCount == 0 && second > kHangulT &&
      second < kHangulT + kHangulTCount) {
    return first + (second - kHangulT);
  }
  const uint64_t key = (uint64_t{first} << 32) | second;
  const auto* end = std::end(kCompositions);
  const auto* it =
      std::lower_bound(std::begin(kCompositions), end, key,
                       [](const Composition& c, uint64_t value) { return c.pair < value; });
  return it != end && it->pair == key ? it->composite : 0;
}

}  // namespace mbserve::tokenizer_internal
