// The tokenizer.json BPE model: vocabulary, ranked merges, unknown-token and
// byte-fallback handling. Words arrive as raw UTF-8; with a byte-level
// pre-tokenizer the vocabulary is mapped to raw bytes once at load, so no
// word is ever rewritten into the byte alphabet.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tokenizer/bpe_cache.h"
#include "tokenizer/model.h"

namespace mbserve::tokenizer_internal {

class Bpe : public Model {
 public:
  // `config` is the "model" value, of type BPE.
  static absl::StatusOr<std::unique_ptr<Bpe>> FromJson(const nlohmann::json& config,
                                                       bool byte_level);

  // Fails only when a character is missing from the vocabulary and there is
  // no unknown token.
  absl::Status Tokenize(std::string_view word, std::vector<ModelPiece>& out) const override;

  const absl::flat_hash_map<std::string, int32_t>& vocab() const override { return vocab_; }

 private:
  struct Merge {
    int32_t rank;
    int32_t result;
  };
  static uint64_t PairKey(int32_t left, int32_t right) {
    return (uint64_t{static_cast<uint32_t>(left)} << 32) | static_cast<uint32_t>(right);
  }
  // Initial symbols of `word`: one per byte (byte-level) or per character.
  absl::Status Symbols(std::string_view word, std::vector<ModelPiece>& symbols) const;
  void MergeAll(std::vector<ModelPiece>& symbols) const;

  absl::flat_hash_map<std::string, int32_t> vocab_;
  // Keys as the words spell them: raw bytes for a byte-level vocabulary.
  absl::flat_hash_map<std::string, int32_t> word_vocab_;
  absl::flat_hash_map<uint64_t, Merge> merges_;
  int32_t byte_ids_[256];
  bool byte_level_ = false;
  bool ignore_merges_ = false;
  bool fuse_unk_ = false;
  bool byte_fallback_ = false;
  std::optional<int32_t> unk_id_;
  BpeCache cache_;
};

}  // namespace mbserve::tokenizer_internal
