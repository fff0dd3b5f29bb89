#include "tokenizer/tokenizer.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "tokenizer/pipeline.h"
#include "tokenizer/truncation.h"

namespace mbserve {

using tokenizer_internal::Pipeline;

Tokenizer::Tokenizer(std::unique_ptr<Pipeline> pipeline) : pipeline_(std::move(pipeline)) {}

Tokenizer::~Tokenizer() = default;

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::FromFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot open tokenizer file ", path));
  std::ostringstream contents;
  contents << file.rdbuf();
  auto tokenizer = FromJson(contents.str());
  if (!tokenizer.ok()) {
    return absl::Status(tokenizer.status().code(),
                        absl::StrCat(path, ": ", tokenizer.status().message()));
  }
  return tokenizer;
}

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::FromJson(std::string_view json) {
  auto pipeline = Pipeline::FromJson(json);
  if (!pipeline.ok()) return pipeline.status();
  return std::unique_ptr<Tokenizer>(new Tokenizer(std::move(pipeline).value()));
}

absl::StatusOr<Encoding> Tokenizer::Encode(std::string_view text,
                                           const EncodeOptions& options) const {
  auto encoding = pipeline_->EncodeText(text, 0, "text");
  if (!encoding.ok()) return encoding.status();
  if (options.max_length) {
    const size_t added = options.add_special_tokens ? NumSpecialTokensToAdd(false) : 0;
    if (added > *options.max_length) {
      return absl::InvalidArgumentError(
          absl::StrCat("max_length is ", *options.max_length, " but the template adds ", added,
                       " special tokens; max_length must be at least ", added));
    }
    tokenizer_internal::Truncate(*encoding, nullptr, *options.max_length - added,
                                 options.direction);
  }
  return pipeline_->post_processor().Process(std::move(encoding).value(), nullptr,
                                             options.add_special_tokens);
}

absl::StatusOr<Encoding> Tokenizer::EncodePair(std::string_view first, std::string_view second,
                                               const EncodeOptions& options) const {
  auto a = pipeline_->EncodeText(first, 0, "first text");
  if (!a.ok()) return a.status();
  auto b = pipeline_->EncodeText(second, 1, "second text");
  if (!b.ok()) return b.status();
  if (options.max_length) {
    const size_t added = options.add_special_tokens ? NumSpecialTokensToAdd(true) : 0;
    if (added > *options.max_length) {
      return absl::InvalidArgumentError(
          absl::StrCat("max_length is ", *options.max_length, " but the pair template adds ", added,
                       " special tokens; max_length must be at least ", added));
    }
    tokenizer_internal::Truncate(*a, &*b, *options.max_length - added, options.direction);
  }
  return pipeline_->post_processor().Process(std::move(a).value(), &*b, options.add_special_tokens);
}

absl::StatusOr<std::string> Tokenizer::Decode(std::span<const int32_t> ids,
                                              bool skip_special_tokens) const {
  return pipeline_->decoder().Decode(ids, skip_special_tokens);
}

int32_t Tokenizer::vocab_size() const { return pipeline_->vocab_size(); }

std::optional<int32_t> Tokenizer::TokenToId(std::string_view token) const {
  return pipeline_->TokenToId(token);
}

std::optional<std::string> Tokenizer::IdToToken(int32_t id) const {
  return pipeline_->IdToToken(id);
}

size_t Tokenizer::NumSpecialTokensToAdd(bool pair) const {
  return pipeline_->post_processor().NumSpecialTokensToAdd(pair);
}

}  // namespace mbserve
