// Hugging Face tokenizer.json (BPE as in ModernBERT, WordPiece as in BERT)
// loaded and run in C++, with ids, offsets, type ids and decoded text
// identical to the Rust `tokenizers` library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace mbserve {

struct Encoding {
  std::vector<int32_t> ids;
  // Vocabulary string of each id.
  std::vector<std::string> tokens;
  // [start, end) byte offsets into the UTF-8 input; (0, 0) for template
  // specials. For pairs, into the text the token came from.
  std::vector<std::pair<uint32_t, uint32_t>> offsets;
  // 1 for the special tokens the template adds. As in Hugging Face, an added
  // special token found in the text itself (say "[MASK]") counts as 0.
  std::vector<uint8_t> special_tokens_mask;
  // 0 = first text, 1 = second, kTemplateSequenceId = added by the template.
  std::vector<uint8_t> sequence_ids;
  // Segment of each token (BERT's token_type_ids), as the post-processor
  // assigns them: BERT templates give the first text and its specials 0 and
  // the second text and its final [SEP] 1; without a post-processor the
  // first text is 0 and the second 1.
  std::vector<int32_t> type_ids;

  static constexpr uint8_t kTemplateSequenceId = 255;
};

enum class TruncationDirection { kRight, kLeft };

struct EncodeOptions {
  bool add_special_tokens = true;
  // Total length including specials; nullopt = no truncation.
  std::optional<size_t> max_length;
  TruncationDirection direction = TruncationDirection::kRight;
};

namespace tokenizer_internal {
class Pipeline;
}  // namespace tokenizer_internal

// Immutable after load; all methods are const and safe to call concurrently.
class Tokenizer {
 public:
  static absl::StatusOr<std::unique_ptr<Tokenizer>> FromFile(const std::string& path);
  static absl::StatusOr<std::unique_ptr<Tokenizer>> FromJson(std::string_view json);

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Fails with InvalidArgument naming the byte offset on invalid UTF-8, when
  // max_length cannot even hold the template's special tokens, or when a
  // character-level model meets a character it has no id (nor unk) for; with
  // ResourceExhausted when a Split regex exceeds PCRE2's backtracking limit.
  absl::StatusOr<Encoding> Encode(std::string_view text, const EncodeOptions& options = {}) const;
  absl::StatusOr<Encoding> EncodePair(std::string_view first, std::string_view second,
                                      const EncodeOptions& options = {}) const;
  // Fails with OutOfRange naming the position of an id outside the vocabulary.
  absl::StatusOr<std::string> Decode(std::span<const int32_t> ids, bool skip_special_tokens) const;

  // Including added tokens.
  int32_t vocab_size() const;
  std::optional<int32_t> TokenToId(std::string_view token) const;
  std::optional<std::string> IdToToken(int32_t id) const;
  size_t NumSpecialTokensToAdd(bool pair) const;

 private:
  explicit Tokenizer(std::unique_ptr<tokenizer_internal::Pipeline> pipeline);

  std::unique_ptr<tokenizer_internal::Pipeline> pipeline_;
};

}  // namespace mbserve
