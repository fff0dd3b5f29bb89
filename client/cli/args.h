// The command line of mbserve-cli: one table of options (args.cc) drives both
// parsing and the usage text, so the two cannot disagree. Parsing is pure:
// environment variables come in through a lookup function.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/cli/bench/length_distribution.h"
#include "grpc/health/v1/health.pb.h"
#include "mbserve/v1/classify.pb.h"
#include "mbserve/v1/embed.pb.h"
#include "mbserve/v1/tokenize.pb.h"

namespace mbserve::cli {

enum class Command { kEmbed, kClassify, kTokenize, kInfo, kHealth, kBench };

enum class OutputFormat {
  kAuto,  // a table on a terminal, JSON otherwise (pipes and scripts)
  kJson,
  kTable,
};

struct ConnectionOptions {
  std::string address = "localhost:50051";
  bool tls = false;
  std::string ca_cert_file;     // empty: the system's roots
  std::string tls_server_name;  // empty: the host of the address
  std::string api_key;          // sent as "authorization: Bearer <key>"
  absl::Duration timeout = absl::Seconds(30);
  // Call the HTTP routes (docs/HTTP.md) instead of gRPC; the address then
  // defaults to the HTTP port, localhost:8080.
  bool http = false;
};

// Where texts come from: arguments, else --file (one per line, "-" is stdin),
// else stdin when it is not a terminal.
struct InputOptions {
  std::vector<std::string> texts;
  std::string file;
  // classify: arguments are taken two by two, lines are "first<TAB>second".
  bool pairs = false;
};

enum class BenchRpc { kEmbed, kClassify };

struct BenchOptions {
  BenchRpc rpc = BenchRpc::kEmbed;
  bool stream = false;  // EmbedStream instead of unary Embed
  int concurrency = 8;  // requests in flight
  int streams = 1;      // --stream: concurrency is spread over this many streams
  int connections = 1;  // separate HTTP/2 connections (channels)
  // Bounds: stop after `requests` requests or `duration`, whichever comes
  // first; with neither given, 1000 requests.
  std::optional<int64_t> requests;
  std::optional<absl::Duration> duration;
  bench::LengthDistribution lengths = *bench::LengthDistribution::Parse("paper:short-var");
  int batch_size = 1;  // inputs per request
  uint64_t seed = 42;
  // Load sent first and left out of the report: connection set-up and the
  // server's first batches do not skew the percentiles.
  absl::Duration warmup = absl::ZeroDuration();
};

struct CliOptions {
  Command command = Command::kInfo;
  bool help = false;
  OutputFormat output = OutputFormat::kAuto;
  ConnectionOptions connection;
  InputOptions input;
  // Request templates: the options fill every field but the inputs, which the
  // command adds. The bench uses the embed or classify template too.
  v1::EmbedRequest embed;
  v1::ClassifyRequest classify;
  v1::TokenizeRequest tokenize;
  grpc::health::v1::HealthCheckRequest health;
  BenchOptions bench;
};

// Returns the value of an environment variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(absl::string_view)>;

// Parses the arguments after the program name. Environment variables
// (MBSERVE_CLI_ADDRESS, MBSERVE_API_KEY, ...) give defaults that arguments
// override. Errors name the option and what it accepts.
absl::StatusOr<CliOptions> ParseArgs(std::span<const std::string> args, const EnvLookup& env);

std::string UsageText();

}  // namespace mbserve::cli
