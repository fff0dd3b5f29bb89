// Added tokens ("added_tokens" in tokenizer.json): found in the text before
// the model runs, leftmost then longest first, with Hugging Face's lstrip,
// rstrip, single_word and normalized rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tokenizer/normalizer.h"

namespace mbserve::tokenizer_internal {

struct AddedToken {
  std::string content;
  int32_t id = 0;
  bool special = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool single_word = false;
};

struct AddedMatch {
  int32_t id;
  // Bytes of the searched text the token takes, stripped whitespace included.
  size_t begin, end;
};

class AddedVocabulary {
 public:
  // `config` is the "added_tokens" array; normalized tokens are matched in
  // their normalized form.
  static absl::StatusOr<AddedVocabulary> FromJson(const nlohmann::json& config,
                                                  const Normalizer& normalizer);

  const std::vector<AddedToken>& tokens() const { return tokens_; }

  // Appends the matches in `text` of the tokens whose `normalized` flag is
  // `normalized`, in order of their start. A match may start inside the
  // whitespace the previous one took with rstrip, as in the Rust library.
  void FindMatches(std::string_view text, bool normalized, std::vector<AddedMatch>& out) const;

 private:
  // A byte trie of token contents.
  struct Trie {
    struct Node {
      int32_t token = -1;  // index into tokens_
      std::vector<std::pair<uint8_t, int32_t>> children;
    };
    std::vector<Node> nodes{Node{}};
    bool first_byte[256] = {};
    void Insert(std::string_view key, int32_t token);
    // Longest key starting at text[pos], as {token, length}; token -1 if none.
    std::pair<int32_t, size_t> LongestAt(std::string_view text, size_t pos) const;
  };

  std::vector<AddedToken> tokens_;
  Trie raw_, normalized_;
};

}  // namespace mbserve::tokenizer_internal
