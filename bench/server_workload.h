// What the server benchmarks (server_bench, http_bench) share: their flags,
// the ModernBERT paper's workloads as random token ids (so that every front
// end and the engine alone see the same inputs), the in-process server they
// measure, and closed-loop clients that send the workload until every
// sequence has been embedded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/engine.h"
#include "server/config.h"
#include "server/metrics.h"
#include "server/server.h"
#include "tokenizer/tokenizer.h"

namespace mbserve::bench {

using Work = std::vector<std::vector<int32_t>>;

// The flags both benchmarks take.
struct WorkloadArgs {
  std::string model;
  std::string workload = "variable-short";
  int sequences = 512;
  int clients = 16;
  int inputs_per_request = 8;
  int threads = 0;
};

// Reads "--flag value" pairs: the shared flags into `args`, each of `extra`
// (a flag and where its integer goes) into its place. False for an unknown
// flag, a value that is not a number, no --model or an unknown workload.
bool ParseArgs(int argc, char** argv, WorkloadArgs& args, const std::map<std::string, int*>& extra);

// The usage line of a benchmark: its name, the shared flags, then `extra`.
std::string Usage(absl::string_view name, absl::string_view extra);

bool IsWorkload(std::string_view name);

// Random ids; lengths N(256, 64) clamped to [32, 512], all 512, or
// N(4096, 1024) clamped to [32, 8192]; at most max_length.
Work MakeWorkload(std::string_view name, int sequences, int vocab, int max_length);

int64_t TotalTokens(const Work& work);

// The model, its engine and an mbserve on 127.0.0.1 (gRPC on port 0, HTTP
// as the config says) serving it, with limits that never refuse the
// benchmark's clients.
struct BenchServer {
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<Engine> engine;
  server::Metrics metrics;
  std::unique_ptr<server::Server> server;
  Work work;  // the workload, made for the served model
};
// `tune` adjusts the engine's options and the server's config before the
// start. Null (after printing why) if the model cannot be loaded or served.
std::unique_ptr<BenchServer> StartBenchServer(
    const WorkloadArgs& args, const std::function<void(EngineOptions&)>& tune_engine,
    const std::function<void(server::ServerConfig&)>& tune_server);

// One client's call: sends inputs [first, last) of the workload and returns
// the tokens the server counted, or -1 on failure.
using CallFn = std::function<int64_t(size_t first, size_t last)>;
// Makes one client (its own connection) on the thread that will use it.
using ClientFactory = std::function<CallFn()>;

// Tokens per second while args.clients clients, each made by `make_client`,
// send args.inputs_per_request inputs per call until the whole workload has
// been embedded. Exits the process if a call fails.
double Saturate(const WorkloadArgs& args, const Work& work, const ClientFactory& make_client);

// Clients calling Embed over gRPC, each on its own channel.
ClientFactory GrpcClients(int port, const Work& work);

}  // namespace mbserve::bench
