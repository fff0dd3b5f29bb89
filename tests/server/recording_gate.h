// Records every batch an engine is asked to run and, while closed, holds the
// engine thread inside Run(): tests use it to let queues build up behind a
// busy engine, deterministically.
#pragma once

#include <condition_variable>
#include <mutex>
#include <vector>

#include "engine/batch.h"

namespace mbserve::server::testing {

class RecordingGate {
 public:
  // Records the batch, then blocks while the gate is closed.
  void Pass(const PackedBatch& batch) {
    std::unique_lock lock(mu_);
    batches_.push_back(batch);
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void Close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void WaitForBatches(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return batches_.size() >= n; });
  }
  void Clear() {
    std::lock_guard lock(mu_);
    batches_.clear();
  }
  std::vector<PackedBatch> batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }
  // Whether any recorded batch holds this token id.
  bool Saw(int32_t id) {
    std::lock_guard lock(mu_);
    for (const PackedBatch& batch : batches_) {
      for (int32_t token : batch.token_ids) {
        if (token == id) return true;
      }
    }
    return false;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  std::vector<PackedBatch> batches_;
};

}  // namespace mbserve::server::testing
