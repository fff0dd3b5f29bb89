// An Engine stand-in for batcher tests: each output depends only on its own
// sequence (sum of ids, length); a sequence holding failing_id fails alone,
// as the engine fails an invalid sequence; batches pass a RecordingGate.
#pragma once

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "tests/server/recording_gate.h"

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
  const std::string& kernel_summary() const override { return kernel_summary_; }

  absl::StatusOr<BatchOutput> Run(const PackedBatch& batch,
                                  std::span<const SequenceTask> tasks) override {
    gate.Pass(batch);
    if (!failure.ok()) return failure;
    if (static_cast<int>(tasks.size()) != batch.num_sequences()) {
      return absl::InternalError("tasks and sequences differ");
    }
    BatchOutput out;
    for (int b = 0; b < batch.num_sequences(); ++b) {
      const auto begin = batch.token_ids.begin() + batch.cu_seqlens[b];
      const auto end = batch.token_ids.begin() + batch.cu_seqlens[b + 1];
      if (std::find(begin, end, failing_id) != end) {
        out.statuses.push_back(absl::InvalidArgumentError(
            absl::StrCat("token id ", failing_id, " is outside the vocabulary")));
        out.outputs.emplace_back();
        continue;
      }
      out.statuses.push_back(absl::OkStatus());
      out.outputs.push_back({static_cast<float>(std::accumulate(begin, end, 0LL)),
                             static_cast<float>(batch.sequence_length(b))});
    }
    return out;
  }

  RecordingGate gate;
  absl::Status failure;  // when set, Run() returns it
  int32_t failing_id = -1;

 private:
  ModelConfig config_;
  SentenceTransformersConfig st_;
  EngineOptions options_;
  std::string kernel_summary_ = "fake";
};

}  // namespace mbserve::server::testing
