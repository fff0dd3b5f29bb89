#include "server/stream_registry.h"

#include <vector>

namespace mbserve::server {

bool StreamRegistry::Add(Drainable* stream) {
  std::lock_guard lock(mu_);
  if (draining_) return false;
  streams_.insert(stream);
  return true;
}

void StreamRegistry::Remove(Drainable* stream) {
  std::lock_guard lock(mu_);
  streams_.erase(stream);
}

void StreamRegistry::DrainAll() {
  // Holding the lock keeps every listed stream alive: it cannot unregister
  // (and be deleted) on another thread until the loop is done.
  std::lock_guard lock(mu_);
  draining_ = true;
  const std::vector<Drainable*> streams(streams_.begin(), streams_.end());
  for (Drainable* stream : streams) stream->Drain();
}

}  // namespace mbserve::server
