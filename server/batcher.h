// The dynamic varlen batcher. Sequences from any number of calls wait in one
// FIFO queue; the batcher thread packs them into the open batch (no padding)
// while the engine thread runs the previous one, and delivers results. Only
// the engine thread touches the Engine.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/batch.h"
#include "engine/engine.h"
#include "server/batch_policy.h"
#include "server/clock.h"
#include "server/memory_release.h"
#include "server/metrics.h"

namespace mbserve::server {

// When the engine ran the batch that carried a sequence.
struct BatchTiming {
  Clock::time_point start;
  Clock::time_point end;
};

// The owner of some queued sequences (one call, usually). Called from the
// batcher's threads; implementations are thread-safe.
class SequenceSink {
 public:
  virtual ~SequenceSink() = default;
  // OK while the sequences are still wanted; otherwise the reason they are
  // dropped (cancelled, past the deadline, another input failed).
  virtual absl::Status Liveness(Clock::time_point now) const = 0;
  virtual void OnOutput(int index, std::vector<float> output, const BatchTiming& timing) = 0;
  virtual void OnError(const absl::Status& status) = 0;
};

struct QueuedSequence {
  std::shared_ptr<SequenceSink> sink;
  int index = 0;  // the sink's own numbering, handed back in OnOutput
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;  // as long as ids (PackedBatch::token_type_ids)
  SequenceTask task;
  Clock::time_point enqueued;
  // The connection the call came on (a gRPC peer, an HTTP client address):
  // --max-queued-tokens is shared between connections (ClientShare).
  std::string client;
};

class Batcher {
 public:
  Batcher(Engine& engine, const BatchLimits& limits, Metrics& metrics,
          IdleRelease idle_release = {});
  ~Batcher();  // Stop()
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Never blocks on the engine. Admission control bounds the queue. The
  // sequences are one call's: they share one client.
  void Submit(std::vector<QueuedSequence> sequences);
  // Runs and delivers everything already submitted, then joins the threads.
  // Later submissions fail with UNAVAILABLE.
  void Stop();
  // Fails every sequence not yet handed to the engine with `why` (the batch
  // the engine runs finishes and is delivered), then stops as Stop() does:
  // the shutdown timeout's cut, which must not turn into late answers.
  void Cut(const absl::Status& why);

  const BatchLimits& limits() const { return limits_; }

 private:
  struct Member {
    std::shared_ptr<SequenceSink> sink;
    int index = 0;
    SequenceTask task;
    std::string client;
  };
  struct Outcome {
    Member member;
    absl::StatusOr<std::vector<float>> output;
  };
  struct Finished {
    std::vector<Outcome> outcomes;
    BatchTiming timing;
  };
  struct OpenBatch {
    PackedBatch packed;
    std::vector<Member> members;
    Clock::time_point oldest;
    bool full = false;
    BatchSize size() const { return {packed.num_sequences(), packed.num_tokens()}; }
  };

  // The member a queued sequence becomes, its sink and client moved out.
  static Member TakeMember(QueuedSequence& queued);
  void BatcherLoop();
  void EngineLoop();
  // Moves live sequences from the queue head into the open batch; returns
  // the dead ones. Needs mu_.
  std::vector<Outcome> FillOpenBatch(Clock::time_point now);
  Finished RunBatch(OpenBatch batch);
  static void Deliver(std::vector<Outcome>& outcomes, const BatchTiming& timing);
  // Why a call of `tokens` from `client` is refused, or OK. Needs mu_.
  absl::Status CheckQueuedTokens(const std::string& client, int64_t tokens) const;
  // Counts sequences joining or leaving the waiting ones. Need mu_.
  void AddWaiting(const std::string& client, int64_t tokens);
  void RemoveWaiting(const std::string& client, int64_t tokens);
  bool Drained() const;      // needs mu_
  void PublishQueueDepth();  // needs mu_

  Engine& engine_;
  const BatchLimits limits_;
  Metrics& metrics_;
  const IdleRelease idle_release_;

  std::mutex mu_;
  std::condition_variable batcher_cv_;
  std::condition_variable engine_cv_;
  std::deque<QueuedSequence> queue_;
  OpenBatch open_;
  std::deque<Finished> finished_;
  int waiting_sequences_ = 0;  // queue_ + open_
  int64_t waiting_tokens_ = 0;
  std::map<std::string, int64_t> waiting_tokens_by_client_;  // only clients with some
  bool engine_busy_ = false;
  bool ran_since_release_ = false;  // a batch ran since memory was last released
  bool stopping_ = false;

  std::thread batcher_thread_;
  std::thread engine_thread_;
};

}  // namespace mbserve::server
