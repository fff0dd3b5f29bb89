#include "tokenizer/utf8.h"

#include <cstring>

#include "absl/strings/str_format.h"
#include "tokenizer/absl_view.h"

namespace mbserve::tokenizer_internal {
namespace {

// Length of the well-formed sequence at s[0..n), or 0 with `*bad` set to the
// length of the maximal ill-formed subpart (Unicode 3.9, table 3-7).
size_t WellFormedLength(const uint8_t* s, size_t n, size_t* bad) {
  const uint8_t lead = s[0];
  size_t len = 0;
  uint8_t lo = 0x80, hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    *bad = 1;
    return 0;
  }
  for (size_t i = 1; i < len; ++i) {
    const uint8_t min = i == 1 ? lo : 0x80;
    const uint8_t max = i == 1 ? hi : 0xBF;
    if (i >= n || s[i] < min || s[i] > max) {
      *bad = i;
      return 0;
    }
  }
  return len;
}

size_t AsciiPrefix(const uint8_t* s, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, s + i, 8);
    if (word & 0x8080808080808080ull) break;
  }
  while (i < n && s[i] < 0x80) ++i;
  return i;
}

}  // namespace

absl::Status ValidateUtf8(std::string_view text, std::string_view field) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    i += AsciiPrefix(s + i, n - i);
    if (i >= n) break;
    size_t bad = 0;
    const size_t len = WellFormedLength(s + i, n - i, &bad);
    if (len == 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s is not valid UTF-8: ill-formed sequence starting with byte 0x%02X at byte offset %d",
          AbslView(field), s[i], i));
    }
    i += len;
  }
  return absl::OkStatus();
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void AppendUtf8Lossy(std::string_view bytes, std::string& out) {
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    const size_t ascii = AsciiPrefix(s + i, n - i);
    out.append(bytes.data() + i, ascii);
    i += ascii;
    if (i >= n) break;
    size_t bad = 0;
    const size_t len = WellFormedLength(s + i, n - i, &bad);
    if (len == 0) {
      out.append("\xEF\xBF\xBD");
      i += bad;
    } else {
      out.append(bytes.data() + i, len);
      i += len;
    }
  }
}

}  // namespace mbserve::tokenizer_internal
