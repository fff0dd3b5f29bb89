#include "server/warmup.h"

#include <algorithm>
#include <future>
#include <mutex>
#include <string>

namespace mbserve::server {
namespace {

// Waits for the warm-up sequences: OK once all ran, else the first error.
class WarmUpSink final : public SequenceSink {
 public:
  explicit WarmUpSink(int sequences) : remaining_(sequences) {}

  absl::Status Wait() { return done_.get_future().get(); }

  absl::Status Liveness(Clock::time_point) const override { return absl::OkStatus(); }
  void OnOutput(int, std::vector<float>, const BatchTiming&) override {
    std::lock_guard lock(mu_);
    if (--remaining_ == 0) done_.set_value(absl::OkStatus());
  }
  void OnError(const absl::Status& status) override {
    std::lock_guard lock(mu_);
    if (remaining_ <= 0) return;
    remaining_ = 0;
    done_.set_value(status);
  }

 private:
  std::mutex mu_;
  int remaining_;
  std::promise<absl::Status> done_;
};

}  // namespace

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

  auto sink = std::make_shared<WarmUpSink>(static_cast<int>(tasks.size()));
  std::vector<QueuedSequence> sequences;
  for (size_t i = 0; i < tasks.size(); ++i) {
    sequences.push_back({sink, static_cast<int>(i), encoding->ids, encoding->type_ids, tasks[i],
                         Clock::now(), "warm-up"});
  }
  batcher.Submit(std::move(sequences));
  return sink->Wait();
}

}  // namespace mbserve::server
