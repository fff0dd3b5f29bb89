#include "server/server.h"

#include <chrono>
#include <cstdint>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/model/files.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/message_size.h"
#include "server/warmup.h"
#include "spdlog/spdlog.h"

namespace mbserve::server {
namespace {

// PEM files hold a certificate chain or one key: far below this bound, which
// keeps a mistaken path (a device, a huge file) from being read whole.
constexpr uint64_t kMaxPemBytes = 1 << 20;

absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view flag,
                                    absl::string_view marker) {
  absl::StatusOr<std::string> text = files::ReadRegularFile(path, kMaxPemBytes);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(FlagDisplayName(flag), ": ", text.status().message()));
  }
  if (!absl::StrContains(*text, marker)) {
    return absl::InvalidArgumentError(
        absl::StrCat(FlagDisplayName(flag), ": ", path, " is not PEM: no \"", marker, "\" line"));
  }
  return text;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerConfig& config) {
  if (config.tls_cert.empty()) return grpc::InsecureServerCredentials();
  absl::StatusOr<std::string> cert =
      ReadPem(config.tls_cert, "tls-cert", "-----BEGIN CERTIFICATE-----");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem(config.tls_key, "tls-key", "PRIVATE KEY-----");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
}

BatchLimits LimitsOf(const ServerConfig& config) {
  return BatchLimits{config.max_batch_tokens, config.max_batch_requests,
                     absl::ToChronoMicroseconds(config.max_batch_delay), config.max_queued_tokens};
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
  builder.SetMaxReceiveMessageSize(TransportMessageLimit(config.max_message_bytes));
  // gRPC sets SO_REUSEPORT by default: a second server on a port in use would
  // start and silently take part of the new connections. Exclusive instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(&server->embed_service_);
  builder.RegisterService(&server->classify_service_);
  builder.RegisterService(&server->tokenize_service_);
  builder.RegisterService(&server->info_service_);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config.host, ":", config.port,
        ": the port is in use or the address is not this machine's",
        config.tls_cert.empty() ? "" : ", or the TLS key does not match the certificate"));
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

int Server::Shutdown() {
  if (shut_down_) return 0;
  shut_down_ = true;
  int cut = 0;
  if (server_ != nullptr) {  // null when Start() could not listen
    SetServing(false);
    streams_.DrainAll();
    const auto deadline =
        std::chrono::steady_clock::now() + absl::ToChronoMicroseconds(config_.shutdown_timeout);
    // HTTP drains beside gRPC: both need the batcher, stopped only after.
    std::thread http_drain;
    if (http_ != nullptr) http_drain = std::thread([this] { http_->Shutdown(); });
    // gRPC stops accepting at once, then waits for the accepted calls until
    // the deadline and cancels the rest. It does not say how many it cut, so
    // the calls still holding a permit at the deadline are counted here.
    std::thread grpc_shutdown([this] {
      server_->Shutdown(std::chrono::system_clock::now() +
                        absl::ToChronoMicroseconds(config_.shutdown_timeout));
    });
    while (admission_.in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    cut = admission_.in_flight();
    // gRPC waits for the cut calls to finish, so the batcher answers what it
    // holds at once, with an error: running it instead could answer a cut
    // call OK before gRPC's own deadline cancels it.
    if (cut > 0) {
      batcher_.Cut(
          absl::UnavailableError(absl::StrCat("the server shut down: --shutdown-timeout (",
                                              absl::FormatDuration(config_.shutdown_timeout),
                                              ") passed before this call's inputs ran")));
    }
    grpc_shutdown.join();
    if (http_drain.joinable()) http_drain.join();
  }
  batcher_.Stop();
  tokenization_pool_.Stop();
  return cut;
}

}  // namespace mbserve::server
