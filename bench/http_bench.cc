// End-to-end throughput at saturation through HTTP/JSON against gRPC, in one
// process with one in-process mbserve and one engine: --clients closed-loop
// clients send --inputs-per-request token-id inputs per call until every
// sequence of the workload has been embedded, first over gRPC (Embed), then
// over HTTP (POST /v1/embeddings with encoding_format base64, the OpenAI
// SDKs' default, then float), --rounds times in turn. HTTP clients keep
// their connection alive, as the SDKs do. Prints one JSON line with every
// run; bench/http_bench.py takes each round's ratios (the runs of a round
// are next to each other in time) and reports their median and range.
//
//   http_bench --model DIR [--workload variable-short] [--sequences 512]
//              [--clients 16] [--inputs-per-request 8] [--threads 0] [--rounds 3]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/server_workload.h"
#include "httplib.h"
#include "nlohmann/json.hpp"

namespace mbserve::server {
namespace {

// Requests sent a second time after their connection failed once it was
// made. None are expected: clients never idle for the server's 5 s
// keep-alive timeout, and the listen backlog holds every client's connect.
std::atomic<int> resent{0};

bench::ClientFactory HttpClients(int port, const bench::Work& work,
                                 const std::string& encoding_format) {
  return [port, &work, encoding_format]() -> bench::CallFn {
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
  bench::WorkloadArgs a;
  int rounds = 3;
  if (!bench::ParseArgs(argc, argv, a, {{"--rounds", &rounds}}) || rounds <= 0) {
    std::fputs(bench::Usage("http_bench", "[--rounds N]").c_str(), stderr);
    return 2;
  }
  std::unique_ptr<bench::BenchServer> bench = bench::StartBenchServer(
      a, [](EngineOptions&) {},
      [&](ServerConfig& config) {
        config.http_port = 0;
        config.http_workers = std::max(64, a.clients);
        config.max_message_bytes = 64 << 20;
      });
  if (bench == nullptr) return 1;
  const bench::Work& work = bench->work;
  const bench::ClientFactory grpc_clients = bench::GrpcClients(bench->server->port(), work);
  const bench::ClientFactory base64_clients =
      HttpClients(bench->server->http_port(), work, "base64");
  const bench::ClientFactory float_clients = HttpClients(bench->server->http_port(), work, "float");

  bench::Saturate(a, work, grpc_clients);  // warm-up, unmeasured
  std::vector<double> grpc_runs, base64_runs, float_runs;
  for (int r = 0; r < rounds; ++r) {  // interleaved, so drift hits all alike
    grpc_runs.push_back(bench::Saturate(a, work, grpc_clients));
    base64_runs.push_back(bench::Saturate(a, work, base64_clients));
    float_runs.push_back(bench::Saturate(a, work, float_clients));
  }
  bench->server->Shutdown();
  const ServedModel& model = bench->server->model();
  std::printf(
      "{\"workload\":\"%s\",\"sequences\":%d,\"tokens\":%lld,\"hidden\":%d,\"layers\":%d,"
      "\"clients\":%d,\"inputs_per_request\":%d,\"threads\":%d,\"grpc_runs\":%s,"
      "\"http_base64_runs\":%s,\"http_float_runs\":%s,\"http_resent\":%d}\n",
      a.workload.c_str(), a.sequences, static_cast<long long>(bench::TotalTokens(work)),
      model.hidden_size, model.num_layers, a.clients, a.inputs_per_request, a.threads,
      Runs(grpc_runs).c_str(), Runs(base64_runs).c_str(), Runs(float_runs).c_str(), resent.load());
  return 0;
}

}  // namespace
}  // namespace mbserve::server

int main(int argc, char** argv) { return mbserve::server::Main(argc, argv); }
