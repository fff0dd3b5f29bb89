// GPT-2's reversible map between bytes and printable characters, which
// byte-level BPE vocabularies are written in.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mbserve::tokenizer_internal {

// The character GPT-2 writes for each byte.
const std::array<char32_t, 256>& ByteToChar();

// The raw bytes a byte-level token string stands for, or nullopt when one of
// its characters is outside the 256-character alphabet.
std::optional<std::string> ByteLevelToBytes(std::string_view token);

}  // namespace mbserve::tokenizer_internal
