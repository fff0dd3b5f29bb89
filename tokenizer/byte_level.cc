#include "tokenizer/byte_level.h"

#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {
namespace {

std::array<char32_t, 256> MakeByteToChar() {
  std::array<char32_t, 256> table{};
  // Printable Latin-1 bytes stand for themselves; the rest take the code
  // points from U+0100 upwards, in byte order.
  auto printable = [](int b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
  };
  char32_t next = 0x100;
  for (int b = 0; b < 256; ++b) table[b] = printable(b) ? static_cast<char32_t>(b) : next++;
  return table;
}

// Inverse of ByteToChar over U+0000..U+0143; -1 outside the alphabet.
std::array<int16_t, 0x144> MakeCharToByte() {
  std::array<int16_t, 0x144> table;
  table.fill(-1);
  const auto& forward = ByteToChar();
  for (int b = 0; b < 256; ++b) table[forward[b]] = static_cast<int16_t>(b);
  return table;
}

}  // namespace

const std::array<char32_t, 256>& ByteToChar() {
  static const std::array<char32_t, 256> table = MakeByteToChar();
  return table;
}

std::optional<std::string> ByteLevelToBytes(std::string_view token) {
  static const std::array<int16_t, 0x144> inverse = MakeCharToByte();
  std::string bytes;
  bytes.reserve(token.size());
  size_t pos = 0;
  while (pos < token.size()) {
    const char32_t cp = DecodeUtf8(token, pos);
    if (cp >= inverse.size() || inverse[cp] < 0) return std::nullopt;
    bytes.push_back(static_cast<char>(inverse[cp]));
  }
  return bytes;
}

}  // namespace mbserve::tokenizer_internal
