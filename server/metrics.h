// Every Prometheus metric of the server, built once here and passed by
// reference to whoever records. Metrics is itself a Collectable: register it
// with a prometheus::Exposer (or Collect() it in tests).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "grpcpp/support/status.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "server/clock.h"
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
  void RecordRequest(std::string_view rpc, grpc::StatusCode code, Clock::duration duration);
  // The phases of a call that reached the engine.
  void RecordPhases(std::string_view rpc, Clock::duration tokenization, Clock::duration queue,
                    Clock::duration inference);
  // The inputs of a call that reached the engine, by token count.
  void RecordInputs(std::string_view rpc, std::span<const int> lengths);
  void RecordBatch(int sequences, int tokens, Clock::time_point finished);
  void SetQueueDepth(int sequences, int64_t tokens);
  void SetInFlight(int requests);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
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
  TokenRate token_rate_;
};

}  // namespace mbserve::server
