#include "server/batcher.h"

#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <thread>

#include "gtest/gtest.h"
#include "tests/server/fake_engine.h"

namespace mbserve::server {
namespace {

using testing::FakeEngine;

// Records what the batcher delivers; its liveness is set by the test.
class RecordingSink : public SequenceSink {
 public:
  absl::Status Liveness(Clock::time_point) const override {
    std::lock_guard lock(mu_);
    return liveness_;
  }
  void OnOutput(int index, std::vector<float> output, const BatchTiming&) override {
    std::lock_guard lock(mu_);
    ++deliveries_[index];
    outputs_[index] = std::move(output);
  }
  void OnError(const absl::Status& status) override {
    std::lock_guard lock(mu_);
    errors_.push_back(status);
  }
  void set_liveness(absl::Status s) {
    std::lock_guard lock(mu_);
    liveness_ = std::move(s);
  }
  std::map<int, std::vector<float>> outputs() {
    std::lock_guard lock(mu_);
    return outputs_;
  }
  std::map<int, int> deliveries() {
    std::lock_guard lock(mu_);
    return deliveries_;
  }
  std::vector<absl::Status> errors() {
    std::lock_guard lock(mu_);
    return errors_;
  }

 private:
  mutable std::mutex mu_;
  absl::Status liveness_;
  std::map<int, std::vector<float>> outputs_;
  std::map<int, int> deliveries_;
  std::vector<absl::Status> errors_;
};

// Shaped like a text pair: the first half of the tokens has type 0, the rest
// type 1 (ExpectPairTypes checks they reach the engine so).
QueuedSequence Seq(std::shared_ptr<SequenceSink> sink, int index, int length, int value = 1) {
  std::vector<int32_t> type_ids(length, 0);
  std::fill(type_ids.begin() + length / 2, type_ids.end(), 1);
  return QueuedSequence{std::move(sink),     index,          std::vector<int32_t>(length, value),
                        std::move(type_ids), SequenceTask{}, Clock::now(),
                        "batcher_test"};
}

void ExpectPairTypes(const PackedBatch& batch) {
  ASSERT_EQ(batch.token_type_ids.size(), batch.token_ids.size());
  for (int b = 0; b < batch.num_sequences(); ++b) {
    const int length = batch.sequence_length(b);
    for (int i = 0; i < length; ++i) {
      EXPECT_EQ(batch.token_type_ids[batch.cu_seqlens[b] + i], i < length / 2 ? 0 : 1)
          << "sequence " << b << " token " << i;
    }
  }
}

BatchLimits Limits(int tokens, int sequences, std::chrono::milliseconds delay) {
  return BatchLimits{tokens, sequences, delay};
}

TEST(BatcherTest, DeliversEveryOutputOnceToItsOwner) {
  FakeEngine engine;
  Metrics metrics;
  Batcher batcher(engine, Limits(64, 8, std::chrono::milliseconds(1)), metrics);
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::shared_ptr<RecordingSink>> sinks;
  for (int t = 0; t < kThreads; ++t) sinks.push_back(std::make_shared<RecordingSink>());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<QueuedSequence> one;
        one.push_back(Seq(sinks[t], i, 1 + (i * 7 + t) % 30, t + 1));
        batcher.Submit(std::move(one));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  batcher.Stop();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(sinks[t]->deliveries().size(), static_cast<size_t>(kPerThread));
    for (const auto& [index, count] : sinks[t]->deliveries()) EXPECT_EQ(count, 1);
    for (const auto& [index, output] : sinks[t]->outputs()) {
      const int length = 1 + (index * 7 + t) % 30;
      EXPECT_EQ(output[0], static_cast<float>(length * (t + 1)));
      EXPECT_EQ(output[1], static_cast<float>(length));
    }
    EXPECT_TRUE(sinks[t]->errors().empty());
  }
}

TEST(BatcherTest, BatchesRespectLimitsAndKeepFifoOrder) {
  FakeEngine engine;
  engine.gate.Close();  // let the queue build up behind the first batch
  Metrics metrics;
  Batcher batcher(engine, Limits(100, 4, std::chrono::milliseconds(0)), metrics);
  auto sink = std::make_shared<RecordingSink>();
  std::vector<QueuedSequence> first;
  first.push_back(Seq(sink, 0, 10, 0));
  batcher.Submit(std::move(first));
  engine.gate.WaitForBatches(1);
  std::vector<QueuedSequence> rest;
  const int lengths[] = {30, 30, 30, 20, 5, 5, 5, 5, 5, 90, 100};
  for (int i = 0; i < 11; ++i) rest.push_back(Seq(sink, i + 1, lengths[i], i + 1));
  batcher.Submit(std::move(rest));
  engine.gate.Open();
  batcher.Stop();

  std::vector<int> order;
  for (const PackedBatch& batch : engine.gate.batches()) {
    ExpectPairTypes(batch);
    EXPECT_LE(batch.num_tokens(), 100);
    EXPECT_LE(batch.num_sequences(), 4);
    for (int b = 0; b < batch.num_sequences(); ++b) {
      order.push_back(batch.token_ids[batch.cu_seqlens[b]]);  // the sequence's fill value
      EXPECT_EQ(batch.positions[batch.cu_seqlens[b]], 0);
    }
  }
  std::vector<int> expected(12);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(order, expected);
  // 30+30+30 fits 100 tokens, +20 does not; 20+5+5+5 hits 4 sequences.
  const std::vector<PackedBatch> batches = engine.gate.batches();
  ASSERT_GE(batches.size(), 3u);
  EXPECT_EQ(batches[1].num_sequences(), 3);
  EXPECT_EQ(batches[2].num_sequences(), 4);
}

TEST(BatcherTest, IdleEngineWaitsForCompanyUpToTheDelay) {
  FakeEngine engine;
  Metrics metrics;
  Batcher batcher(engine, Limits(1000, 100, std::chrono::milliseconds(300)), metrics);
  auto sink = std::make_shared<RecordingSink>();
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < 3; ++i) {
    std::vector<QueuedSequence> one;
    one.push_back(Seq(sink, i, 4));
    batcher.Submit(std::move(one));
  }
  engine.gate.WaitForBatches(1);
  const Clock::duration waited = Clock::now() - start;
  batcher.Stop();
  ASSERT_EQ(engine.gate.batches().size(), 1u);
  EXPECT_EQ(engine.gate.batches()[0].num_sequences(), 3);
  EXPECT_GE(waited, std::chrono::milliseconds(250));
}

TEST(BatcherTest, FullBatchDoesNotWaitForTheDelay) {
  FakeEngine engine;
  Metrics metrics;
  Batcher batcher(engine, Limits(1000, 2, std::chrono::seconds(30)), metrics);
  auto sink = std::make_shared<RecordingSink>();
  std::vector<QueuedSequence> two;
  two.push_back(Seq(sink, 0, 4));
  two.push_back(Seq(sink, 1, 4));
  const Clock::time_point start = Clock::now();
  batcher.Submit(std::move(two));
  engine.gate.WaitForBatches(1);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  batcher.Stop();
  EXPECT_EQ(sink->deliveries().size(), 2u);
}

TEST(BatcherTest, DeadSequencesAreDroppedBeforeTheEngineSeesThem) {
  FakeEngine engine;
  engine.gate.Close();
  Metrics metrics;
  Batcher batcher(engine, Limits(1000, 100, std::chrono::milliseconds(0)), metrics);
  auto blocker = std::make_shared<RecordingSink>();
  auto cancelled = std::make_shared<RecordingSink>();
  auto expired = std::make_shared<RecordingSink>();
  auto alive = std::make_shared<RecordingSink>();
  std::vector<QueuedSequence> first;
  first.push_back(Seq(blocker, 0, 5, 1));
  batcher.Submit(std::move(first));
  engine.gate.WaitForBatches(1);
  // Queued (and packed into the open batch) while the engine is busy, then
  // cancelled before it runs.
  std::vector<QueuedSequence> later;
  later.push_back(Seq(cancelled, 0, 7, 2));
  later.push_back(Seq(expired, 0, 7, 3));
  later.push_back(Seq(alive, 0, 7, 4));
  batcher.Submit(std::move(later));
  cancelled->set_liveness(absl::CancelledError("cancelled"));
  expired->set_liveness(absl::DeadlineExceededError("late"));
  engine.gate.Open();
  batcher.Stop();

  for (const PackedBatch& batch : engine.gate.batches()) {
    ExpectPairTypes(batch);  // the batch without the dead sequences keeps its types
    for (int32_t id : batch.token_ids) {
      EXPECT_NE(id, 2);
      EXPECT_NE(id, 3);
    }
  }
  ASSERT_EQ(cancelled->errors().size(), 1u);
  EXPECT_EQ(cancelled->errors()[0].code(), absl::StatusCode::kCancelled);
  ASSERT_EQ(expired->errors().size(), 1u);
  EXPECT_EQ(expired->errors()[0].code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(alive->outputs().at(0)[0], 28.0f);
  EXPECT_TRUE(cancelled->outputs().empty());
}

TEST(BatcherTest, EngineFailureFailsEverySequenceOfTheBatchAndTheBatcherGoesOn) {
  FakeEngine engine;
  engine.failure = absl::InvalidArgumentError("bad batch");
  Metrics metrics;
  Batcher batcher(engine, Limits(100, 8, std::chrono::milliseconds(0)), metrics);
  auto sink = std::make_shared<RecordingSink>();
  std::vector<QueuedSequence> two;
  two.push_back(Seq(sink, 0, 3));
  two.push_back(Seq(sink, 1, 3));
  batcher.Submit(std::move(two));
  engine.gate.WaitForBatches(1);
  batcher.Stop();
  ASSERT_EQ(sink->errors().size(), 2u);
  for (const absl::Status& error : sink->errors()) {
    EXPECT_EQ(error.code(), absl::StatusCode::kInternal);
    EXPECT_NE(error.message().find("bad batch"), std::string::npos);
  }
  EXPECT_TRUE(sink->outputs().empty());
}

TEST(BatcherTest, ASequenceTheEngineFailsAloneGetsItsOwnErrorAndItsNeighboursTheirOutputs) {
  FakeEngine engine;
  engine.failing_id = 7;
  Metrics metrics;
  Batcher batcher(engine, Limits(100, 8, std::chrono::milliseconds(0)), metrics);
  auto before = std::make_shared<RecordingSink>();
  auto offender = std::make_shared<RecordingSink>();
  auto after = std::make_shared<RecordingSink>();
  std::vector<QueuedSequence> three;
  three.push_back(Seq(before, 0, 3, 2));
  three.push_back(Seq(offender, 0, 4, 7));
  three.push_back(Seq(after, 0, 5, 3));
  batcher.Submit(std::move(three));
  engine.gate.WaitForBatches(1);
  batcher.Stop();
  ASSERT_EQ(engine.gate.batches().size(), 1u) << "the three sequences should share one batch";
  ASSERT_EQ(offender->errors().size(), 1u);
  EXPECT_EQ(offender->errors()[0].code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(offender->errors()[0].message(), "token id 7 is outside the vocabulary");
  EXPECT_TRUE(offender->outputs().empty());
  EXPECT_TRUE(before->errors().empty());
  EXPECT_TRUE(after->errors().empty());
  EXPECT_EQ(before->outputs().at(0), (std::vector<float>{6.0f, 3.0f}));
  EXPECT_EQ(after->outputs().at(0), (std::vector<float>{15.0f, 5.0f}));
}

// Polls until `done` holds, for at most 10 s (generous for a loaded machine).
bool WaitFor(const std::function<bool()>& done) {
  const auto give_up = Clock::now() + std::chrono::seconds(10);
  while (!done() && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

TEST(BatcherTest, MemoryIsReleasedOnceAfterTheEngineIdlesAndNeverWhileItWorks) {
  constexpr auto kIdle = std::chrono::milliseconds(50);
  FakeEngine engine;
  Metrics metrics;
  std::atomic<int> releases = 0;
  Batcher batcher(engine, Limits(64, 8, std::chrono::milliseconds(0)), metrics,
                  IdleRelease{kIdle, [&] { ++releases; }});
  auto sink = std::make_shared<RecordingSink>();

  // Nothing ran yet: nothing to give back.
  std::this_thread::sleep_for(10 * kIdle);
  EXPECT_EQ(releases, 0);

  std::vector<QueuedSequence> first;
  first.push_back(Seq(sink, 0, 4));
  batcher.Submit(std::move(first));
  ASSERT_TRUE(WaitFor([&] { return releases == 1; })) << releases << " releases";
  // Once per idle spell, not once per idle interval.
  std::this_thread::sleep_for(10 * kIdle);
  EXPECT_EQ(releases, 1);

  // An engine busy far longer than the idle interval is not idle.
  engine.gate.Close();
  std::vector<QueuedSequence> second;
  second.push_back(Seq(sink, 1, 4));
  batcher.Submit(std::move(second));
  engine.gate.WaitForBatches(2);
  std::this_thread::sleep_for(10 * kIdle);
  EXPECT_EQ(releases, 1);
  engine.gate.Open();
  ASSERT_TRUE(WaitFor([&] { return releases == 2; })) << releases << " releases";
  EXPECT_EQ(sink->deliveries().size(), 2u);
}

TEST(BatcherTest, StopAnswersEverythingSubmittedAndRefusesLater) {
  FakeEngine engine;
  Metrics metrics;
  auto sink = std::make_shared<RecordingSink>();
  {
    Batcher batcher(engine, Limits(50, 3, std::chrono::milliseconds(5)), metrics);
    std::vector<QueuedSequence> many;
    for (int i = 0; i < 40; ++i) many.push_back(Seq(sink, i, 1 + i % 20));
    batcher.Submit(std::move(many));
    batcher.Stop();
    EXPECT_EQ(sink->deliveries().size(), 40u);
    std::vector<QueuedSequence> late;
    late.push_back(Seq(sink, 99, 3));
    batcher.Submit(std::move(late));
  }
  ASSERT_EQ(sink->errors().size(), 1u);
  EXPECT_EQ(sink->errors()[0].code(), absl::StatusCode::kUnavailable);
}

TEST(BatcherTest, CutFailsWhatWaitsWithoutRunningItAndRefusesLater) {
  FakeEngine engine;
  Metrics metrics;
  auto sink = std::make_shared<RecordingSink>();
  // An hour's delay: both sequences wait in the open batch until the cut.
  Batcher batcher(engine, Limits(50, 8, std::chrono::hours(1)), metrics);
  std::vector<QueuedSequence> two;
  two.push_back(Seq(sink, 0, 4));
  two.push_back(Seq(sink, 1, 5));
  batcher.Submit(std::move(two));
  batcher.Cut(absl::UnavailableError("cut by the test"));
  EXPECT_TRUE(sink->deliveries().empty());
  ASSERT_EQ(sink->errors().size(), 2u);
  for (const absl::Status& error : sink->errors()) {
    EXPECT_EQ(error, absl::UnavailableError("cut by the test"));
  }
  std::vector<QueuedSequence> late;
  late.push_back(Seq(sink, 2, 3));
  batcher.Submit(std::move(late));
  ASSERT_EQ(sink->errors().size(), 3u);
  EXPECT_EQ(sink->errors()[2].code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(sink->deliveries().empty());
}

}  // namespace
}  // namespace mbserve::server
