// End-to-end throughput at saturation through HTTP/JSON against gRPC, in one
// process with one in-process mbserve and one engine: --clients closed-loop
// clients send --inputs-per-request token-id inputs per call until every
// sequence of the workload has been embedded, first over gRPC (Embed), then
// over HTTP (POST /v1/embeddings with encoding_format base64, the OpenAI
// SDKs' default, then float), --rounds times in turn. HTTP clients keep
// their connection alive, as the SDKs do. Prints one JSON line with every
// run; the ratios take the best run of each.
//
//   http_bench --model DIR [--workload variable-short] [--sequences 512]
//              [--clients 16] [--inputs-per-request 8] [--threads 0] [--rounds 3]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/server_workload.h"
#include "engine/engine.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "httplib.h"
#include "mbserve/v1/embed.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "server/metrics.h"
#include "server/server.h"
#include "tokenizer/tokenizer.h"

namespace mbserve::server {
namespace {

using Work = std::vector<std::vector<int32_t>>;

struct Args {
  std::string model;
  std::string workload = "variable-short";
  int sequences = 512;
  int clients = 16;
  int inputs_per_request = 8;
  int threads = 0;
  int rounds = 3;
};

bool Parse(int argc, char** argv, Args& a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* v = argv[i + 1];
    bool ok = true;
    if (key == "--model")
      a.model = v;
    else if (key == "--workload")
      a.workload = v;
    else if (key == "--sequences")
      ok = absl::SimpleAtoi(v, &a.sequences);
    else if (key == "--clients")
      ok = absl::SimpleAtoi(v, &a.clients);
    else if (key == "--inputs-per-request")
      ok = absl::SimpleAtoi(v, &a.inputs_per_request);
    else if (key == "--threads")
      ok = absl::SimpleAtoi(v, &a.threads);
    else if (key == "--rounds")
      ok = absl::SimpleAtoi(v, &a.rounds);
    else
      ok = false;
    if (!ok) return false;
  }
  return !a.model.empty() && bench::IsWorkload(a.workload) && a.rounds > 0;
}

// One client's loop: `call` sends inputs [first, last) and returns the
// tokens the server counted, or -1 on failure.
using CallFn = std::function<int64_t(size_t first, size_t last)>;
using ClientFactory = std::function<CallFn()>;

// Tokens per second with a.clients clients, each made by `make_client`.
double Saturate(const Args& a, const Work& work, const ClientFactory& make_client) {
  std::atomic<size_t> next{0};
  std::atomic<int64_t> tokens{0};
  std::atomic<int> failures{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < a.clients; ++c) {
    clients.emplace_back([&] {
      const CallFn call = make_client();
      while (true) {
        const size_t first = next.fetch_add(a.inputs_per_request);
        if (first >= work.size()) return;
        const int64_t counted =
            call(first, std::min(work.size(), first + static_cast<size_t>(a.inputs_per_request)));
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

// Requests sent a second time after their connection failed once it was
// made. None are expected: clients never idle for the server's 5 s
// keep-alive timeout, and the listen backlog holds every client's connect.
std::atomic<int> resent{0};

ClientFactory HttpClients(int port, const Work& work, const std::string& encoding_format) {
  return [port, &work, encoding_format]() -> CallFn {
    auto client = std::make_shared<httplib::Client>("127.0.0.1", port);
    client->set_keep_alive(true);
    client->set_read_timeout(600);
    return [client, &work, encoding_format](size_t first, size_t last) -> int64_t {
      nlohmann::json input = nlohmann::json::array();
      for (size_t i = first; i < last; ++i) input.push_back(work[i]);
      const nlohmann::json body = {{"input", std::move(input)},
                                   {"encoding_format", encoding_format}};
      const std::string text = body.dump();
      httplib::Result result = client->Post("/v1/embeddings", text, "application/json");
      if (!result && result.error() != httplib::Error::Connection) {
        // The connection failed after it was made: send the request again
        // on a new one, as the SDKs do, and count it.
        ++resent;
        result = client->Post("/v1/embeddings", text, "application/json");
      }
      if (!result || result->status != 200) {
        std::fprintf(stderr, "POST /v1/embeddings: %s\n",
                     result ? result->body.c_str() : httplib::to_string(result.error()).c_str());
        return -1;
      }
      const nlohmann::json answer = nlohmann::json::parse(result->body);
      if (answer["data"].size() != last - first) return -1;
      return answer["usage"]["total_tokens"].get<int64_t>();
    };
  };
}

std::string Runs(const std::vector<double>& runs) {
  return absl::StrCat("[",
                      absl::StrJoin(runs, ",",
                                    [](std::string* out, double v) {
                                      absl::StrAppend(out, static_cast<int64_t>(v));
                                    }),
                      "]");
}

int Main(int argc, char** argv) {
  Args a;
  if (!Parse(argc, argv, a)) {
    std::fprintf(stderr,
                 "usage: http_bench --model DIR [--workload variable-short|fixed-512|"
                 "variable-long] [--sequences N] [--clients N] [--inputs-per-request N] "
                 "[--threads N] [--rounds N]\n");
    return 2;
  }
  auto tokenizer = Tokenizer::FromFile(a.model + "/tokenizer.json");
  EngineOptions options;
  options.num_threads = a.threads;
  auto engine = Engine::Create(a.model, options);
  if (!tokenizer.ok() || !engine.ok()) {
    std::fprintf(stderr, "loading %s: %s %s\n", a.model.c_str(),
                 tokenizer.status().ToString().c_str(), engine.status().ToString().c_str());
    return 1;
  }
  ServerConfig config;
  config.model_dir = a.model;
  config.host = "127.0.0.1";
  config.port = 0;
  config.http_port = 0;
  config.http_workers = std::max(64, a.clients);
  config.max_client_batch_size = std::max(32, a.inputs_per_request);
  config.max_concurrent_requests = std::max(512, 2 * a.clients);
  config.max_message_bytes = 64 << 20;
  config.tokenization_workers = 2;
  Metrics metrics;
  auto server = Server::Start(config, **engine, **tokenizer, metrics);
  if (!server.ok()) {
    std::fprintf(stderr, "server: %s\n", server.status().ToString().c_str());
    return 1;
  }
  (*server)->SetServing(true);
  const ServedModel& model = (*server)->model();
  const Work work =
      bench::MakeWorkload(a.workload, a.sequences, model.vocab_size, model.max_input_length);
  const ClientFactory grpc_clients = GrpcClients((*server)->port(), work);
  const ClientFactory base64_clients = HttpClients((*server)->http_port(), work, "base64");
  const ClientFactory float_clients = HttpClients((*server)->http_port(), work, "float");

  Saturate(a, work, grpc_clients);  // warm-up, unmeasured
  std::vector<double> grpc_runs, base64_runs, float_runs;
  for (int r = 0; r < a.rounds; ++r) {  // interleaved, so drift hits all alike
    grpc_runs.push_back(Saturate(a, work, grpc_clients));
    base64_runs.push_back(Saturate(a, work, base64_clients));
    float_runs.push_back(Saturate(a, work, float_clients));
  }
  (*server)->Shutdown();
  const double grpc = *std::max_element(grpc_runs.begin(), grpc_runs.end());
  const double base64 = *std::max_element(base64_runs.begin(), base64_runs.end());
  const double floats = *std::max_element(float_runs.begin(), float_runs.end());
  int64_t total = 0;
  for (const auto& s : work) total += static_cast<int64_t>(s.size());
  std::printf(
      "{\"workload\":\"%s\",\"sequences\":%d,\"tokens\":%lld,\"hidden\":%d,\"layers\":%d,"
      "\"clients\":%d,\"inputs_per_request\":%d,\"threads\":%d,\"grpc_runs\":%s,"
      "\"http_base64_runs\":%s,\"http_float_runs\":%s,\"grpc_tokens_per_s\":%.1f,"
      "\"http_base64_tokens_per_s\":%.1f,\"http_float_tokens_per_s\":%.1f,"
      "\"base64_ratio\":%.3f,\"float_ratio\":%.3f,\"http_resent\":%d}\n",
      a.workload.c_str(), a.sequences, static_cast<long long>(total), model.hidden_size,
      model.num_layers, a.clients, a.inputs_per_request, a.threads, Runs(grpc_runs).c_str(),
      Runs(base64_runs).c_str(), Runs(float_runs).c_str(), grpc, base64, floats, base64 / grpc,
      floats / grpc, resent.load());
  return 0;
}

}  // namespace
}  // namespace mbserve::server

int main(int argc, char** argv) { return mbserve::server::Main(argc, argv); }
