#include "engine/batch.h"

#include <algorithm>

namespace mbserve {

void PackedBatch::Append(std::span<const int32_t> ids) {
  const std::vector<int32_t> zeros(ids.size(), 0);
  Append(ids, zeros);
}

void PackedBatch::Append(std::span<const int32_t> ids, std::span<const int32_t> type_ids) {
  token_ids.insert(token_ids.end(), ids.begin(), ids.end());
  token_type_ids.insert(token_type_ids.end(), type_ids.begin(), type_ids.end());
  const int32_t length = static_cast<int32_t>(ids.size());
  for (int32_t p = 0; p < length; ++p) positions.push_back(p);
  cu_seqlens.push_back(cu_seqlens.back() + length);
  max_seqlen = std::max(max_seqlen, length);
}

void PackedBatch::AppendSequence(const PackedBatch& other, int b) {
  const size_t begin = other.cu_seqlens[b];
  const size_t length = other.sequence_length(b);
  Append(std::span<const int32_t>(other.token_ids).subspan(begin, length),
         std::span<const int32_t>(other.token_type_ids).subspan(begin, length));
}

}  // namespace mbserve
