#include "tokenizer/gpt2_split.h"

#include <array>
#include <cstdint>

#include "tokenizer/unicode_data.h"
#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {
namespace {

enum Kind : uint8_t { kOther, kLetterKind, kNumberKind, kSpaceKind };

Kind KindOf(char32_t cp) {
  const uint8_t c = CharClass(cp);
  if (c & kLetter) return kLetterKind;
  if (c & kNumber) return kNumberKind;
  if (c & kWhiteSpace) return kSpaceKind;
  return kOther;
}

const std::array<Kind, 128>& AsciiKinds() {
  static const std::array<Kind, 128> kinds = [] {
    std::array<Kind, 128> k{};
    for (char32_t c = 0; c < 128; ++c) k[c] = KindOf(c);
    return k;
  }();
  return kinds;
}

class Scanner {
 public:
  Scanner(std::string_view text, size_t end) : text_(text), end_(end) {}

  // Kind of the character at `pos` and the position after it.
  Kind At(size_t pos, size_t& next) const {
    const auto byte = static_cast<uint8_t>(text_[pos]);
    if (byte < 0x80) {
      next = pos + 1;
      return AsciiKinds()[byte];
    }
    next = pos;
    return KindOf(DecodeUtf8(text_, next));
  }

  // End of the run of characters of kind `kind` starting at `pos`.
  size_t RunEnd(size_t pos, Kind kind) const {
    size_t next;
    while (pos < end_ && At(pos, next) == kind) pos = next;
    return pos;
  }

  // Length of a contraction ('s 't 're 've 'm 'll 'd) at `pos`, or 0.
  size_t Contraction(size_t pos) const {
    if (text_[pos] != '\'' || pos + 1 >= end_) return 0;
    const char a = text_[pos + 1];
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (pos + 2 >= end_) return 0;
    const char b = text_[pos + 2];
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
  }

 private:
  std::string_view text_;
  size_t end_;
};

}  // namespace

void SplitGpt2(std::string_view text, size_t begin, size_t end, std::vector<ByteRange>& out) {
  const Scanner scan(text, end);
  size_t pos = begin;
  while (pos < end) {
    size_t match_end;
    if (size_t n = scan.Contraction(pos); n != 0) {
      match_end = pos + n;
    } else {
      size_t next;
      Kind kind = scan.At(pos, next);
      size_t run_start = pos;
      if (text[pos] == ' ' && next < end) {
        // " ?X+": a single space joins the run of letters, numbers or other
        // symbols after it.
        size_t after;
        const Kind following = scan.At(next, after);
        if (following != kSpaceKind) {
          kind = following;
          run_start = next;
        }
      }
      if (kind != kSpaceKind) {
        match_end = scan.RunEnd(run_start, kind);
      } else {
        // "\s+(?!\S)" gives back the last space before a non-space, which
        // then starts the next match; a lone space before one is "\s+".
        match_end = scan.RunEnd(pos, kSpaceKind);
        if (match_end < end) {
          size_t last = match_end - 1;
          while (IsUtf8Continuation(static_cast<uint8_t>(text[last]))) --last;
          if (last > pos) match_end = last;
        }
      }
    }
    out.emplace_back(static_cast<uint32_t>(pos), static_cast<uint32_t>(match_end));
    pos = match_end;
  }
}

}  // namespace mbserve::tokenizer_internal
