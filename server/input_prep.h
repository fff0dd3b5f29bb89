// Turns one request input (text, text pair or token ids) into the token ids
// the engine runs, with the prompt, truncation and length checks every RPC
// shares. Errors name the input ("inputs[3]") and the limit.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tokenizer/tokenizer.h"

namespace mbserve::server {

struct TruncationPolicy {
  bool enabled = false;
  TruncationDirection direction = TruncationDirection::kRight;
};

// A request's list of inputs must hold 1 to max_client_batch_size entries.
absl::Status CheckInputCount(absl::string_view field, int count, int max_client_batch_size);

struct PreparedInput {
  std::vector<int32_t> ids;
  // Segment of each token, as long as ids: 1 for the second text of a pair
  // (BERT's token_type_ids), 0 everywhere else.
  std::vector<int32_t> type_ids;
  bool truncated = false;
  int pool_from = 0;  // SequenceTask::pool_from: the prompt's tokens, when left out
};

struct InputLimits {
  int max_input_length = 0;
  int vocab_size = 0;
  TruncationPolicy truncation;
};

// `name` is how errors refer to the input, e.g. "inputs[3]".
absl::StatusOr<PreparedInput> PrepareText(const Tokenizer& tokenizer, absl::string_view name,
                                          std::string_view prompt, std::string_view text,
                                          const InputLimits& limits);
absl::StatusOr<PreparedInput> PreparePair(const Tokenizer& tokenizer, absl::string_view name,
                                          std::string_view first, std::string_view second,
                                          const InputLimits& limits);
absl::StatusOr<PreparedInput> PrepareIds(absl::string_view name, std::span<const uint32_t> ids,
                                         const InputLimits& limits);

// How many leading tokens sentence-transformers counts as the prompt when
// its Pooling leaves the prompt out (include_prompt=false): the prompt
// encoded alone with its special tokens, less a trailing special token.
absl::StatusOr<int> PromptLength(const Tokenizer& tokenizer, std::string_view prompt);

// Every id below vocab_size; errors name the id ("<name>[7] is 99999").
absl::Status CheckTokenIds(absl::string_view name, std::span<const uint32_t> ids, int vocab_size);

}  // namespace mbserve::server
