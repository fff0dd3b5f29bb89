#include "server/sequence_group.h"

#include <algorithm>
#include <utility>

namespace mbserve::server {

SequenceGroup::SequenceGroup(std::shared_ptr<const CallState> call, int num_sequences, Done done)
    : call_(std::move(call)), remaining_(num_sequences), done_(std::move(done)) {
  result_.outputs.resize(num_sequences);
}

absl::Status SequenceGroup::Liveness(Clock::time_point now) const {
  {
    std::lock_guard lock(mu_);
    if (finished_) return absl::AbortedError("another input of the call failed");
  }
  return call_->Liveness(now);
}

void SequenceGroup::OnOutput(int index, std::vector<float> output, const BatchTiming& timing) {
  Done done;
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    result_.outputs[index] = std::move(output);
    result_.first_batch_start = std::min(result_.first_batch_start, timing.start);
    result_.last_batch_end = std::max(result_.last_batch_end, timing.end);
    if (--remaining_ > 0) return;
    finished_ = true;
    done = std::move(done_);
  }
  done(std::move(result_));
}

void SequenceGroup::OnError(const absl::Status& status) {
  Done done;
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
    done = std::move(done_);
  }
  done(status);
}

}  // namespace mbserve::server
