#include "server/metrics.h"

#include <cmath>

#include "server/status_map.h"

namespace mbserve::server {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// 50 us to about 52 s, doubling.
const Histogram::BucketBoundaries& DurationBuckets() {
  static const Histogram::BucketBoundaries buckets = [] {
    Histogram::BucketBoundaries b;
    for (int i = 0; i <= 20; ++i) b.push_back(50e-6 * std::ldexp(1.0, i));
    return b;
  }();
  return buckets;
}

// 1, 2, 4, ... 2^max_exponent.
Histogram::BucketBoundaries PowersOfTwo(int max_exponent) {
  Histogram::BucketBoundaries b;
  for (int i = 0; i <= max_exponent; ++i) b.push_back(std::ldexp(1.0, i));
  return b;
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(BuildCounter()
                    .Name("mbserve_requests_total")
                    .Help("Finished calls (stream messages count one each), by RPC and gRPC code")
                    .Register(*registry_)),
      inputs_(BuildCounter()
                  .Name("mbserve_inputs_total")
                  .Help("Inputs (texts, pairs or token-id lists) sent to the engine, by RPC")
                  .Register(*registry_)),
      tokens_(BuildCounter()
                  .Name("mbserve_tokens_total")
                  .Help("Tokens sent to the engine, by RPC")
                  .Register(*registry_)),
      request_duration_(BuildHistogram()
                            .Name("mbserve_request_duration_seconds")
                            .Help("Time from a call's arrival to its response, by RPC")
                            .Register(*registry_)),
      tokenization_duration_(BuildHistogram()
                                 .Name("mbserve_tokenization_duration_seconds")
                                 .Help("Time from arrival until a call's inputs are tokenized")
                                 .Register(*registry_)),
      queue_duration_(BuildHistogram()
                          .Name("mbserve_queue_duration_seconds")
                          .Help("Time a call's first input waited for a batch")
                          .Register(*registry_)),
      inference_duration_(BuildHistogram()
                              .Name("mbserve_inference_duration_seconds")
                              .Help("Time from a call's first batch start to its last batch end")
                              .Register(*registry_)),
      input_length_(BuildHistogram()
                        .Name("mbserve_input_length_tokens")
                        .Help("Tokens per input sent to the engine, by RPC")
                        .Register(*registry_)),
      batch_sequences_(BuildHistogram()
                           .Name("mbserve_batch_sequences")
                           .Help("Sequences per engine batch")
                           .Register(*registry_)
                           .Add({}, PowersOfTwo(12))),
      batch_tokens_(BuildHistogram()
                        .Name("mbserve_batch_tokens")
                        .Help("Real (unpadded) tokens per engine batch")
                        .Register(*registry_)
                        .Add({}, PowersOfTwo(20))),
      queue_sequences_(BuildGauge()
                           .Name("mbserve_queue_sequences")
                           .Help("Sequences waiting for the engine")
                           .Register(*registry_)
                           .Add({})),
      queue_tokens_(BuildGauge()
                        .Name("mbserve_queue_tokens")
                        .Help("Tokens waiting for the engine")
                        .Register(*registry_)
                        .Add({})),
      in_flight_(BuildGauge()
                     .Name("mbserve_in_flight_requests")
                     .Help("Admitted calls not yet finished")
                     .Register(*registry_)
                     .Add({})),
      info_(BuildGauge()
                .Name("mbserve_model_info")
                .Help("Always 1; the labels describe the served model and device")
                .Register(*registry_)) {
  const Histogram::BucketBoundaries input_length_buckets = PowersOfTwo(14);
  for (Rpc rpc : kAllRpcs) {
    const prometheus::Labels labels{{"rpc", std::string(RpcName(rpc))}};
    RpcSeries& series = series_[static_cast<size_t>(rpc)];
    for (int code = 0; code < kNumCodes; ++code) {
      prometheus::Labels with_code = labels;
      with_code["code"] = std::string(GrpcCodeName(static_cast<grpc::StatusCode>(code)));
      series.requests[code] = &requests_.Add(with_code);
    }
    series.duration = &request_duration_.Add(labels, DurationBuckets());
    if (!ReachesEngine(rpc)) continue;
    series.engine.tokenization = &tokenization_duration_.Add(labels, DurationBuckets());
    series.engine.queue = &queue_duration_.Add(labels, DurationBuckets());
    series.engine.inference = &inference_duration_.Add(labels, DurationBuckets());
    series.engine.input_length = &input_length_.Add(labels, input_length_buckets);
    series.engine.inputs = &inputs_.Add(labels);
    series.engine.tokens = &tokens_.Add(labels);
  }
}

void Metrics::SetModelInfo(const ModelInfoLabels& info) {
  info_
      .Add({{"model", info.model},
            {"architecture", info.architecture},
            {"device", info.device},
            {"dtype", info.dtype},
            {"version", info.version}})
      .Set(1);
}

void Metrics::RecordRequest(Rpc rpc, absl::StatusCode code, Clock::duration duration) {
  const RpcSeries& series = SeriesOf(rpc);
  const int index = static_cast<int>(code);
  const int known =
      index >= 0 && index < kNumCodes ? index : static_cast<int>(absl::StatusCode::kUnknown);
  series.requests[known]->Increment();
  series.duration->Observe(Seconds(duration));
}

void Metrics::RecordPhases(Rpc rpc, Clock::duration tokenization, Clock::duration queue,
                           Clock::duration inference) {
  const EngineSeries& series = SeriesOf(rpc).engine;
  series.tokenization->Observe(Seconds(tokenization));
  series.queue->Observe(Seconds(queue));
  series.inference->Observe(Seconds(inference));
}

void Metrics::RecordInputs(Rpc rpc, std::span<const int> lengths) {
  const EngineSeries& series = SeriesOf(rpc).engine;
  series.inputs->Increment(static_cast<double>(lengths.size()));
  double total = 0;
  for (int length : lengths) {
    series.input_length->Observe(length);
    total += length;
  }
  series.tokens->Increment(total);
}

void Metrics::RecordBatch(int sequences, int tokens, Clock::time_point finished) {
  batch_sequences_.Observe(sequences);
  batch_tokens_.Observe(tokens);
  token_rate_.Add(tokens, finished);
}

void Metrics::SetQueueDepth(int sequences, int64_t tokens) {
  queue_sequences_.Set(sequences);
  queue_tokens_.Set(static_cast<double>(tokens));
}

void Metrics::SetInFlight(int requests) { in_flight_.Set(requests); }

std::vector<prometheus::MetricFamily> Metrics::Collect() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  prometheus::MetricFamily rate;
  rate.name = "mbserve_tokens_per_second";
  rate.help = "Tokens processed by the engine per second over the last 10 s";
  rate.type = prometheus::MetricType::Gauge;
  prometheus::ClientMetric value;
  value.gauge.value = token_rate_.PerSecond(Clock::now());
  rate.metric.push_back(value);
  families.push_back(std::move(rate));
  return families;
}

}  // namespace mbserve::server
