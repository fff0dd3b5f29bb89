#include "tokenizer/bpe_cache.h"

#include <mutex>

#include "tokenizer/absl_view.h"

namespace mbserve::tokenizer_internal {

bool BpeCache::Lookup(std::string_view word, size_t hash, std::vector<ModelPiece>& out) const {
  Shard& shard = ShardFor(hash);
  std::shared_lock lock(shard.mutex);
  auto it = shard.entries.find(AbslView(word));
  if (it == shard.entries.end()) return false;
  out.insert(out.end(), it->second.begin(), it->second.end());
  return true;
}

void BpeCache::Insert(std::string_view word, size_t hash, const ModelPiece* pieces,
                      size_t count) const {
  if (word.size() > kMaxWordBytes) return;
  Shard& shard = ShardFor(hash);
  std::unique_lock lock(shard.mutex);
  if (shard.entries.size() >= kEntriesPerShard) shard.entries.clear();
  shard.entries.try_emplace(std::string(word), pieces, pieces + count);
}

}  // namespace mbserve::tokenizer_internal
