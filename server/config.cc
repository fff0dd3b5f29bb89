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
// A field's value written as the flag would take it ("" when unset).
using Shower = std::function<std::string(const ServerConfig&)>;

// How a flag reads and shows its ServerConfig field.
struct Binding {
  Setter set;
  Shower show;
};

struct FlagSpec {
  const char* name;
  const char* help;
  Binding binding;
  bool is_bool = false;
};

std::string EnvName(absl::string_view flag) {
  return "MBSERVE_" + absl::AsciiStrToUpper(absl::StrReplaceAll(flag, {{"-", "_"}}));
}

absl::Status Invalid(absl::string_view flag, absl::string_view value, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat(FlagDisplayName(flag), ": \"", value, "\" is not ", expected));
}

Binding String(std::string ServerConfig::*field) {
  return {[field](ServerConfig& c, absl::string_view v) {
            c.*field = std::string(v);
            return absl::OkStatus();
          },
          [field](const ServerConfig& c) { return c.*field; }};
}

// An integer in [min, max].
Binding Int(const char* flag, int ServerConfig::*field, int min, int max) {
  return {[=](ServerConfig& c, absl::string_view v) {
            int parsed = 0;
            if (!absl::SimpleAtoi(v, &parsed) || parsed < min || parsed > max) {
              return Invalid(flag, v, absl::StrCat("an integer in [", min, ", ", max, "]"));
            }
            c.*field = parsed;
            return absl::OkStatus();
          },
          [field](const ServerConfig& c) { return absl::StrCat(c.*field); }};
}

Binding Bool(const char* flag, bool ServerConfig::*field) {
  return {[=](ServerConfig& c, absl::string_view v) {
            if (!absl::SimpleAtob(v, &(c.*field))) return Invalid(flag, v, "true or false");
            return absl::OkStatus();
          },
          [field](const ServerConfig& c) { return std::string(c.*field ? "true" : "false"); }};
}

Binding Duration(const char* flag, absl::Duration ServerConfig::*field) {
  return {[=](ServerConfig& c, absl::string_view v) {
            absl::Duration d;
            if (!absl::ParseDuration(v, &d) || d < absl::ZeroDuration()) {
              return Invalid(flag, v, "a non-negative duration such as 500us, 2ms or 30s");
            }
            c.*field = d;
            return absl::OkStatus();
          },
          [field](const ServerConfig& c) { return absl::FormatDuration(c.*field); }};
}

// "a, b or c".
std::string OneOfText(const std::vector<std::string>& names) {
  if (names.size() < 2) return absl::StrJoin(names, "");
  return absl::StrCat(absl::StrJoin(names.begin(), names.end() - 1, ", "), " or ", names.back());
}

// One of a fixed list of names, each standing for a value of the field.
template <typename T>
Binding Choice(const char* flag, T ServerConfig::*field,
               std::vector<std::pair<std::string, T>> choices) {
  return {[=](ServerConfig& c, absl::string_view v) {
            std::vector<std::string> names;
            for (const auto& [name, value] : choices) {
              if (v == name) {
                c.*field = value;
                return absl::OkStatus();
              }
              names.push_back(name);
            }
            return Invalid(flag, v, OneOfText(names));
          },
          [=](const ServerConfig& c) {
            for (const auto& [name, value] : choices) {
              if (c.*field == value) return name;
            }
            return std::string();
          }};
}

Binding DeviceBinding() {
  return {[](ServerConfig& c, absl::string_view v) {
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
          },
          [](const ServerConfig& c) { return c.device.ToString(); }};
}

constexpr int kIntMax = 1 << 30;

// Every flag, in --help order. Defaults are ServerConfig's member
// initializers, shown through each binding; the README's table is
// FlagTableMarkdown() of this list.
const std::vector<FlagSpec>& Flags() {
  using C = ServerConfig;
  static const auto* flags = new std::vector<FlagSpec>{
      {"model", "checkpoint folder (config.json, model.safetensors, tokenizer.json); required",
       String(&C::model_dir)},
      {"served-model-name",
       "name in GetInfo and mbserve_model_info; empty: the model's Hugging Face cache entry or "
       "_name_or_path, else the folder's name",
       String(&C::served_model_name)},
      {"host", "address the gRPC, HTTP and metrics servers listen on", String(&C::host)},
      {"port", "gRPC port; 0 picks a free one", Int("port", &C::port, 0, 65535)},
      {"metrics-port", "Prometheus /metrics port; 0 picks a free one, -1 disables",
       Int("metrics-port", &C::metrics_port, -1, 65535)},
      {"http-port", "HTTP/JSON port (OpenAI and TEI routes); 0 picks a free one, -1 disables",
       Int("http-port", &C::http_port, -1, 65535)},
      {"http-workers", "HTTP connections served at once; more wait for a worker",
       Int("http-workers", &C::http_workers, 1, 4096)},
      {"max-batch-tokens", "most real tokens in one engine batch",
       Int("max-batch-tokens", &C::max_batch_tokens, 1, kIntMax)},
      {"max-batch-requests", "most sequences in one engine batch",
       Int("max-batch-requests", &C::max_batch_requests, 1, kIntMax)},
      {"max-batch-delay", "longest an idle engine waits for more sequences",
       Duration("max-batch-delay", &C::max_batch_delay)},
      {"max-concurrent-requests", "calls admitted at once; more get RESOURCE_EXHAUSTED at once",
       Int("max-concurrent-requests", &C::max_concurrent_requests, 1, kIntMax)},
      {"max-queued-tokens",
       "tokens waiting for the engine at once; a call that would pass it gets RESOURCE_EXHAUSTED",
       Int("max-queued-tokens", &C::max_queued_tokens, 1, kIntMax)},
      {"max-client-batch-size", "most inputs in one request",
       Int("max-client-batch-size", &C::max_client_batch_size, 1, kIntMax)},
      {"max-input-length",
       "longest input in tokens, at most the model's and --max-batch-tokens; 0: the model's",
       Int("max-input-length", &C::max_input_length, 0, kIntMax)},
      {"tokenization-workers", "threads that tokenize requests; 0: one per core, less one",
       Int("tokenization-workers", &C::tokenization_workers, 0, 1024)},
      {"auto-truncate", "truncate over-long inputs when a request leaves truncation.enabled unset",
       Bool("auto-truncate", &C::auto_truncate), true},
      {"pooling", "cls or mean, overriding 1_Pooling/config.json; unset: the model's",
       Choice<std::optional<Pooling>>("pooling", &C::pooling,
                                      {{"cls", Pooling::kCls}, {"mean", Pooling::kMean}})},
      {"default-prompt-name",
       "prompt of config_sentence_transformers.json used when a request names none; empty: the "
       "model's default",
       String(&C::default_prompt_name)},
      {"default-prompt", "literal prompt used when a request names none",
       String(&C::default_prompt)},
      {"device", "cpu, cuda or cuda:<index>", DeviceBinding()},
      {"dtype",
       "auto (bfloat16 on CUDA, float32 on CPU), float32 (CPU), float16 (CUDA) or bfloat16 (CUDA; "
       "CPUs with avx512_bf16 or AMX-BF16)",
       Choice<std::optional<DType>>("dtype", &C::dtype,
                                    {{"auto", std::nullopt},
                                     {"float32", DType::kF32},
                                     {"float16", DType::kF16},
                                     {"bfloat16", DType::kBF16}})},
      {"num-threads", "engine CPU threads; 0: every core",
       Int("num-threads", &C::num_threads, 0, 1024)},
      {"max-message-bytes", "largest gRPC request message or HTTP body (HTTP answers 413 beyond)",
       Int("max-message-bytes", &C::max_message_bytes, 1024, kIntMax)},
      {"api-key",
       "require authorization: Bearer <key> (gRPC metadata or HTTP header) on every mbserve call "
       "(health, reflection and HTTP /health stay open)",
       String(&C::api_key)},
      {"tls-cert", "PEM certificate chain; with --tls-key enables TLS (gRPC and HTTPS)",
       String(&C::tls_cert)},
      {"tls-key", "PEM private key of --tls-cert", String(&C::tls_key)},
      {"shutdown-timeout", "on SIGTERM/SIGINT, longest wait for accepted calls",
       Duration("shutdown-timeout", &C::shutdown_timeout)},
      {"warmup-tokens", "tokens of the warm-up batch run before SERVING; 0 skips it",
       Int("warmup-tokens", &C::warmup_tokens, 0, kIntMax)},
      {"log-format", "text, or json (one object per line)",
       Choice<std::string>("log-format", &C::log_format, {{"text", "text"}, {"json", "json"}})},
      {"log-level", "trace, debug, info, warn or error",
       Choice<std::string>("log-level", &C::log_level,
                           {{"trace", "trace"},
                            {"debug", "debug"},
                            {"info", "info"},
                            {"warn", "warn"},
                            {"error", "error"}})},
  };
  return *flags;
}

// The flag's default as --help and the README show it.
std::string DefaultText(const FlagSpec& flag) { return flag.binding.show(ServerConfig{}); }

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
      if (absl::Status s = flag.binding.set(config, *value); !s.ok()) return s;
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
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
    if (absl::Status s = flag->binding.set(config, value); !s.ok()) return s;
  }
  if (absl::Status s = Validate(config); !s.ok()) return s;
  if (config.tokenization_workers == 0) {
    config.tokenization_workers =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency()) - 1);
  }
  return config;
}

bool HelpRequested(std::span<const std::string> args) {
  return std::any_of(args.begin(), args.end(),
                     [](const std::string& arg) { return arg == "--help" || arg == "-h"; });
}

std::string ConfigHelp() {
  std::string help = "usage: mbserve --model=<dir> [flags]\n\n";
  for (const FlagSpec& flag : Flags()) {
    const std::string default_text = DefaultText(flag);
    absl::StrAppend(&help, "  --", flag.name, "  (env ", EnvName(flag.name), ", default ",
                    default_text.empty() ? "empty" : default_text, ")\n      ", flag.help, "\n");
  }
  return help;
}

std::string FlagTableMarkdown() {
  std::string table = "| Flag | Environment | Default | Meaning |\n|---|---|---|---|\n";
  for (const FlagSpec& flag : Flags()) {
    const std::string default_text = DefaultText(flag);
    absl::StrAppend(&table, "| `--", flag.name, "` | `", EnvName(flag.name), "` | ",
                    default_text.empty() ? "" : absl::StrCat("`", default_text, "`"), " | ",
                    flag.help, " |\n");
  }
  return table;
}

}  // namespace mbserve::server
