// The assembled server: services, batcher, tokenization pool, admission,
// health and graceful shutdown. main.cc and the in-process tests build it
// the same way.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/engine.h"
#include "grpcpp/server.h"
#include "server/admission.h"
#include "server/auth.h"
#include "server/batcher.h"
#include "server/classify_service.h"
#include "server/config.h"
#include "server/embed_service.h"
#include "server/info_service.h"
#include "server/metrics.h"
#include "server/served_model.h"
#include "server/serving_context.h"
#include "server/stream_registry.h"
#include "server/task_pool.h"
#include "server/tokenize_service.h"
#include "tokenizer/tokenizer.h"

namespace mbserve::server {

class Server {
 public:
  // Listens on config.host:config.port with every health status NOT_SERVING;
  // call WarmUp() and SetServing(true) next. engine, tokenizer and metrics
  // must outlive the server.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerConfig& config, Engine& engine,
                                                       const Tokenizer& tokenizer,
                                                       Metrics& metrics);
  ~Server();  // Shutdown()

  int port() const { return port_; }
  const ServedModel& model() const { return model_; }
  // What a front end needs to create Calls (server/call.h) on this server.
  ServingContext& serving() { return serving_; }

  // Runs one batch of config.warmup_tokens tokens through the batcher.
  absl::Status WarmUp();
  // The health status of the overall server ("") and of each mbserve service.
  void SetServing(bool serving);
  // NOT_SERVING, stop accepting calls, answer every accepted one (waiting at
  // most config.shutdown_timeout before cancelling the rest), stop threads.
  void Shutdown();

 private:
  Server(const ServerConfig& config, ServedModel model, Engine& engine, const Tokenizer& tokenizer,
         Metrics& metrics);

  const ServerConfig config_;
  const ServedModel model_;
  const Tokenizer& tokenizer_;
  Metrics& metrics_;
  Authenticator auth_;
  Admission admission_;
  TaskPool tokenization_pool_;
  Batcher batcher_;
  ServingContext serving_;
  StreamRegistry streams_;
  EmbedServiceImpl embed_service_;
  ClassifyServiceImpl classify_service_;
  TokenizeServiceImpl tokenize_service_;
  InfoServiceImpl info_service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace mbserve::server
