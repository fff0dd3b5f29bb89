// Collects the outputs of one call's sequences, which may run in different
// batches, and hands them back in input order exactly once: all outputs, or
// the first error (after which the remaining sequences are dropped).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "server/batcher.h"
#include "server/call_state.h"

namespace mbserve::server {

struct GroupResult {
  std::vector<std::vector<float>> outputs;  // by input index
  Clock::time_point first_batch_start = Clock::time_point::max();
  Clock::time_point last_batch_end = Clock::time_point::min();
};

class SequenceGroup : public SequenceSink {
 public:
  using Done = std::function<void(absl::StatusOr<GroupResult>)>;

  SequenceGroup(std::shared_ptr<const CallState> call, int num_sequences, Done done);

  absl::Status Liveness(Clock::time_point now) const override;
  void OnOutput(int index, std::vector<float> output, const BatchTiming& timing) override;
  void OnError(const absl::Status& status) override;

 private:
  const std::shared_ptr<const CallState> call_;
  mutable std::mutex mu_;
  GroupResult result_;
  int remaining_;
  bool finished_ = false;
  Done done_;
};

}  // namespace mbserve::server
