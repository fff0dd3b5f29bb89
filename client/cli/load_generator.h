// The load generator behind `mbserve-cli bench`: workers that keep
// options.bench.concurrency requests in flight, over unary calls or
// EmbedStream, until the request count or the duration is spent.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>

#include "client/cli/args.h"
#include "client/cli/bench/latency_stats.h"
#include "grpcpp/channel.h"

namespace mbserve::cli {

// Running totals for the progress line, updated as answers arrive.
struct LiveCounters {
  std::atomic<int64_t> ok{0};
  std::atomic<int64_t> errors{0};
  std::atomic<int64_t> tokens{0};
};

// Blocks until the run is over; worker i uses channels[i % channels.size()].
bench::RunTally RunLoad(const CliOptions& options,
                        std::span<const std::shared_ptr<grpc::Channel>> channels,
                        LiveCounters& live);

}  // namespace mbserve::cli
