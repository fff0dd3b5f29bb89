#include "server/warmup.h"

#include <algorithm>
#include <future>
#include <string>

#include "server/sequence_group.h"

namespace mbserve::server {

absl::Status RunWarmUp(Batcher& batcher, const Tokenizer& tokenizer, const ServedModel& model,
                       int tokens) {
  const int length = std::min(tokens, model.max_input_length);
  std::string text;
  while (static_cast<int>(text.size()) < length * 8) text += "The quick brown fox warms up. ";
  EncodeOptions options;
  options.max_length = length;
  absl::StatusOr<Encoding> encoding = tokenizer.Encode(text, options);
  if (!encoding.ok()) return encoding.status();

  std::vector<SequenceTask> tasks(1);
  tasks[0].kind = OutputKind::kPooledEmbedding;
  tasks[0].pooling = model.pooling;
  if (model.can_classify()) tasks.push_back(SequenceTask{OutputKind::kClassLogits});

  std::promise<absl::Status> done;
  auto group = std::make_shared<SequenceGroup>(
      std::make_shared<CallState>(), static_cast<int>(tasks.size()),
      [&done](absl::StatusOr<GroupResult> result) { done.set_value(result.status()); });
  std::vector<QueuedSequence> sequences;
  for (size_t i = 0; i < tasks.size(); ++i) {
    sequences.push_back({group, static_cast<int>(i), encoding->ids, tasks[i], Clock::now()});
  }
  batcher.Submit(std::move(sequences));
  return done.get_future().get();
}

}  // namespace mbserve::server
