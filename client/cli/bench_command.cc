#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "client/cli/bench/report.h"
#include "client/cli/commands.h"
#include "client/cli/connection.h"
#include "client/cli/load_generator.h"

namespace mbserve::cli {
namespace {

std::string RpcName(const BenchOptions& bench) {
  if (bench.rpc == BenchRpc::kClassify) return "Classify";
  return bench.stream ? "EmbedStream" : "Embed";
}

// Redraws one status line on stderr until the run is done.
void ShowProgress(const Io& io, const LiveCounters& live,
                  std::chrono::steady_clock::time_point start, absl::Notification& done) {
  while (!done.WaitForNotificationWithTimeout(absl::Milliseconds(500))) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    io.err << "\r" << bench::ProgressLine(elapsed, live.ok, live.errors, live.tokens) << "\033[K"
           << std::flush;
  }
  io.err << "\r\033[K" << std::flush;
}

}  // namespace

int RunBench(const CliOptions& options, const Io& io) {
  const BenchOptions& bench = options.bench;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < bench.connections; ++c) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(options.connection, c);
    if (!channel.ok()) return ReportError(io, "bench", channel.status(), kExitUsage);
    channels.push_back(*std::move(channel));
  }

  if (bench.warmup > absl::ZeroDuration()) {
    CliOptions warmup = options;
    warmup.bench.requests.reset();
    warmup.bench.duration = bench.warmup;
    LiveCounters ignored;
    RunLoad(warmup, channels, ignored);
  }

  LiveCounters live;
  absl::Notification done;
  const auto start = std::chrono::steady_clock::now();
  std::thread progress;
  if (io.err_is_terminal) {
    progress = std::thread([&] { ShowProgress(io, live, start, done); });
  }
  bench::BenchReport report;
  report.tally = RunLoad(options, channels, live);
  report.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  done.Notify();
  if (progress.joinable()) progress.join();

  report.target = options.connection.address;
  report.rpc = RpcName(bench);
  report.lengths = bench.lengths.ToString();
  report.concurrency = bench.concurrency;
  report.batch_size = bench.batch_size;
  if (io.format == OutputFormat::kJson) {
    io.out << bench::ReportJson(report);
  } else {
    io.out << RenderTable(bench::ReportTable(report));
  }
  // A run in which nothing succeeded measured nothing: say so in the exit status.
  return report.tally.ok_latencies_s.empty() ? kExitFailed : kExitOk;
}

}  // namespace mbserve::cli
