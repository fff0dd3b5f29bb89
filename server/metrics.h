// Every Prometheus metric of the server, built once here and passed by
// reference to whoever records. Every labelled series (each Rpc, each status
// code) is created by the constructor and kept, so recording is a lookup by
// index with no lock and no allocation. Metrics is itself a Collectable:
// register it with a prometheus::Exposer (or Collect() it in tests).
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "server/clock.h"
#include "server/rpc.h"
#include "server/token_rate.h"

namespace mbserve::server {

struct ModelInfoLabels {
  std::string model;
  std::string architecture;
  std::string device;
  std::string dtype;
  std::string version;
};

class Metrics : public prometheus::Collectable {
 public:
  Metrics();

  void SetModelInfo(const ModelInfoLabels& info);

  // One finished call (or stream message) with its final code.
  void RecordRequest(Rpc rpc, absl::StatusCode code, Clock::duration duration);
  // The phases of a call that reached the engine (ReachesEngine(rpc)).
  void RecordPhases(Rpc rpc, Clock::duration tokenization, Clock::duration queue,
                    Clock::duration inference);
  // The inputs of a call that reached the engine, by token count.
  void RecordInputs(Rpc rpc, std::span<const int> lengths);
  void RecordBatch(int sequences, int tokens, Clock::time_point finished);
  void SetQueueDepth(int sequences, int64_t tokens);
  void SetInFlight(int requests);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  // google.rpc.Code numbering, shared by absl and gRPC: OK (0) to
  // UNAUTHENTICATED (16).
  static constexpr int kNumCodes = 17;
  struct EngineSeries {
    prometheus::Histogram* tokenization = nullptr;
    prometheus::Histogram* queue = nullptr;
    prometheus::Histogram* inference = nullptr;
    prometheus::Histogram* input_length = nullptr;
    prometheus::Counter* inputs = nullptr;
    prometheus::Counter* tokens = nullptr;
  };
  struct RpcSeries {
    std::array<prometheus::Counter*, kNumCodes> requests{};  // by code
    prometheus::Histogram* duration = nullptr;
    EngineSeries engine;  // null members unless ReachesEngine(rpc)
  };

  const RpcSeries& SeriesOf(Rpc rpc) const { return series_[static_cast<size_t>(rpc)]; }

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& inputs_;
  prometheus::Family<prometheus::Counter>& tokens_;
  prometheus::Family<prometheus::Histogram>& request_duration_;
  prometheus::Family<prometheus::Histogram>& tokenization_duration_;
  prometheus::Family<prometheus::Histogram>& queue_duration_;
  prometheus::Family<prometheus::Histogram>& inference_duration_;
  prometheus::Family<prometheus::Histogram>& input_length_;
  prometheus::Histogram& batch_sequences_;
  prometheus::Histogram& batch_tokens_;
  prometheus::Gauge& queue_sequences_;
  prometheus::Gauge& queue_tokens_;
  prometheus::Gauge& in_flight_;
  prometheus::Family<prometheus::Gauge>& info_;
  std::array<RpcSeries, kAllRpcs.size()> series_;
  TokenRate token_rate_;
};

}  // namespace mbserve::server
