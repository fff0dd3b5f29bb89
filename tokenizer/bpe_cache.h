// A bounded, thread-safe map from words to their BPE pieces. Sharded so
// threads encoding in parallel rarely wait on one another; a full shard is
// emptied, which keeps memory bounded while following a drifting workload.
// Each shard's lock is a std::shared_mutex (a pthread rwlock), which
// ThreadSanitizer sees, rather than Debian's uninstrumented absl::Mutex,
// whose locking it cannot see: the server's TSan tests then check the cache
// as its tokenization threads share it.
#pragma once

#include <array>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tokenizer/model.h"

namespace mbserve::tokenizer_internal {

class BpeCache {
 public:
  static constexpr size_t kShards = 16;
  static constexpr size_t kEntriesPerShard = 1024;
  // Longer words are rare and would make each entry costly.
  static constexpr size_t kMaxWordBytes = 64;

  // Appends the cached pieces of `word` to `out`; false on a miss.
  bool Lookup(std::string_view word, size_t hash, std::vector<ModelPiece>& out) const;
  void Insert(std::string_view word, size_t hash, const ModelPiece* pieces, size_t count) const;

 private:
  struct Shard {
    std::shared_mutex mutex;
    absl::flat_hash_map<std::string, std::vector<ModelPiece>> entries;  // under mutex
  };
  Shard& ShardFor(size_t hash) const { return shards_[(hash >> 7) % kShards]; }

  mutable std::array<Shard, kShards> shards_;
};

}  // namespace mbserve::tokenizer_internal
