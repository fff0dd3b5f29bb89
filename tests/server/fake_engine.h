// An Engine stand-in for batcher tests: each output depends only on its own
// sequence (sum of ids, length), every batch is recorded, and a gate can
// hold the engine inside Run() to let the queue build up.
#pragma once

#include <condition_variable>
#include <mutex>
#include <numeric>
#include <vector>

#include "engine/engine.h"

namespace mbserve::server::testing {

class FakeEngine : public Engine {
 public:
  FakeEngine() {
    config_.architecture = "FakeModel";
    config_.hidden_size = 2;
  }

  const ModelConfig& config() const override { return config_; }
  const SentenceTransformersConfig& sentence_transformers() const override { return st_; }
  const EngineOptions& options() const override { return options_; }

  absl::StatusOr<BatchOutput> Run(const PackedBatch& batch,
                                  std::span<const SequenceTask> tasks) override {
    std::unique_lock lock(mu_);
    batches_.push_back(batch);
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    BatchOutput out;
    for (int b = 0; b < batch.num_sequences(); ++b) {
      const auto begin = batch.token_ids.begin() + batch.cu_seqlens[b];
      const auto end = batch.token_ids.begin() + batch.cu_seqlens[b + 1];
      out.outputs.push_back({static_cast<float>(std::accumulate(begin, end, 0LL)),
                             static_cast<float>(batch.sequence_length(b))});
    }
    if (static_cast<int>(tasks.size()) != batch.num_sequences()) {
      return absl::InternalError("tasks and sequences differ");
    }
    return out;
  }

  // Close: Run() blocks after recording its batch until Open().
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
  std::vector<PackedBatch> batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  ModelConfig config_;
  SentenceTransformersConfig st_;
  EngineOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  std::vector<PackedBatch> batches_;
};

}  // namespace mbserve::server::testing
