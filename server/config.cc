#include "server/config.h"

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace mbserve::server {
namespace {

using Setter = std::function<absl::Status(ServerConfig&, absl::string_view)>;

struct FlagSpec {
  const char* name;
  const char* default_text;
  const char* help;
  Setter set;
  bool is_bool = false;
};

std::string EnvName(absl::string_view flag) {
  return "MBSERVE_" + absl::AsciiStrToUpper(absl::StrReplaceAll(flag, {{"-", "_"}}));
}

absl::Status Invalid(absl::string_view flag, absl::string_view value, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat(FlagDisplayName(flag), ": \"", value, "\" is not ", expected));
}

Setter String(std::string ServerConfig::*field) {
  return [field](ServerConfig& c, absl::string_view v) {
    c.*field = std::string(v);
    return absl::OkStatus();
  };
}

// An integer in [min, max].
Setter Int(const char* flag, int ServerConfig::*field, int min, int max) {
  return [=](ServerConfig& c, absl::string_view v) {
    int parsed = 0;
    if (!absl::SimpleAtoi(v, &parsed) || parsed < min || parsed > max) {
      return Invalid(flag, v, absl::StrCat("an integer in [", min, ", ", max, "]"));
    }
    c.*field = parsed;
    return absl::OkStatus();
  };
}

Setter Bool(const char* flag, bool ServerConfig::*field) {
  return [=](ServerConfig& c, absl::string_view v) {
    if (!absl::SimpleAtob(v, &(c.*field))) return Invalid(flag, v, "true or false");
    return absl::OkStatus();
  };
}

Setter Duration(const char* flag, absl::Duration ServerConfig::*field) {
  return [=](ServerConfig& c, absl::string_view v) {
    absl::Duration d;
    if (!absl::ParseDuration(v, &d) || d < absl::ZeroDuration()) {
      return Invalid(flag, v, "a non-negative duration such as 500us, 2ms or 30s");
    }
    c.*field = d;
    return absl::OkStatus();
  };
}

absl::Status SetPooling(ServerConfig& c, absl::string_view v) {
  if (v == "cls") {
    c.pooling = Pooling::kCls;
  } else if (v == "mean") {
    c.pooling = Pooling::kMean;
  } else {
    return Invalid("pooling", v, "cls or mean");
  }
  return absl::OkStatus();
}

absl::Status SetDevice(ServerConfig& c, absl::string_view v) {
  if (v == "cpu") {
    c.device = kCpuDevice;
    return absl::OkStatus();
  }
  int index = 0;
  if (v == "cuda" ||
      (absl::ConsumePrefix(&v, "cuda:") && absl::SimpleAtoi(v, &index) && index >= 0)) {
    c.device = Device{DeviceType::kCuda, index};
    return absl::OkStatus();
  }
  return Invalid("device", v, "cpu, cuda or cuda:<index>");
}

absl::Status SetDType(ServerConfig& c, absl::string_view v) {
  if (v == "auto") {
    c.dtype.reset();
  } else if (v == "float32") {
    c.dtype = DType::kF32;
  } else if (v == "float16") {
    c.dtype = DType::kF16;
  } else if (v == "bfloat16") {
    c.dtype = DType::kBF16;
  } else {
    return Invalid("dtype", v, "auto, float32, float16 or bfloat16");
  }
  return absl::OkStatus();
}

Setter OneOf(const char* flag, std::string ServerConfig::*field, std::vector<std::string> choices) {
  return [=](ServerConfig& c, absl::string_view v) {
    for (const std::string& choice : choices) {
      if (v == choice) {
        c.*field = choice;
        return absl::OkStatus();
      }
    }
    return Invalid(flag, v, absl::StrJoin(choices, " or "));
  };
}

constexpr int kIntMax = 1 << 30;

const std::vector<FlagSpec>& Flags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"model", "(required)", "checkpoint folder: config.json, model.safetensors, tokenizer.json",
       String(&ServerConfig::model_dir)},
      {"served-model-name", "folder name", "model name reported by GetInfo and metrics",
       String(&ServerConfig::served_model_name)},
      {"host", "0.0.0.0", "address the gRPC, HTTP and metrics servers listen on",
       String(&ServerConfig::host)},
      {"port", "50051", "gRPC port; 0 picks a free one",
       Int("port", &ServerConfig::port, 0, 65535)},
      {"metrics-port", "9000", "Prometheus /metrics port; 0 picks a free one, -1 disables",
       Int("metrics-port", &ServerConfig::metrics_port, -1, 65535)},
      {"http-port", "8080",
       "HTTP/JSON port (OpenAI and TEI routes); 0 picks a free one, -1 disables",
       Int("http-port", &ServerConfig::http_port, -1, 65535)},
      {"http-workers", "64", "HTTP connections served at once; more wait for a worker",
       Int("http-workers", &ServerConfig::http_workers, 1, 4096)},
      {"max-batch-tokens", "16384", "most real tokens in one engine batch",
       Int("max-batch-tokens", &ServerConfig::max_batch_tokens, 1, kIntMax)},
      {"max-batch-requests", "256", "most sequences in one engine batch",
       Int("max-batch-requests", &ServerConfig::max_batch_requests, 1, kIntMax)},
      {"max-batch-delay", "2ms", "longest an idle engine waits for more sequences",
       Duration("max-batch-delay", &ServerConfig::max_batch_delay)},
      {"max-concurrent-requests", "512",
       "calls admitted at once; more get RESOURCE_EXHAUSTED immediately",
       Int("max-concurrent-requests", &ServerConfig::max_concurrent_requests, 1, kIntMax)},
      {"max-client-batch-size", "32", "most inputs in one request",
       Int("max-client-batch-size", &ServerConfig::max_client_batch_size, 1, kIntMax)},
      {"max-input-length", "model's", "longest input in tokens; at most the model's",
       Int("max-input-length", &ServerConfig::max_input_length, 0, kIntMax)},
      {"tokenization-workers", "cores - 1", "threads that tokenize requests",
       Int("tokenization-workers", &ServerConfig::tokenization_workers, 0, 1024)},
      {"auto-truncate", "false", "truncate over-long inputs when a request does not say",
       Bool("auto-truncate", &ServerConfig::auto_truncate), true},
      {"pooling", "model's", "cls or mean, overriding 1_Pooling/config.json", SetPooling},
      {"default-prompt-name", "", "prompt (config_sentence_transformers.json) used by default",
       String(&ServerConfig::default_prompt_name)},
      {"default-prompt", "", "literal prompt used by default",
       String(&ServerConfig::default_prompt)},
      {"device", "cpu", "cpu, cuda or cuda:<index>", SetDevice},
      {"dtype", "auto",
       "auto (bfloat16 on CUDA, float32 on CPU), float32 (CPU), float16 or bfloat16 (CUDA)",
       SetDType},
      {"num-threads", "0", "engine CPU threads; 0 uses every core",
       Int("num-threads", &ServerConfig::num_threads, 0, 1024)},
      {"max-message-bytes", "4194304", "largest request message",
       Int("max-message-bytes", &ServerConfig::max_message_bytes, 1024, kIntMax)},
      {"api-key", "", "require `authorization: Bearer <key>` on every mbserve call",
       String(&ServerConfig::api_key)},
      {"tls-cert", "", "PEM certificate chain; with --tls-key enables TLS",
       String(&ServerConfig::tls_cert)},
      {"tls-key", "", "PEM private key", String(&ServerConfig::tls_key)},
      {"shutdown-timeout", "30s", "on SIGTERM/SIGINT, longest wait for accepted calls",
       Duration("shutdown-timeout", &ServerConfig::shutdown_timeout)},
      {"warmup-tokens", "512", "tokens of the warm-up batch run before SERVING; 0 skips it",
       Int("warmup-tokens", &ServerConfig::warmup_tokens, 0, kIntMax)},
      {"log-format", "text", "text or json",
       OneOf("log-format", &ServerConfig::log_format, {"text", "json"})},
      {"log-level", "info", "trace, debug, info, warn, error",
       OneOf("log-level", &ServerConfig::log_level, {"trace", "debug", "info", "warn", "error"})},
  };
  return *flags;
}

const FlagSpec* FindFlag(absl::string_view name) {
  for (const FlagSpec& flag : Flags()) {
    if (name == flag.name) return &flag;
  }
  return nullptr;
}

absl::Status Validate(const ServerConfig& c) {
  if (c.model_dir.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(FlagDisplayName("model"), " is required: the checkpoint folder to serve"));
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(FlagDisplayName("tls-cert"), " and ",
                                                   FlagDisplayName("tls-key"),
                                                   " must be given together"));
  }
  if (!c.default_prompt_name.empty() && !c.default_prompt.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(FlagDisplayName("default-prompt-name"), " and ",
                                                   FlagDisplayName("default-prompt"),
                                                   " exclude each other"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string FlagDisplayName(absl::string_view name) {
  return absl::StrCat("--", name, " (", EnvName(name), ")");
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

absl::StatusOr<ServerConfig> ParseConfig(std::span<const std::string> args, const EnvLookup& env) {
  ServerConfig config;
  for (const FlagSpec& flag : Flags()) {
    if (std::optional<std::string> value = env(EnvName(flag.name))) {
      if (absl::Status s = flag.set(config, *value); !s.ok()) return s;
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") return absl::NotFoundError(ConfigHelp());
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument \"", arg, "\"; flags look like --name=value"));
    }
    absl::string_view name = arg.substr(0, arg.find('='));
    const FlagSpec* flag = FindFlag(name);
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, "; see --help for the list"));
    }
    std::string value;
    if (name.size() < arg.size()) {
      value = std::string(arg.substr(name.size() + 1));
    } else if (flag->is_bool) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
    }
    if (absl::Status s = flag->set(config, value); !s.ok()) return s;
  }
  if (absl::Status s = Validate(config); !s.ok()) return s;
  if (config.tokenization_workers == 0) {
    config.tokenization_workers =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency()) - 1);
  }
  return config;
}

std::string ConfigHelp() {
  std::string help = "usage: mbserve --model=<dir> [flags]\n\n";
  for (const FlagSpec& flag : Flags()) {
    absl::StrAppend(&help, "  --", flag.name, "  (env ", EnvName(flag.name), ", default ",
                    flag.default_text, ")\n      ", flag.help, "\n");
  }
  return help;
}

}  // namespace mbserve::server
