// PackedBatch: the contract between the batcher and the engine. Sequences are
// concatenated with no padding; cu_seqlens marks where each one starts.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mbserve {

struct PackedBatch {
  std::vector<int32_t> token_ids;  // all sequences back to back, [T]
  // [T]: the segment of each token (BERT's token_type_ids: 0 for the first
  // text of a pair, 1 for the second). Models without token types ignore it.
  std::vector<int32_t> token_type_ids;
  std::vector<int32_t> cu_seqlens;  // [n + 1]: sequence b is [cu_seqlens[b], cu_seqlens[b+1])
  std::vector<int32_t> positions;   // [T]: index within its own sequence, from 0
  int32_t max_seqlen = 0;

  PackedBatch() : cu_seqlens{0} {}

  int num_sequences() const { return static_cast<int>(cu_seqlens.size()) - 1; }
  int num_tokens() const { return static_cast<int>(token_ids.size()); }
  int sequence_length(int b) const { return cu_seqlens[b + 1] - cu_seqlens[b]; }

  // Appends one sequence, every token of type 0; keeps every field consistent.
  void Append(std::span<const int32_t> ids);
  // Appends one sequence with its token types; type_ids.size() must equal
  // ids.size() (the engine rejects a batch where they differ).
  void Append(std::span<const int32_t> ids, std::span<const int32_t> type_ids);
  // Appends sequence b of `other`, with its token types.
  void AppendSequence(const PackedBatch& other, int b);
};

}  // namespace mbserve
