// Server configuration: command-line flags, each with an MBSERVE_* environment
// equivalent (--max-batch-tokens <-> MBSERVE_MAX_BATCH_TOKENS). A flag beats
// its environment variable, which beats the default. The defaults are the
// member initializers below and nowhere else: --help and README.md show them
// from here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/model/config.h"
#include "engine/tensor.h"

namespace mbserve::server {

struct ServerConfig {
  std::string model_dir;
  std::string served_model_name;  // empty: the model's own name (served_model.cc)
  std::string host = "0.0.0.0";
  int port = 50051;         // 0: any free port
  int metrics_port = 9000;  // 0: any free port; -1: no metrics endpoint
  int max_batch_tokens = 16384;
  int max_batch_requests = 256;
  absl::Duration max_batch_delay = absl::Milliseconds(2);
  int max_concurrent_requests = 512;
  int max_client_batch_size = 32;
  int max_input_length = 0;      // 0: the model's
  int tokenization_workers = 0;  // 0: one per core, less one
  bool auto_truncate = false;
  std::optional<Pooling> pooling;  // unset: the model's
  std::string default_prompt_name;
  std::string default_prompt;
  Device device = kCpuDevice;
  // Activation dtype; unset ("auto") means bfloat16 on CUDA, float32 on CPU.
  std::optional<DType> dtype;

  DType EffectiveDType() const {
    return dtype.value_or(device.is_cuda() ? DType::kBF16 : DType::kF32);
  }
  int num_threads = 0;  // engine CPU threads; 0: the library default
  int max_message_bytes = 4 << 20;
  std::string api_key;
  std::string tls_cert;
  std::string tls_key;
  absl::Duration shutdown_timeout = absl::Seconds(30);
  int warmup_tokens = 512;
  std::string log_format = "text";  // text | json
  std::string log_level = "info";
};

// Returns the value of an environment variable, if set.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// Whether args (without argv[0]) ask for --help (or -h); main then prints
// ConfigHelp() instead of parsing.
bool HelpRequested(std::span<const std::string> args);

// Parses args (without argv[0]). Errors name the flag (or variable) and what
// was expected.
absl::StatusOr<ServerConfig> ParseConfig(std::span<const std::string> args, const EnvLookup& env);

// Two lines per flag: name, environment variable, default; meaning.
std::string ConfigHelp();

// The same as a Markdown table; README.md holds it verbatim (a test checks).
std::string FlagTableMarkdown();

// "--name (MBSERVE_NAME)" for messages.
std::string FlagDisplayName(absl::string_view name);

}  // namespace mbserve::server
