// Everything tokenizer.json describes, loaded once and read-only after:
// added tokens, normalizer, pre-tokenizer, model, post-processor and
// decoder, and the walk of one text through them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "tokenizer/added_vocabulary.h"
#include "tokenizer/decoder.h"
#include "tokenizer/model.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/post_processor.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/tokenizer.h"

namespace mbserve::tokenizer_internal {

class Pipeline {
 public:
  static absl::StatusOr<std::unique_ptr<Pipeline>> FromJson(std::string_view json);

  // Encodes one text without template tokens or truncation; `field` names
  // the text in errors.
  absl::StatusOr<Encoding> EncodeText(std::string_view text, uint8_t sequence_id,
                                      std::string_view field) const;

  const PostProcessor& post_processor() const { return *post_processor_; }
  const Decoder& decoder() const { return *decoder_; }
  int32_t vocab_size() const { return vocab_size_; }
  std::optional<int32_t> TokenToId(std::string_view token) const;
  std::optional<std::string> IdToToken(int32_t id) const;

 private:
  Pipeline() = default;
  static absl::StatusOr<std::unique_ptr<Pipeline>> Load(std::string_view json);
  // Encodes normalized[begin, end), text between added tokens.
  absl::Status EncodeWords(const NormalizedText& normalized, size_t begin, size_t end,
                           Encoding& out) const;
  // Encodes input[begin, end), normalizing it and finding normalized added
  // tokens in it.
  absl::Status EncodePiece(std::string_view input, size_t begin, size_t end, Encoding& out) const;
  void AddToken(int32_t id, std::string token, ByteRange offsets, Encoding& out) const;

  std::optional<Normalizer> normalizer_;
  std::optional<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<Model> model_;
  std::optional<AddedVocabulary> added_;
  std::optional<PostProcessor> post_processor_;
  std::optional<Decoder> decoder_;
  absl::flat_hash_map<std::string, int32_t> added_ids_;
  std::vector<std::string> id_to_token_;
  std::vector<bool> present_;
  int32_t vocab_size_ = 0;
};

}  // namespace mbserve::tokenizer_internal
