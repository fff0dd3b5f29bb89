#include "tests/server/server_harness.h"

#include <cstdlib>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace mbserve::server::testing {
namespace {

std::string EnvOrDie(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) {
    throw std::runtime_error(absl::StrCat(name, " is not set; run the test through ctest"));
  }
  return value;
}

template <typename T>
T OrDie(absl::StatusOr<T> value, const char* what) {
  if (!value.ok()) throw std::runtime_error(absl::StrCat(what, ": ", value.status().ToString()));
  return std::move(*value);
}

}  // namespace

std::string EmbeddingModelDir() { return EnvOrDie("MBSERVE_TEST_MODELS") + "/embedding"; }
std::string ClassifierModelDir() { return EnvOrDie("MBSERVE_TEST_MODELS") + "/classifier"; }

std::unique_ptr<ServerHarness> ServerHarness::Start(
    const std::string& model_dir, const std::function<void(ServerConfig&)>& tweak) {
  auto h = std::unique_ptr<ServerHarness>(new ServerHarness());
  h->config_.model_dir = model_dir;
  h->config_.host = "127.0.0.1";
  h->config_.port = 0;
  h->config_.metrics_port = -1;
  h->config_.http_port = -1;  // the HTTP routes have tests of their own
  h->config_.warmup_tokens = 16;
  h->config_.tokenization_workers = 2;
  h->config_.num_threads = 1;
  h->config_.max_batch_delay = absl::Milliseconds(1);
  h->config_.shutdown_timeout = absl::Seconds(20);
  if (tweak) tweak(h->config_);

  h->tokenizer_ = OrDie(Tokenizer::FromFile(model_dir + "/tokenizer.json"), "tokenizer");
  EngineOptions options;
  options.num_threads = h->config_.num_threads;
  options.max_batch_tokens = h->config_.max_batch_tokens;
  h->engine_ = std::make_unique<GatedEngine>(OrDie(Engine::Create(model_dir, options), "engine"));
  h->server_ = OrDie(Server::Start(h->config_, *h->engine_, *h->tokenizer_, h->metrics_), "server");
  if (absl::Status s = h->server_->WarmUp(); !s.ok()) {
    throw std::runtime_error(absl::StrCat("warm-up: ", s.ToString()));
  }
  h->engine_->gate.Clear();  // tests look for their own tokens only
  h->server_->SetServing(true);
  h->channel_ = h->NewChannel();
  h->embed_ = v1::EmbedService::NewStub(h->channel_);
  h->classify_ = v1::ClassifyService::NewStub(h->channel_);
  h->tokenize_ = v1::TokenizeService::NewStub(h->channel_);
  h->info_ = v1::InfoService::NewStub(h->channel_);
  h->health_ = grpc::health::v1::Health::NewStub(h->channel_);
  return h;
}

ServerHarness* ServerHarness::StartShared(std::string (*model_dir)(),
                                          const std::function<void(ServerConfig&)>& tweak,
                                          std::string& error) {
  try {
    return Start(model_dir(), tweak).release();
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
}

ServerHarness::~ServerHarness() {
  if (engine_) engine_->gate.Open();
  if (server_) server_->Shutdown();
}

std::shared_ptr<grpc::Channel> ServerHarness::NewChannel() const {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  // A channel per client thread keeps them from sharing one connection.
  args.SetInt("grpc.use_local_subchannel_pool", 1);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials(), args);
}

double ServerHarness::MetricSum(const std::string& name, const prometheus::Labels& labels) const {
  double sum = 0;
  for (const prometheus::MetricFamily& family : metrics_.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      bool match = true;
      for (const auto& [key, value] : labels) {
        bool found = false;
        for (const prometheus::ClientMetric::Label& label : metric.label) {
          found |= label.name == key && label.value == value;
        }
        match &= found;
      }
      if (!match) continue;
      switch (family.type) {
        case prometheus::MetricType::Counter:
          sum += metric.counter.value;
          break;
        case prometheus::MetricType::Gauge:
          sum += metric.gauge.value;
          break;
        case prometheus::MetricType::Histogram:
          sum += metric.histogram.sample_sum;
          break;
        default:
          break;
      }
    }
  }
  return sum;
}

std::vector<int32_t> ServerHarness::Ids(const std::string& text) const {
  return OrDie(tokenizer_->Encode(text), "encode").ids;
}

v1::EmbedRequest EmbedTexts(const std::vector<std::string>& texts) {
  v1::EmbedRequest request;
  for (const std::string& text : texts) request.add_inputs()->set_text(text);
  return request;
}

v1::EmbedRequest EmbedIds(const std::vector<std::vector<int32_t>>& sequences) {
  v1::EmbedRequest request;
  for (const std::vector<int32_t>& ids : sequences) {
    auto* out = request.add_inputs()->mutable_token_ids()->mutable_ids();
    for (int32_t id : ids) out->Add(static_cast<uint32_t>(id));
  }
  return request;
}

}  // namespace mbserve::server::testing
