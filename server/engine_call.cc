#include "server/engine_call.h"

#include <string>
#include <utility>

#include "server/sequence_group.h"

namespace mbserve::server {
namespace {

uint64_t Micros(Clock::duration d) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

}  // namespace

void SubmitToEngine(ServingContext& serving, std::string_view rpc,
                    std::shared_ptr<const CallState> call, std::vector<PreparedInput> inputs,
                    const SequenceTask& task, EngineDone done) {
  const Clock::time_point tokenized = Clock::now();
  std::vector<int> lengths;
  std::vector<bool> truncated;
  for (const PreparedInput& input : inputs) {
    lengths.push_back(static_cast<int>(input.ids.size()));
    truncated.push_back(input.truncated);
  }

  auto on_group = [&metrics = serving.metrics, rpc = std::string(rpc), call, tokenized,
                   lengths = std::move(lengths), truncated = std::move(truncated),
                   done = std::move(done)](absl::StatusOr<GroupResult> group) {
    if (!group.ok()) {
      done(group.status());
      return;
    }
    const Clock::time_point now = Clock::now();
    const Clock::duration tokenization = tokenized - call->start;
    const Clock::duration queue = group->first_batch_start - tokenized;
    const Clock::duration inference = group->last_batch_end - group->first_batch_start;
    metrics.RecordPhases(rpc, tokenization, queue, inference);
    metrics.RecordInputs(rpc, lengths);

    EngineResult result;
    result.outputs = std::move(group->outputs);
    result.lengths = lengths;
    result.truncated = truncated;
    result.timing.set_tokenization_us(Micros(tokenization));
    result.timing.set_queue_us(Micros(queue));
    result.timing.set_inference_us(Micros(inference));
    result.timing.set_total_us(Micros(now - call->start));
    uint64_t total = 0;
    for (int length : lengths) total += length;
    result.usage.set_total_tokens(total);
    done(std::move(result));
  };

  auto group = std::make_shared<SequenceGroup>(call, static_cast<int>(inputs.size()),
                                               std::move(on_group));
  std::vector<QueuedSequence> sequences;
  sequences.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    sequences.push_back(
        QueuedSequence{group, static_cast<int>(i), std::move(inputs[i].ids), task, tokenized});
  }
  serving.batcher.Submit(std::move(sequences));
}

}  // namespace mbserve::server
