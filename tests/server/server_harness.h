// An in-process mbserve on 127.0.0.1:0 for end-to-end tests: the real
// tokenizer and CPU engine, wrapped so tests can hold the engine busy
// (RecordingGate), plus a channel, stubs and metric readers.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/channel.h"
#include "mbserve/v1/classify.grpc.pb.h"
#include "mbserve/v1/embed.grpc.pb.h"
#include "mbserve/v1/info.grpc.pb.h"
#include "mbserve/v1/tokenize.grpc.pb.h"
#include "server/metrics.h"
#include "server/server.h"
#include "tests/server/recording_gate.h"
#include "tokenizer/tokenizer.h"

namespace mbserve::server::testing {

// The checkpoints ctest makes (tests/reference/make_tiny_model.py) under
// $MBSERVE_TEST_MODELS: embedding/ (no head) and classifier/.
std::string EmbeddingModelDir();
std::string ClassifierModelDir();

class GatedEngine : public Engine {
 public:
  explicit GatedEngine(std::unique_ptr<Engine> inner) : inner_(std::move(inner)) {}
  const ModelConfig& config() const override { return inner_->config(); }
  const SentenceTransformersConfig& sentence_transformers() const override {
    return inner_->sentence_transformers();
  }
  const EngineOptions& options() const override { return inner_->options(); }
  const std::string& kernel_summary() const override { return inner_->kernel_summary(); }
  absl::StatusOr<BatchOutput> Run(const PackedBatch& batch,
                                  std::span<const SequenceTask> tasks) override {
    gate.Pass(batch);
    return inner_->Run(batch, tasks);
  }

  RecordingGate gate;

 private:
  std::unique_ptr<Engine> inner_;
};

class ServerHarness {
 public:
  // For test suites that share one server: starts it, or keeps why it could
  // not start so that every test fails with that message (a failure in
  // SetUpTestSuite alone would only skip them).
  static ServerHarness* StartShared(std::string (*model_dir)(),
                                    const std::function<void(ServerConfig&)>& tweak,
                                    std::string& error);

  // Test defaults: 127.0.0.1:0, small warm-up, 2 tokenization workers.
  static std::unique_ptr<ServerHarness> Start(const std::string& model_dir,
                                              const std::function<void(ServerConfig&)>& tweak = {});
  ~ServerHarness();

  Server& server() { return *server_; }
  GatedEngine& engine() { return *engine_; }
  const Tokenizer& tokenizer() { return *tokenizer_; }
  Metrics& metrics() { return metrics_; }
  const ServerConfig& config() const { return config_; }
  std::shared_ptr<grpc::Channel> NewChannel() const;

  v1::EmbedService::Stub& embed() { return *embed_; }
  v1::ClassifyService::Stub& classify() { return *classify_; }
  v1::TokenizeService::Stub& tokenize() { return *tokenize_; }
  v1::InfoService::Stub& info() { return *info_; }
  grpc::health::v1::Health::Stub& health() { return *health_; }

  // Sum of a counter's or gauge's samples whose labels include `labels`, or
  // of a histogram's sample sums.
  double MetricSum(const std::string& name, const prometheus::Labels& labels = {}) const;
  // Token ids of a text, with special tokens.
  std::vector<int32_t> Ids(const std::string& text) const;

 private:
  ServerConfig config_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::unique_ptr<GatedEngine> engine_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::EmbedService::Stub> embed_;
  std::unique_ptr<v1::ClassifyService::Stub> classify_;
  std::unique_ptr<v1::TokenizeService::Stub> tokenize_;
  std::unique_ptr<v1::InfoService::Stub> info_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

// Builders for requests.
v1::EmbedRequest EmbedTexts(const std::vector<std::string>& texts);
v1::EmbedRequest EmbedIds(const std::vector<std::vector<int32_t>>& sequences);

}  // namespace mbserve::server::testing
