// mbserve: wiring only. Parse flags, load the model, start metrics and the
// server, warm up, serve until SIGTERM/SIGINT, shut down gracefully.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "prometheus/exposer.h"
#include "server/config.h"
#include "server/info_service.h"
#include "server/logging.h"
#include "server/metrics.h"
#include "server/model_files.h"
#include "server/server.h"
#include "spdlog/spdlog.h"
#include "tokenizer/tokenizer.h"

namespace {

using mbserve::server::ServerConfig;

int Fail(const absl::Status& status, const char* what) {
  SPDLOG_CRITICAL("{}: {}", what, status.ToString());
  return 1;
}

void LogSummary(const ServerConfig& config, const mbserve::server::Server& server,
                int metrics_port) {
  const mbserve::server::ServedModel& model = server.model();
  SPDLOG_INFO("mbserve {} serving {} ({}, hidden {}, {} layers, {} labels) on {} {}",
              mbserve::server::kServerVersion, model.name, model.architecture, model.hidden_size,
              model.num_layers, model.labels.size(), model.device, model.dtype);
  SPDLOG_INFO("kernels: {}", model.kernels);
  SPDLOG_INFO(
      "limits: max input {} tokens, batch {} tokens / {} sequences / {} us delay, {} concurrent "
      "requests, {} inputs per request, {} tokenization workers, {} byte messages",
      model.max_input_length, config.max_batch_tokens, config.max_batch_requests,
      absl::ToInt64Microseconds(config.max_batch_delay), config.max_concurrent_requests,
      config.max_client_batch_size, config.tokenization_workers, config.max_message_bytes);
  SPDLOG_INFO("gRPC on {}:{} ({}{}), metrics on {}", config.host, server.port(),
              config.tls_cert.empty() ? "plaintext" : "TLS",
              config.api_key.empty() ? "" : ", API key required",
              metrics_port < 0 ? std::string("(disabled)") : ":" + std::to_string(metrics_port));
}

}  // namespace

int main(int argc, char** argv) {
  // Block the shutdown signals in every thread; main waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::vector<std::string> args(argv + 1, argv + argc);
  if (mbserve::server::HelpRequested(args)) {
    std::fputs(mbserve::server::ConfigHelp().c_str(), stdout);
    return 0;
  }
  absl::StatusOr<ServerConfig> config =
      mbserve::server::ParseConfig(args, mbserve::server::ProcessEnv());
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  mbserve::server::SetUpLogging(config->log_format, config->log_level);

  if (absl::Status s = mbserve::server::CheckModelFilesReadable(config->model_dir); !s.ok()) {
    return Fail(s, "reading the model");
  }
  absl::StatusOr<std::unique_ptr<mbserve::Tokenizer>> tokenizer =
      mbserve::Tokenizer::FromFile(config->model_dir + "/tokenizer.json");
  if (!tokenizer.ok()) return Fail(tokenizer.status(), "loading the tokenizer");
  mbserve::EngineOptions options;
  options.device = config->device;
  options.dtype = config->EffectiveDType();
  options.num_threads = config->num_threads;
  options.max_batch_tokens = config->max_batch_tokens;
  absl::StatusOr<std::unique_ptr<mbserve::Engine>> engine =
      mbserve::Engine::Create(config->model_dir, options);
  if (!engine.ok()) return Fail(engine.status(), "loading the model");

  auto metrics = std::make_shared<mbserve::server::Metrics>();
  std::unique_ptr<prometheus::Exposer> exposer;
  int metrics_port = -1;
  if (config->metrics_port >= 0) {
    const std::string address = config->host + ":" + std::to_string(config->metrics_port);
    try {
      exposer = std::make_unique<prometheus::Exposer>(address);
    } catch (const std::exception& e) {
      return Fail(absl::UnavailableError(e.what()), ("serving metrics on " + address).c_str());
    }
    exposer->RegisterCollectable(metrics);
    metrics_port = exposer->GetListeningPorts().at(0);
  }

  absl::StatusOr<std::unique_ptr<mbserve::server::Server>> server =
      mbserve::server::Server::Start(*config, **engine, **tokenizer, *metrics);
  if (!server.ok()) return Fail(server.status(), "starting the server");
  LogSummary(*config, **server, metrics_port);

  if (absl::Status s = (*server)->WarmUp(); !s.ok()) return Fail(s, "warming up");
  (*server)->SetServing(true);
  SPDLOG_INFO("warm-up done; health is SERVING");

  int signal = 0;
  sigwait(&signals, &signal);
  SPDLOG_INFO("{} received: draining (at most {} s)", signal == SIGTERM ? "SIGTERM" : "SIGINT",
              absl::ToDoubleSeconds(config->shutdown_timeout));
  (*server)->Shutdown();
  SPDLOG_INFO("all accepted calls answered; exiting");
  return 0;
}
