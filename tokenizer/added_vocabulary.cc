#include "tokenizer/added_vocabulary.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tokenizer/unicode_data.h"
#include "tokenizer/utf8.h"

namespace mbserve::tokenizer_internal {
namespace {

absl::StatusOr<bool> Flag(const nlohmann::json& entry, size_t index, const char* name,
                          bool fallback) {
  if (!entry.contains(name)) return fallback;
  if (!entry[name].is_boolean()) {
    return absl::InvalidArgumentError(
        absl::StrCat("added_tokens[", index, "].", name, " must be a boolean"));
  }
  return entry[name].get<bool>();
}

// Start of the character that ends at `pos`.
size_t PreviousCharStart(std::string_view text, size_t pos) {
  do {
    --pos;
  } while (pos > 0 && IsUtf8Continuation(static_cast<uint8_t>(text[pos])));
  return pos;
}

bool HasClass(std::string_view text, size_t pos, uint8_t bits) {
  return (CharClass(DecodeUtf8(text, pos)) & bits) != 0;
}

}  // namespace

void AddedVocabulary::Trie::Insert(std::string_view key, int32_t token) {
  int32_t node = 0;
  for (unsigned char byte : key) {
    auto& children = nodes[node].children;
    auto it = std::find_if(children.begin(), children.end(),
                           [byte](const auto& c) { return c.first == byte; });
    if (it != children.end()) {
      node = it->second;
      continue;
    }
    const auto child = static_cast<int32_t>(nodes.size());
    children.emplace_back(byte, child);
    nodes.emplace_back();
    node = child;
  }
  first_byte[static_cast<unsigned char>(key[0])] = true;
  if (nodes[node].token < 0) nodes[node].token = token;
}

std::pair<int32_t, size_t> AddedVocabulary::Trie::LongestAt(std::string_view text,
                                                            size_t pos) const {
  std::pair<int32_t, size_t> best{-1, 0};
  int32_t node = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const auto& children = nodes[node].children;
    auto it = std::find_if(children.begin(), children.end(),
                           [byte](const auto& c) { return c.first == byte; });
    if (it == children.end()) break;
    node = it->second;
    if (nodes[node].token >= 0) best = {nodes[node].token, i + 1 - pos};
  }
  return best;
}

absl::StatusOr<AddedVocabulary> AddedVocabulary::FromJson(const nlohmann::json& config,
                                                          const Normalizer& normalizer) {
  AddedVocabulary vocabulary;
  if (config.is_null()) return vocabulary;
  if (!config.is_array()) return absl::InvalidArgumentError("added_tokens must be an array");
  NormalizedText normalized;
  for (size_t i = 0; i < config.size(); ++i) {
    const auto& entry = config[i];
    if (!entry.is_object() || !entry.contains("content") || !entry["content"].is_string() ||
        !entry.contains("id") || !entry["id"].is_number_integer() ||
        entry["id"].get<int64_t>() < 0 || entry["id"].get<int64_t>() > INT32_MAX) {
      return absl::InvalidArgumentError(absl::StrCat(
          "added_tokens[", i, "] needs a string \"content\" and an integer \"id\" in [0, 2^31)"));
    }
    AddedToken token;
    token.content = entry["content"].get<std::string>();
    token.id = static_cast<int32_t>(entry["id"].get<int64_t>());
    for (auto [name, field] : {std::pair{"special", &token.special},
                               {"lstrip", &token.lstrip},
                               {"rstrip", &token.rstrip},
                               {"single_word", &token.single_word}}) {
      auto value = Flag(entry, i, name, false);
      if (!value.ok()) return value.status();
      *field = *value;
    }
    auto value = Flag(entry, i, "normalized", !token.special);
    if (!value.ok()) return value.status();
    token.normalized = *value;
    // Empty tokens are ignored, as by the Rust library.
    if (token.content.empty()) continue;
    const auto index = static_cast<int32_t>(vocabulary.tokens_.size());
    if (token.normalized) {
      normalizer.Normalize(token.content, 0, normalized);
      if (!normalized.text().empty()) vocabulary.normalized_.Insert(normalized.text(), index);
    } else {
      vocabulary.raw_.Insert(token.content, index);
    }
    vocabulary.tokens_.push_back(std::move(token));
  }
  return vocabulary;
}

void AddedVocabulary::FindMatches(std::string_view text, bool normalized,
                                  std::vector<AddedMatch>& out) const {
  const Trie& trie = normalized ? normalized_ : raw_;
  if (trie.nodes.size() == 1) return;
  size_t covered = 0;  // end of the previous match, stripping included
  size_t pos = 0;
  while (pos < text.size()) {
    if (!trie.first_byte[static_cast<unsigned char>(text[pos])]) {
      ++pos;
      continue;
    }
    const auto [index, length] = trie.LongestAt(text, pos);
    if (index < 0) {
      ++pos;
      continue;
    }
    const AddedToken& token = tokens_[index];
    size_t begin = pos, end = pos + length;
    pos = end;  // matching resumes after this match, kept or not
    if (token.single_word) {
      const bool word_before =
          begin > 0 && HasClass(text, PreviousCharStart(text, begin), kWordChar);
      const bool word_after = end < text.size() && HasClass(text, end, kWordChar);
      if (word_before || word_after) continue;
    }
    if (token.lstrip) {
      size_t start = begin;
      while (start > covered) {
        const size_t previous = PreviousCharStart(text, start);
        if (!HasClass(text, previous, kWhiteSpace)) break;
        start = previous;
      }
      begin = std::max(start, covered);
    }
    if (token.rstrip) {
      while (end < text.size()) {
        size_t next = end;
        if (!(CharClass(DecodeUtf8(text, next)) & kWhiteSpace)) break;
        end = next;
      }
    }
    // The search resumes at the match's own end even when rstrip took more,
    // so, as in the Rust library, a later token can start inside whitespace
    // an earlier one took.
    out.push_back({token.id, begin, end});
    covered = end;
  }
}

}  // namespace mbserve::tokenizer_internal
