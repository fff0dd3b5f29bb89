// End-to-end throughput through gRPC at saturation against engine-only
// throughput on the same workload, in one run and one process, with one
// engine:
//   engine-only  the sequences packed FIFO by the batcher's own rule
//                (batch_policy.h) and run back to back through Engine::Run;
//   end-to-end   an in-process mbserve on 127.0.0.1:0 and --clients closed-loop
//                gRPC clients sending Embed calls of --inputs-per-request
//                token-id inputs until every sequence has been embedded.
// Token-id inputs keep the workload identical on both sides (no tokenizer in
// the comparison). Prints one JSON line.
//
//   server_bench --model DIR [--workload variable-short] [--sequences 512]
//                [--clients 16] [--inputs-per-request 8] [--threads 0]
//                [--max-batch-tokens 16384] [--max-batch-requests 256]
//                [--max-batch-delay-us 2000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/server_workload.h"
#include "engine/engine.h"
#include "server/batch_policy.h"

namespace mbserve::server {
namespace {

struct BatchArgs {
  int max_batch_tokens = 16384;
  int max_batch_requests = 256;
  int max_batch_delay_us = 2000;
};

double EngineOnly(Engine& engine, const bench::Work& work, const BatchLimits& limits) {
  const auto start = std::chrono::steady_clock::now();
  size_t next = 0;
  int64_t tokens = 0;
  while (next < work.size()) {
    PackedBatch batch;
    while (next < work.size() && Fits({batch.num_sequences(), batch.num_tokens()},
                                      static_cast<int>(work[next].size()), limits)) {
      batch.Append(work[next++]);
    }
    const std::vector<SequenceTask> tasks(batch.num_sequences(), SequenceTask{});
    if (absl::StatusOr<BatchOutput> out = engine.Run(batch, tasks); !out.ok()) {
      std::fprintf(stderr, "engine: %s\n", out.status().ToString().c_str());
      std::exit(1);
    }
    tokens += batch.num_tokens();
  }
  return tokens / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Main(int argc, char** argv) {
  bench::WorkloadArgs a;
  BatchArgs b;
  if (!bench::ParseArgs(argc, argv, a,
                        {{"--max-batch-tokens", &b.max_batch_tokens},
                         {"--max-batch-requests", &b.max_batch_requests},
                         {"--max-batch-delay-us", &b.max_batch_delay_us}})) {
    std::fputs(bench::Usage("server_bench",
                            "[--max-batch-tokens N] [--max-batch-requests N] "
                            "[--max-batch-delay-us N]")
                   .c_str(),
               stderr);
    return 2;
  }
  std::unique_ptr<bench::BenchServer> bench = bench::StartBenchServer(
      a, [&](EngineOptions& options) { options.max_batch_tokens = b.max_batch_tokens; },
      [&](ServerConfig& config) {
        config.http_port = -1;  // gRPC only; bench/http_bench compares HTTP
        config.max_batch_tokens = b.max_batch_tokens;
        config.max_batch_requests = b.max_batch_requests;
        config.max_batch_delay = absl::Microseconds(b.max_batch_delay_us);
      });
  if (bench == nullptr) return 1;
  Engine& engine = *bench->engine;
  const bench::Work& work = bench->work;
  const BatchLimits limits{b.max_batch_tokens, b.max_batch_requests,
                           std::chrono::microseconds(b.max_batch_delay_us)};

  // Warm-up: one whole pass, unmeasured (the first pass runs markedly slower
  // than later ones: first-touch allocations, thread start-up).
  EngineOnly(engine, work, limits);
  // Engine, server, engine again; the ratio is taken against the faster
  // engine run, the conservative choice on a machine whose speed drifts.
  const double engine_before = EngineOnly(engine, work, limits);
  const double server_tps =
      bench::Saturate(a, work, bench::GrpcClients(bench->server->port(), work));
  const double engine_after = EngineOnly(engine, work, limits);
  const double engine_tps = std::max(engine_before, engine_after);
  bench->server->Shutdown();
  const ServedModel& model = bench->server->model();
  std::printf(
      "{\"workload\":\"%s\",\"sequences\":%d,\"tokens\":%lld,\"hidden\":%d,\"layers\":%d,"
      "\"clients\":%d,\"inputs_per_request\":%d,\"threads\":%d,\"engine_tokens_per_s\":%.1f,"
      "\"engine_runs\":[%.1f,%.1f],\"server_tokens_per_s\":%.1f,\"ratio\":%.3f,"
      "\"kernel\":\"%s\"}\n",
      a.workload.c_str(), a.sequences, static_cast<long long>(bench::TotalTokens(work)),
      model.hidden_size, model.num_layers, a.clients, a.inputs_per_request, a.threads, engine_tps,
      engine_before, engine_after, server_tps, server_tps / engine_tps,
      engine.kernel_summary().c_str());
  return 0;
}

}  // namespace
}  // namespace mbserve::server

int main(int argc, char** argv) { return mbserve::server::Main(argc, argv); }
