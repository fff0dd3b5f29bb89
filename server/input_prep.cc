#include "server/input_prep.h"

#include "absl/strings/str_cat.h"

namespace mbserve::server {
namespace {

absl::Status TooLong(absl::string_view name, size_t length, int max_length) {
  return absl::InvalidArgumentError(
      absl::StrCat(name, " has ", length, " tokens but the maximum input length is ", max_length,
                   "; shorten it or set truncation.enabled=true"));
}

absl::Status Empty(absl::string_view name) {
  return absl::InvalidArgumentError(absl::StrCat(name, " is empty"));
}

absl::Status Named(absl::string_view name, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(name, ": ", status.message()));
}

// Encodes in full first: the real length decides between keeping the input,
// rejecting it and encoding it again with truncation.
template <typename EncodeFn>
absl::StatusOr<PreparedInput> EncodeWithinLimit(absl::string_view name, const EncodeFn& encode,
                                                const InputLimits& limits) {
  absl::StatusOr<Encoding> encoding = encode(EncodeOptions{});
  if (!encoding.ok()) return Named(name, encoding.status());
  PreparedInput input;
  const int max_length = limits.max_input_length;
  if (static_cast<int>(encoding->ids.size()) > max_length) {
    if (!limits.truncation.enabled) return TooLong(name, encoding->ids.size(), max_length);
    EncodeOptions options;
    options.max_length = max_length;
    options.direction = limits.truncation.direction;
    encoding = encode(options);
    if (!encoding.ok()) return Named(name, encoding.status());
    input.truncated = true;
  }
  input.ids = std::move(encoding->ids);
  input.type_ids = std::move(encoding->type_ids);
  return input;
}

}  // namespace

absl::Status CheckInputCount(absl::string_view field, int count, int max_client_batch_size) {
  if (count == 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is empty; send at least one input"));
  }
  if (count > max_client_batch_size) {
    return absl::InvalidArgumentError(absl::StrCat(field, " has ", count,
                                                   " entries but --max-client-batch-size is ",
                                                   max_client_batch_size, "; split the request"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PreparedInput> PrepareText(const Tokenizer& tokenizer, absl::string_view name,
                                          std::string_view prompt, std::string_view text,
                                          const InputLimits& limits) {
  if (text.empty()) return Empty(absl::StrCat(name, ".text"));
  std::string prompted(prompt);
  prompted.append(text);
  return EncodeWithinLimit(
      name, [&](const EncodeOptions& options) { return tokenizer.Encode(prompted, options); },
      limits);
}

absl::StatusOr<PreparedInput> PreparePair(const Tokenizer& tokenizer, absl::string_view name,
                                          std::string_view first, std::string_view second,
                                          const InputLimits& limits) {
  if (first.empty()) return Empty(absl::StrCat(name, ".pair.first"));
  if (second.empty()) return Empty(absl::StrCat(name, ".pair.second"));
  return EncodeWithinLimit(
      name,
      [&](const EncodeOptions& options) { return tokenizer.EncodePair(first, second, options); },
      limits);
}

absl::StatusOr<PreparedInput> PrepareIds(absl::string_view name, std::span<const uint32_t> ids,
                                         const InputLimits& limits) {
  if (ids.empty()) return Empty(absl::StrCat(name, ".token_ids"));
  if (absl::Status s = CheckTokenIds(absl::StrCat(name, ".token_ids"), ids, limits.vocab_size);
      !s.ok()) {
    return s;
  }
  const int max_length = limits.max_input_length;
  PreparedInput input;
  if (static_cast<int>(ids.size()) > max_length) {
    if (!limits.truncation.enabled) return TooLong(name, ids.size(), max_length);
    input.truncated = true;
    ids = limits.truncation.direction == TruncationDirection::kRight ? ids.first(max_length)
                                                                     : ids.last(max_length);
  }
  input.ids.assign(ids.begin(), ids.end());
  input.type_ids.assign(ids.size(), 0);
  return input;
}

absl::StatusOr<int> PromptLength(const Tokenizer& tokenizer, std::string_view prompt) {
  absl::StatusOr<Encoding> encoding = tokenizer.Encode(prompt);
  if (!encoding.ok()) return Named("prompt", encoding.status());
  int length = static_cast<int>(encoding->ids.size());
  if (length > 0 && encoding->special_tokens_mask.back() == 1) --length;
  return length;
}

absl::Status CheckTokenIds(absl::string_view name, std::span<const uint32_t> ids, int vocab_size) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] >= static_cast<uint32_t>(vocab_size)) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, "[", i, "] is ", ids[i], "; ids must be below the vocabulary size ", vocab_size));
    }
  }
  return absl::OkStatus();
}

}  // namespace mbserve::server
