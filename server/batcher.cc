#include "server/batcher.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace mbserve::server {
namespace {

// The batch without the sequences whose keep[b] is false.
PackedBatch Without(const PackedBatch& batch, const std::vector<bool>& keep) {
  PackedBatch kept;
  for (int b = 0; b < batch.num_sequences(); ++b) {
    if (!keep[b]) continue;
    kept.AppendSequence(batch, b);
  }
  return kept;
}

}  // namespace

Batcher::Batcher(Engine& engine, const BatchLimits& limits, Metrics& metrics,
                 IdleRelease idle_release)
    : engine_(engine), limits_(limits), metrics_(metrics), idle_release_(std::move(idle_release)) {
  batcher_thread_ = std::thread([this] { BatcherLoop(); });
  engine_thread_ = std::thread([this] { EngineLoop(); });
}

Batcher::~Batcher() { Stop(); }

void Batcher::Submit(std::vector<QueuedSequence> sequences) {
  std::unique_lock lock(mu_);
  if (stopping_) {
    lock.unlock();
    const absl::Status status = absl::UnavailableError("the server is shutting down");
    for (QueuedSequence& sequence : sequences) sequence.sink->OnError(status);
    return;
  }
  int64_t tokens = 0;
  for (const QueuedSequence& sequence : sequences) tokens += sequence.ids.size();
  const std::string client = sequences.empty() ? std::string() : sequences.front().client;
  if (absl::Status status = CheckQueuedTokens(client, tokens); !status.ok()) {
    lock.unlock();
    for (QueuedSequence& sequence : sequences) sequence.sink->OnError(status);
    return;
  }
  for (QueuedSequence& sequence : sequences) {
    AddWaiting(sequence.client, static_cast<int64_t>(sequence.ids.size()));
    queue_.push_back(std::move(sequence));
  }
  PublishQueueDepth();
  batcher_cv_.notify_one();
}

void Batcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  batcher_cv_.notify_all();
  engine_cv_.notify_all();
  if (batcher_thread_.joinable()) batcher_thread_.join();
  if (engine_thread_.joinable()) engine_thread_.join();
}

Batcher::Member Batcher::TakeMember(QueuedSequence& queued) {
  return Member{std::move(queued.sink), queued.index, queued.task, std::move(queued.client)};
}

void Batcher::Cut(const absl::Status& why) {
  std::vector<Outcome> cut;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    OpenBatch open = std::exchange(open_, OpenBatch{});
    for (size_t b = 0; b < open.members.size(); ++b) {
      RemoveWaiting(open.members[b].client, open.packed.sequence_length(static_cast<int>(b)));
      cut.push_back({std::move(open.members[b]), why});
    }
    for (QueuedSequence& queued : queue_) {
      RemoveWaiting(queued.client, static_cast<int64_t>(queued.ids.size()));
      cut.push_back({TakeMember(queued), why});
    }
    queue_.clear();
    PublishQueueDepth();
  }
  const Clock::time_point now = Clock::now();
  Deliver(cut, BatchTiming{now, now});
  Stop();
}

absl::Status Batcher::CheckQueuedTokens(const std::string& client, int64_t tokens) const {
  if (limits_.max_queued_tokens <= 0) return absl::OkStatus();
  // A call larger than the bound still runs when nothing waits before it.
  if (waiting_tokens_ > 0 && waiting_tokens_ + tokens > limits_.max_queued_tokens) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the server has ", waiting_tokens_, " tokens queued; this call's ", tokens,
        " would pass --max-queued-tokens (", limits_.max_queued_tokens, "); retry later"));
  }
  const auto held = waiting_tokens_by_client_.find(client);
  if (held == waiting_tokens_by_client_.end()) return absl::OkStatus();
  const int clients = static_cast<int>(waiting_tokens_by_client_.size());
  const int64_t share = ClientShare(limits_.max_queued_tokens, clients);
  if (held->second + tokens <= share) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat("this connection has ", held->second, " tokens queued; this call's ", tokens,
                   " would pass its share of --max-queued-tokens (", share, " of ",
                   limits_.max_queued_tokens, " while ", clients,
                   clients == 1 ? " connection waits" : " connections wait", "); retry later"));
}

void Batcher::AddWaiting(const std::string& client, int64_t tokens) {
  ++waiting_sequences_;
  waiting_tokens_ += tokens;
  waiting_tokens_by_client_[client] += tokens;
}

void Batcher::RemoveWaiting(const std::string& client, int64_t tokens) {
  --waiting_sequences_;
  waiting_tokens_ -= tokens;
  const auto held = waiting_tokens_by_client_.find(client);
  held->second -= tokens;
  if (held->second == 0) waiting_tokens_by_client_.erase(held);
}

bool Batcher::Drained() const {
  return queue_.empty() && open_.members.empty() && finished_.empty() && !engine_busy_;
}

void Batcher::PublishQueueDepth() { metrics_.SetQueueDepth(waiting_sequences_, waiting_tokens_); }

std::vector<Batcher::Outcome> Batcher::FillOpenBatch(Clock::time_point now) {
  std::vector<Outcome> dropped;
  while (!queue_.empty()) {
    QueuedSequence& next = queue_.front();
    const int tokens = static_cast<int>(next.ids.size());
    if (absl::Status live = next.sink->Liveness(now); !live.ok()) {
      RemoveWaiting(next.client, tokens);
      dropped.push_back({TakeMember(next), std::move(live)});
    } else if (!Fits(open_.size(), tokens, limits_)) {
      open_.full = true;
      break;
    } else {
      if (open_.members.empty()) open_.oldest = next.enqueued;
      open_.packed.Append(next.ids, next.type_ids);
      open_.members.push_back(TakeMember(next));
    }
    queue_.pop_front();
  }
  PublishQueueDepth();
  return dropped;
}

void Batcher::BatcherLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    batcher_cv_.wait(lock, [this] {
      return !finished_.empty() || (!queue_.empty() && !open_.full) || (stopping_ && Drained());
    });
    if (!finished_.empty()) {
      Finished done = std::move(finished_.front());
      finished_.pop_front();
      lock.unlock();
      Deliver(done.outcomes, done.timing);
      lock.lock();
      continue;
    }
    if (!queue_.empty() && !open_.full) {
      std::vector<Outcome> dropped = FillOpenBatch(Clock::now());
      engine_cv_.notify_one();
      lock.unlock();
      const Clock::time_point now = Clock::now();
      Deliver(dropped, BatchTiming{now, now});
      lock.lock();
      continue;
    }
    break;  // stopping and drained
  }
}

void Batcher::EngineLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    if (open_.members.empty()) {
      // Stopping with nothing queued: the batcher thread will not fill again.
      if (stopping_ && queue_.empty()) break;
      if (!ran_since_release_) {
        engine_cv_.wait(lock);
        continue;
      }
      // Idle after work: once nothing arrives for idle_release_.after, give
      // the memory the batches freed back to the system.
      if (engine_cv_.wait_for(lock, idle_release_.after) == std::cv_status::timeout &&
          open_.members.empty() && !stopping_) {
        ran_since_release_ = false;
        lock.unlock();
        idle_release_.release();
        lock.lock();
      }
      continue;
    }
    const Clock::time_point when =
        stopping_ ? Clock::time_point::min()
                  : DispatchTime(open_.size(), open_.full, open_.oldest, limits_);
    if (Clock::now() < when) {
      engine_cv_.wait_until(lock, when);
      continue;
    }
    OpenBatch batch = std::exchange(open_, OpenBatch{});
    for (size_t b = 0; b < batch.members.size(); ++b) {
      RemoveWaiting(batch.members[b].client, batch.packed.sequence_length(static_cast<int>(b)));
    }
    PublishQueueDepth();
    engine_busy_ = true;
    batcher_cv_.notify_one();  // the queue may fill a new open batch now
    lock.unlock();
    Finished finished = RunBatch(std::move(batch));
    lock.lock();
    finished_.push_back(std::move(finished));
    engine_busy_ = false;
    ran_since_release_ = true;
    batcher_cv_.notify_one();
  }
  batcher_cv_.notify_one();
}

Batcher::Finished Batcher::RunBatch(OpenBatch batch) {
  Finished finished;
  const Clock::time_point now = Clock::now();
  std::vector<bool> keep(batch.members.size(), true);
  std::vector<SequenceTask> tasks;
  for (size_t b = 0; b < batch.members.size(); ++b) {
    absl::Status live = batch.members[b].sink->Liveness(now);
    keep[b] = live.ok();
    if (keep[b]) {
      tasks.push_back(batch.members[b].task);
    } else {
      finished.outcomes.push_back({std::move(batch.members[b]), std::move(live)});
    }
  }
  finished.timing = {now, now};
  if (tasks.empty()) return finished;
  const PackedBatch packed =
      tasks.size() == batch.members.size() ? std::move(batch.packed) : Without(batch.packed, keep);

  finished.timing.start = Clock::now();
  absl::StatusOr<BatchOutput> output = engine_.Run(packed, tasks);
  finished.timing.end = Clock::now();
  metrics_.RecordBatch(packed.num_sequences(), packed.num_tokens(), finished.timing.end);
  if (output.ok() &&
      (output->outputs.size() != tasks.size() || output->statuses.size() != tasks.size())) {
    output = absl::InternalError(absl::StrCat("the engine returned ", output->outputs.size(),
                                              " outputs and ", output->statuses.size(),
                                              " statuses for ", tasks.size(), " sequences"));
  }
  if (!output.ok()) {
    SPDLOG_ERROR("engine failed on a batch of {} sequences, {} tokens: {}", packed.num_sequences(),
                 packed.num_tokens(), output.status().ToString());
  }
  size_t out = 0;
  for (size_t b = 0; b < batch.members.size(); ++b) {
    if (!keep[b]) continue;
    if (output.ok()) {
      // A sequence the engine failed alone gets its own status; the rest of
      // the batch is unaffected.
      absl::StatusOr<std::vector<float>> result = std::move(output->outputs[out]);
      if (!output->statuses[out].ok()) result = std::move(output->statuses[out]);
      ++out;
      finished.outcomes.push_back({std::move(batch.members[b]), std::move(result)});
    } else {
      finished.outcomes.push_back(
          {std::move(batch.members[b]),
           absl::InternalError(absl::StrCat("inference failed: ", output.status().message()))});
    }
  }
  return finished;
}

void Batcher::Deliver(std::vector<Outcome>& outcomes, const BatchTiming& timing) {
  for (Outcome& outcome : outcomes) {
    if (outcome.output.ok()) {
      outcome.member.sink->OnOutput(outcome.member.index, std::move(*outcome.output), timing);
    } else {
      outcome.member.sink->OnError(outcome.output.status());
    }
  }
}

}  // namespace mbserve::server
