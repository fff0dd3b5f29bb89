#include "server/server.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/warmup.h"
#include "spdlog/spdlog.h"

namespace mbserve::server {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(FlagDisplayName(flag), ": cannot read \"", path, "\""));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerConfig& config) {
  if (config.tls_cert.empty()) return grpc::InsecureServerCredentials();
  absl::StatusOr<std::string> cert = ReadFile(config.tls_cert, "tls-cert");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(config.tls_key, "tls-key");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
}

BatchLimits LimitsOf(const ServerConfig& config) {
  return BatchLimits{config.max_batch_tokens, config.max_batch_requests,
                     absl::ToChronoMicroseconds(config.max_batch_delay)};
}

}  // namespace

Server::Server(const ServerConfig& config, ServedModel model, Engine& engine,
               const Tokenizer& tokenizer, Metrics& metrics)
    : config_(config),
      model_(std::move(model)),
      tokenizer_(tokenizer),
      metrics_(metrics),
      auth_(config.api_key),
      admission_(config.max_concurrent_requests, metrics),
      tokenization_pool_(config.tokenization_workers),
      batcher_(engine, LimitsOf(config), metrics),
      serving_{config_,  model_,  tokenizer,  tokenization_pool_,
               batcher_, metrics, admission_, auth_},
      embed_service_(serving_, streams_),
      classify_service_(serving_),
      tokenize_service_(serving_),
      info_service_(serving_) {}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerConfig& config, Engine& engine,
                                                      const Tokenizer& tokenizer,
                                                      Metrics& metrics) {
  absl::StatusOr<ServedModel> model = DescribeModel(engine, tokenizer, config);
  if (!model.ok()) return model.status();
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = Credentials(config);
  if (!credentials.ok()) return credentials.status();
  metrics.SetModelInfo(
      {model->name, model->architecture, model->device, model->dtype, kServerVersion});

  std::unique_ptr<Server> server(new Server(config, std::move(*model), engine, tokenizer, metrics));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat(config.host, ":", config.port), *credentials,
                           &server->port_);
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  builder.RegisterService(&server->embed_service_);
  builder.RegisterService(&server->classify_service_);
  builder.RegisterService(&server->tokenize_service_);
  builder.RegisterService(&server->info_service_);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.host, ":", config.port));
  }
  if (config.http_port >= 0) {
    absl::StatusOr<std::unique_ptr<http::HttpServer>> http =
        http::HttpServer::Start(server->serving_);
    if (!http.ok()) return http.status();
    server->http_ = std::move(*http);
  }
  server->SetServing(false);
  return server;
}

Server::~Server() { Shutdown(); }

absl::Status Server::WarmUp() {
  if (config_.warmup_tokens == 0) return absl::OkStatus();
  return RunWarmUp(batcher_, tokenizer_, model_, config_.warmup_tokens);
}

void Server::SetServing(bool serving) {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus(serving);
  health->SetServingStatus(v1::EmbedService::service_full_name(), serving);
  health->SetServingStatus(v1::ClassifyService::service_full_name(),
                           serving && model_.can_classify());
  health->SetServingStatus(v1::TokenizeService::service_full_name(), serving);
  health->SetServingStatus(v1::InfoService::service_full_name(), serving);
  if (http_ != nullptr) http_->SetServing(serving);
}

void Server::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (server_ != nullptr) {  // null when Start() could not listen
    SetServing(false);
    streams_.DrainAll();
    // HTTP drains beside gRPC: both need the batcher, stopped only after.
    std::thread http_drain;
    if (http_ != nullptr) http_drain = std::thread([this] { http_->Shutdown(); });
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoMicroseconds(config_.shutdown_timeout));
    if (http_drain.joinable()) http_drain.join();
  }
  batcher_.Stop();
  tokenization_pool_.Stop();
}

}  // namespace mbserve::server
