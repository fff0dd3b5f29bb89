#include "bench/server_workload.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "mbserve/v1/embed.grpc.pb.h"

namespace mbserve::bench {

bool ParseArgs(int argc, char** argv, WorkloadArgs& args,
               const std::map<std::string, int*>& extra) {
  const std::map<std::string, int*> numbers = {{"--sequences", &args.sequences},
                                               {"--clients", &args.clients},
                                               {"--inputs-per-request", &args.inputs_per_request},
                                               {"--threads", &args.threads}};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* value = argv[i + 1];
    if (key == "--model") {
      args.model = value;
    } else if (key == "--workload") {
      args.workload = value;
    } else if (auto it = numbers.find(key); it != numbers.end()) {
      if (!absl::SimpleAtoi(value, it->second)) return false;
    } else if (auto e = extra.find(key); e != extra.end()) {
      if (!absl::SimpleAtoi(value, e->second)) return false;
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && !args.model.empty() && IsWorkload(args.workload);
}

std::string Usage(absl::string_view name, absl::string_view extra) {
  return absl::StrCat("usage: ", name,
                      " --model DIR [--workload variable-short|fixed-512|variable-long] "
                      "[--sequences N] [--clients N] [--inputs-per-request N] [--threads N]",
                      extra.empty() ? "" : " ", extra, "\n");
}

bool IsWorkload(std::string_view name) {
  return name == "variable-short" || name == "fixed-512" || name == "variable-long";
}

Work MakeWorkload(std::string_view name, int sequences, int vocab, int max_length) {
  std::mt19937 rng(42);
  const bool long_inputs = name == "variable-long";
  std::normal_distribution<double> length(long_inputs ? 4096 : 256, long_inputs ? 1024 : 64);
  std::uniform_int_distribution<int> id(std::min(100, vocab - 1), std::min(16000, vocab) - 1);
  Work out(sequences);
  for (std::vector<int32_t>& s : out) {
    int n = name == "fixed-512"
                ? 512
                : std::clamp(static_cast<int>(length(rng)), 32, long_inputs ? 8192 : 512);
    s.resize(std::min(n, max_length));
    for (int32_t& t : s) t = id(rng);
  }
  return out;
}

int64_t TotalTokens(const Work& work) {
  int64_t total = 0;
  for (const auto& s : work) total += static_cast<int64_t>(s.size());
  return total;
}

std::unique_ptr<BenchServer> StartBenchServer(
    const WorkloadArgs& args, const std::function<void(EngineOptions&)>& tune_engine,
    const std::function<void(server::ServerConfig&)>& tune_server) {
  auto bench = std::make_unique<BenchServer>();
  auto tokenizer = Tokenizer::FromFile(args.model + "/tokenizer.json");
  EngineOptions options;
  options.num_threads = args.threads;
  tune_engine(options);
  auto engine = Engine::Create(args.model, options);
  if (!tokenizer.ok() || !engine.ok()) {
    std::fprintf(stderr, "loading %s: %s %s\n", args.model.c_str(),
                 tokenizer.status().ToString().c_str(), engine.status().ToString().c_str());
    return nullptr;
  }
  bench->tokenizer = std::move(*tokenizer);
  bench->engine = std::move(*engine);
  server::ServerConfig config;
  config.model_dir = args.model;
  config.host = "127.0.0.1";
  config.port = 0;
  config.max_client_batch_size = std::max(32, args.inputs_per_request);
  config.max_concurrent_requests = std::max(512, 2 * args.clients);
  config.tokenization_workers = 2;
  tune_server(config);
  auto server = server::Server::Start(config, *bench->engine, *bench->tokenizer, bench->metrics);
  if (!server.ok()) {
    std::fprintf(stderr, "server: %s\n", server.status().ToString().c_str());
    return nullptr;
  }
  bench->server = std::move(*server);
  bench->server->SetServing(true);
  const server::ServedModel& model = bench->server->model();
  bench->work =
      MakeWorkload(args.workload, args.sequences, model.vocab_size, model.max_input_length);
  return bench;
}

double Saturate(const WorkloadArgs& args, const Work& work, const ClientFactory& make_client) {
  std::atomic<size_t> next{0};
  std::atomic<int64_t> tokens{0};
  std::atomic<int> failures{0};
  const size_t per_call = static_cast<size_t>(args.inputs_per_request);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < args.clients; ++c) {
    clients.emplace_back([&] {
      const CallFn call = make_client();
      while (true) {
        const size_t first = next.fetch_add(per_call);
        if (first >= work.size()) return;
        const int64_t counted = call(first, std::min(work.size(), first + per_call));
        if (counted < 0)
          ++failures;
        else
          tokens += counted;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  if (failures > 0) {
    std::fprintf(stderr, "%d calls failed\n", failures.load());
    std::exit(1);
  }
  return tokens / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

ClientFactory GrpcClients(int port, const Work& work) {
  return [port, &work]() -> CallFn {
    grpc::ChannelArguments channel_args;
    channel_args.SetInt("grpc.use_local_subchannel_pool", 1);
    channel_args.SetMaxReceiveMessageSize(64 << 20);
    std::shared_ptr<v1::EmbedService::Stub> stub =
        v1::EmbedService::NewStub(grpc::CreateCustomChannel(
            absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(), channel_args));
    return [stub, &work](size_t first, size_t last) -> int64_t {
      v1::EmbedRequest request;
      for (size_t i = first; i < last; ++i) {
        request.add_inputs()->mutable_token_ids()->mutable_ids()->Add(work[i].begin(),
                                                                      work[i].end());
      }
      grpc::ClientContext context;
      v1::EmbedResponse response;
      if (grpc::Status s = stub->Embed(&context, request, &response); !s.ok()) {
        std::fprintf(stderr, "Embed: %s\n", s.error_message().c_str());
        return -1;
      }
      return static_cast<int64_t>(response.usage().total_tokens());
    };
  };
}

}  // namespace mbserve::bench
