#include "client/cli/load_generator.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <random>
#include <semaphore>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/cli/bench/backoff.h"
#include "client/cli/bench/synthetic_text.h"
#include "client/cli/connection.h"
#include "mbserve/v1/classify.grpc.pb.h"
#include "mbserve/v1/embed.grpc.pb.h"

namespace mbserve::cli {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The run's bound, shared by every worker: a request may be sent while both
// the count and the time allow it.
class Budget {
 public:
  explicit Budget(const BenchOptions& bench)
      : limit_(bench.requests),
        deadline_(bench.duration ? Clock::now() + absl::ToChronoNanoseconds(*bench.duration)
                                 : Clock::time_point::max()) {}

  bool Claim() {
    if (Clock::now() >= deadline_) return false;
    return !limit_ || claimed_.fetch_add(1, std::memory_order_relaxed) < *limit_;
  }

  // Sleeps for `pause`, or until the run's time is up if that comes first.
  void Pause(absl::Duration pause) const {
    const Clock::time_point wake = Clock::now() + absl::ToChronoNanoseconds(pause);
    std::this_thread::sleep_until(std::min(wake, deadline_));
  }

 private:
  const std::optional<int64_t> limit_;
  const Clock::time_point deadline_;
  std::atomic<int64_t> claimed_{0};
};

// One worker's view of the results: its own tally (merged after the run, so
// no lock) and the shared live counters.
class Recorder {
 public:
  explicit Recorder(LiveCounters& live) : live_(live) {}

  void Ok(double latency_s, int64_t inputs, int64_t tokens) {
    tally_.ok_latencies_s.push_back(latency_s);
    tally_.inputs += inputs;
    tally_.tokens += tokens;
    live_.ok.fetch_add(1, std::memory_order_relaxed);
    live_.tokens.fetch_add(tokens, std::memory_order_relaxed);
  }

  void Error(int code, int64_t count = 1) {
    tally_.errors_by_code[StatusCodeName(code)] += count;
    live_.errors.fetch_add(count, std::memory_order_relaxed);
  }

  bench::RunTally& tally() { return tally_; }

 private:
  LiveCounters& live_;
  bench::RunTally tally_;
};

// Texts with lengths drawn from the run's distribution; one per worker, each
// with its own seed, so a run is reproducible for a given --seed.
class TextMaker {
 public:
  TextMaker(const BenchOptions& bench, uint64_t worker)
      : lengths_(bench.lengths), batch_size_(bench.batch_size), gen_(Seed(bench.seed, worker)) {}

  std::vector<std::string> Next() {
    std::vector<std::string> texts;
    texts.reserve(batch_size_);
    for (int i = 0; i < batch_size_; ++i) {
      texts.push_back(bench::SyntheticText(lengths_.Sample(gen_), gen_));
    }
    return texts;
  }

 private:
  static std::mt19937_64 Seed(uint64_t seed, uint64_t worker) {
    std::seed_seq sequence{seed, worker};
    return std::mt19937_64(sequence);
  }

  const bench::LengthDistribution lengths_;
  const int batch_size_;
  std::mt19937_64 gen_;
};

// Sends one unary request of these texts; returns the status and the tokens
// the server reports.
using UnaryCall = std::function<std::pair<grpc::Status, int64_t>(grpc::ClientContext&,
                                                                 const std::vector<std::string>&)>;

UnaryCall MakeUnaryCall(const CliOptions& options, const std::shared_ptr<grpc::Channel>& channel) {
  if (options.bench.rpc == BenchRpc::kClassify) {
    std::shared_ptr<v1::ClassifyService::Stub> stub = v1::ClassifyService::NewStub(channel);
    return [stub, &options](grpc::ClientContext& context, const std::vector<std::string>& texts) {
      v1::ClassifyRequest request = options.classify;
      for (const std::string& text : texts) request.add_inputs()->set_text(text);
      v1::ClassifyResponse response;
      grpc::Status status = stub->Classify(&context, request, &response);
      return std::make_pair(status, static_cast<int64_t>(response.usage().total_tokens()));
    };
  }
  std::shared_ptr<v1::EmbedService::Stub> stub = v1::EmbedService::NewStub(channel);
  return [stub, &options](grpc::ClientContext& context, const std::vector<std::string>& texts) {
    v1::EmbedRequest request = options.embed;
    for (const std::string& text : texts) request.add_inputs()->set_text(text);
    v1::EmbedResponse response;
    grpc::Status status = stub->Embed(&context, request, &response);
    return std::make_pair(status, static_cast<int64_t>(response.usage().total_tokens()));
  };
}

// After an UNAVAILABLE answer (nothing listening, a replica restarting) the
// worker backs off instead of failing as fast as the channel can say so.
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(50);
constexpr absl::Duration kMaxBackoff = absl::Seconds(2);

void RunUnaryWorker(const CliOptions& options, const UnaryCall& call, TextMaker& maker,
                    uint64_t worker, Budget& budget, Recorder& recorder) {
  bench::Backoff backoff(kFirstBackoff, kMaxBackoff, options.bench.seed + worker);
  while (budget.Claim()) {
    const std::vector<std::string> texts = maker.Next();
    grpc::ClientContext context;
    PrepareContext(options.connection, options.connection.timeout, context);
    const Clock::time_point start = Clock::now();
    const auto [status, tokens] = call(context, texts);
    if (status.ok()) {
      recorder.Ok(SecondsSince(start), static_cast<int64_t>(texts.size()), tokens);
    } else {
      recorder.Error(status.error_code());
    }
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      budget.Pause(backoff.Next());
    } else {
      backoff.Reset();
    }
  }
}

// One EmbedStream with up to `window` requests in flight: this thread
// writes, a second one reads, and responses (which may come in any order)
// are matched to their send times by id.
void RunStreamWorker(const CliOptions& options, const std::shared_ptr<grpc::Channel>& channel,
                     int window, TextMaker& maker, Budget& budget, Recorder& recorder) {
  grpc::ClientContext context;
  // The stream lives for the whole run; --timeout bounds unary calls only.
  PrepareContext(options.connection, absl::InfiniteDuration(), context);
  std::unique_ptr<v1::EmbedService::Stub> stub = v1::EmbedService::NewStub(channel);
  std::unique_ptr<grpc::ClientReaderWriter<v1::EmbedStreamRequest, v1::EmbedStreamResponse>>
      stream = stub->EmbedStream(&context);

  std::mutex mu;
  std::unordered_map<std::string, Clock::time_point> in_flight;  // guarded by mu
  std::counting_semaphore<> slots(window);
  std::atomic<bool> read_side_closed{false};
  std::thread reader([&] {
    v1::EmbedStreamResponse response;
    while (stream->Read(&response)) {
      Clock::time_point sent;
      {
        std::lock_guard lock(mu);
        auto it = in_flight.find(response.id());
        if (it == in_flight.end()) continue;  // not ours: nothing to time
        sent = it->second;
        in_flight.erase(it);
      }
      if (response.has_error()) {
        recorder.Error(response.error().code());
      } else {
        recorder.Ok(SecondsSince(sent), response.response().embeddings_size(),
                    static_cast<int64_t>(response.response().usage().total_tokens()));
      }
      slots.release();
    }
    read_side_closed = true;
    slots.release(window);  // wakes the writer if it waits for a slot
  });

  for (uint64_t next_id = 0;; ++next_id) {
    slots.acquire();
    if (read_side_closed || !budget.Claim()) break;
    v1::EmbedStreamRequest request;
    request.set_id(absl::StrCat(next_id));
    *request.mutable_request() = options.embed;
    for (std::string& text : maker.Next()) request.mutable_request()->add_inputs()->set_text(text);
    {
      std::lock_guard lock(mu);
      in_flight[request.id()] = Clock::now();
    }
    if (!stream->Write(request)) break;  // the stream broke; Finish says why
  }
  stream->WritesDone();
  reader.join();
  const grpc::Status status = stream->Finish();
  // Requests the stream ended without answering failed with its status.
  if (!in_flight.empty()) {
    recorder.Error(status.ok() ? grpc::StatusCode::UNKNOWN : status.error_code(),
                   static_cast<int64_t>(in_flight.size()));
  }
}

}  // namespace

bench::RunTally RunLoad(const CliOptions& options,
                        std::span<const std::shared_ptr<grpc::Channel>> channels,
                        LiveCounters& live) {
  const BenchOptions& bench = options.bench;
  const int workers = bench.stream ? bench.streams : bench.concurrency;
  Budget budget(bench);
  std::vector<Recorder> recorders(workers, Recorder(live));
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (int w = 0; w < workers; ++w) {
    const std::shared_ptr<grpc::Channel>& channel = channels[w % channels.size()];
    threads.emplace_back([&, w, channel] {
      TextMaker maker(bench, w);
      if (bench.stream) {
        // Spread the concurrency as evenly as possible over the streams.
        const int window = bench.concurrency / workers + (w < bench.concurrency % workers ? 1 : 0);
        RunStreamWorker(options, channel, window, maker, budget, recorders[w]);
      } else {
        RunUnaryWorker(options, MakeUnaryCall(options, channel), maker, w, budget, recorders[w]);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  bench::RunTally total;
  for (Recorder& recorder : recorders) total.Merge(std::move(recorder.tally()));
  return total;
}

}  // namespace mbserve::cli
