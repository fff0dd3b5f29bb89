#include "client/cli/args.h"

#include <array>
#include <limits>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace mbserve::cli {
namespace {

using CommandMask = unsigned;
constexpr CommandMask Bit(Command c) { return 1u << static_cast<unsigned>(c); }
constexpr CommandMask kEmbed = Bit(Command::kEmbed);
constexpr CommandMask kClassify = Bit(Command::kClassify);
constexpr CommandMask kTokenize = Bit(Command::kTokenize);
constexpr CommandMask kHealth = Bit(Command::kHealth);
constexpr CommandMask kBench = Bit(Command::kBench);
constexpr CommandMask kTextCommands = kEmbed | kClassify | kTokenize;
constexpr CommandMask kHttpCommands = kEmbed | kClassify | Bit(Command::kInfo) | kHealth;
constexpr absl::string_view kHttpDefaultAddress = "localhost:8080";
constexpr CommandMask kAll = ~0u;

struct CommandName {
  Command command;
  absl::string_view name;
  absl::string_view help;
};
constexpr std::array<CommandName, 6> kCommands = {{
    {Command::kEmbed, "embed", "pooled embedding vectors of the texts"},
    {Command::kClassify, "classify", "class scores of the texts (or text pairs)"},
    {Command::kTokenize, "tokenize", "the model's tokens of the texts"},
    {Command::kInfo, "info", "the served model and the server's limits"},
    {Command::kHealth, "health", "the gRPC health status; exits 0 only when SERVING"},
    {Command::kBench, "bench", "load generator: throughput, latency percentiles, errors"},
}};

absl::string_view NameOf(Command command) {
  for (const CommandName& c : kCommands) {
    if (c.command == command) return c.name;
  }
  return "?";
}

absl::StatusOr<int64_t> ParseInt(absl::string_view option, absl::string_view value, int64_t min,
                                 int64_t max) {
  int64_t parsed = 0;
  if (!absl::SimpleAtoi(value, &parsed) || parsed < min || parsed > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", option, " '", value, "' must be an integer in [", min, ", ", max, "]"));
  }
  return parsed;
}

// "30", "2.5" (seconds) or an absl duration such as "90s", "2m", "500ms".
absl::StatusOr<absl::Duration> ParsePositiveDuration(absl::string_view option,
                                                     absl::string_view value) {
  absl::Duration parsed;
  double seconds = 0;
  if (absl::SimpleAtod(value, &seconds)) {
    parsed = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(value, &parsed)) {
    parsed = absl::ZeroDuration();
  }
  if (parsed <= absl::ZeroDuration() || parsed == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", option, " '", value, "' must be a positive duration: seconds or e.g. 90s, 2m"));
  }
  return parsed;
}

absl::Status BadChoice(absl::string_view option, absl::string_view value,
                       absl::string_view choices) {
  return absl::InvalidArgumentError(
      absl::StrCat("--", option, " '", value, "' must be one of ", choices));
}

absl::Status SetTruncationDirection(absl::string_view value, v1::Truncation& truncation) {
  const std::string lower = absl::AsciiStrToLower(value);
  if (lower == "right") {
    truncation.set_direction(v1::TRUNCATION_DIRECTION_RIGHT);
  } else if (lower == "left") {
    truncation.set_direction(v1::TRUNCATION_DIRECTION_LEFT);
  } else {
    return BadChoice("truncation-direction", value, "left, right");
  }
  return absl::OkStatus();
}

// Both options set one oneof of the request, where the later would silently win.
absl::Status PromptConflict() {
  return absl::InvalidArgumentError("--prompt-name and --prompt cannot be combined");
}

using ApplyFn = absl::Status (*)(absl::string_view value, CliOptions& options);

struct OptionSpec {
  absl::string_view section;
  absl::string_view name;        // without the leading "--"
  absl::string_view value_name;  // empty for a flag
  absl::string_view help;
  CommandMask commands;
  absl::string_view env;  // environment variable giving a default, or empty
  ApplyFn apply;
};

const std::array kOptions = {
    OptionSpec{"Connection and output", "address", "TARGET",
               "server host:port, or a gRPC target such as dns:///mbserve:50051 (spread over "
               "every address with round_robin); default localhost:50051",
               kAll, "MBSERVE_CLI_ADDRESS",
               [](absl::string_view v, CliOptions& o) {
                 o.connection.address = std::string(v);
                 return absl::OkStatus();
               }},
    OptionSpec{"Connection and output", "http", "",
               "call the HTTP routes (/embed, /predict, /info, /health) instead of gRPC; the "
               "address defaults to localhost:8080",
               kHttpCommands, "",
               [](absl::string_view, CliOptions& o) {
                 o.connection.http = true;
                 return absl::OkStatus();
               }},
    OptionSpec{"Connection and output", "tls", "", "use TLS with the system's root certificates",
               kAll, "",
               [](absl::string_view, CliOptions& o) {
                 o.connection.tls = true;
                 return absl::OkStatus();
               }},
    OptionSpec{"Connection and output", "ca-cert", "FILE",
               "PEM root certificates to verify the server with (implies --tls)", kAll,
               "MBSERVE_CLI_CA_CERT",
               [](absl::string_view v, CliOptions& o) {
                 o.connection.ca_cert_file = std::string(v);
                 o.connection.tls = true;
                 return absl::OkStatus();
               }},
    OptionSpec{"Connection and output", "tls-server-name", "NAME",
               "the name to check the server's certificate against", kAll,
               "MBSERVE_CLI_TLS_SERVER_NAME",
               [](absl::string_view v, CliOptions& o) {
                 o.connection.tls_server_name = std::string(v);
                 return absl::OkStatus();
               }},
    OptionSpec{"Connection and output", "api-key", "KEY",
               "sent as 'authorization: Bearer KEY' on every call", kAll, "MBSERVE_API_KEY",
               [](absl::string_view v, CliOptions& o) {
                 o.connection.api_key = std::string(v);
                 return absl::OkStatus();
               }},
    OptionSpec{"Connection and output", "timeout", "SECONDS",
               "deadline of each call (default 30)", kAll, "MBSERVE_CLI_TIMEOUT",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_ASSIGN_OR_RETURN(o.connection.timeout, ParsePositiveDuration("timeout", v));
                 return absl::OkStatus();
               }},
    OptionSpec{"Connection and output", "output", "json|table",
               "output format (default: table on a terminal, JSON otherwise)", kAll, "",
               [](absl::string_view v, CliOptions& o) {
                 if (v == "json") {
                   o.output = OutputFormat::kJson;
                 } else if (v == "table") {
                   o.output = OutputFormat::kTable;
                 } else {
                   return BadChoice("output", v, "json, table");
                 }
                 return absl::OkStatus();
               }},
    OptionSpec{"Input (embed, classify, tokenize)", "file", "FILE",
               "read texts from FILE, one per line ('-' is stdin); without texts or --file, "
               "stdin is read when it is not a terminal",
               kTextCommands, "",
               [](absl::string_view v, CliOptions& o) {
                 o.input.file = std::string(v);
                 return absl::OkStatus();
               }},
    OptionSpec{"embed (and bench --rpc embed)", "normalize", "", "L2-normalize (the default)",
               kEmbed | kBench, "",
               [](absl::string_view, CliOptions& o) {
                 o.embed.set_normalize(true);
                 return absl::OkStatus();
               }},
    OptionSpec{"embed (and bench --rpc embed)", "no-normalize", "", "return raw pooled vectors",
               kEmbed | kBench, "",
               [](absl::string_view, CliOptions& o) {
                 o.embed.set_normalize(false);
                 return absl::OkStatus();
               }},
    OptionSpec{"embed (and bench --rpc embed)", "dimensions", "N",
               "keep the first N components (Matryoshka)", kEmbed | kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_ASSIGN_OR_RETURN(
                     const int64_t n,
                     ParseInt("dimensions", v, 1, std::numeric_limits<uint32_t>::max()));
                 o.embed.set_dimensions(static_cast<uint32_t>(n));
                 return absl::OkStatus();
               }},
    OptionSpec{"embed (and bench --rpc embed)", "pooling", "cls|mean",
               "override the model's pooling", kEmbed | kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 if (v == "cls") {
                   o.embed.set_pooling(v1::POOLING_CLS);
                 } else if (v == "mean") {
                   o.embed.set_pooling(v1::POOLING_MEAN);
                 } else {
                   return BadChoice("pooling", v, "cls, mean");
                 }
                 return absl::OkStatus();
               }},
    OptionSpec{"embed (and bench --rpc embed)", "prompt-name", "NAME",
               "prepend the model's named prompt (see info)", kEmbed | kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 if (o.embed.has_prompt_text()) return PromptConflict();
                 o.embed.set_prompt_name(std::string(v));
                 return absl::OkStatus();
               }},
    OptionSpec{"embed (and bench --rpc embed)", "prompt", "TEXT",
               "prepend TEXT, e.g. 'search_query: '", kEmbed | kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 if (o.embed.has_prompt_name()) return PromptConflict();
                 o.embed.set_prompt_text(std::string(v));
                 return absl::OkStatus();
               }},
    OptionSpec{"embed, classify and bench", "truncate", "",
               "cut over-long inputs to the model's maximum instead of failing",
               kEmbed | kClassify | kBench, "",
               [](absl::string_view, CliOptions& o) {
                 o.embed.mutable_truncation()->set_enabled(true);
                 o.classify.mutable_truncation()->set_enabled(true);
                 return absl::OkStatus();
               }},
    OptionSpec{"embed, classify and bench", "no-truncate", "",
               "reject over-long inputs even if the server auto-truncates",
               kEmbed | kClassify | kBench, "",
               [](absl::string_view, CliOptions& o) {
                 o.embed.mutable_truncation()->set_enabled(false);
                 o.classify.mutable_truncation()->set_enabled(false);
                 return absl::OkStatus();
               }},
    OptionSpec{"embed, classify and bench", "truncation-direction", "left|right",
               "which end to cut (default right)", kEmbed | kClassify | kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_RETURN_IF_ERROR(SetTruncationDirection(v, *o.embed.mutable_truncation()));
                 return SetTruncationDirection(v, *o.classify.mutable_truncation());
               }},
    OptionSpec{"classify (and bench --rpc classify)", "pairs", "",
               "classify text pairs: arguments two by two, lines as FIRST<TAB>SECOND", kClassify,
               "",
               [](absl::string_view, CliOptions& o) {
                 o.input.pairs = true;
                 return absl::OkStatus();
               }},
    OptionSpec{"classify (and bench --rpc classify)", "raw-scores", "",
               "return logits instead of softmax/sigmoid scores", kClassify | kBench, "",
               [](absl::string_view, CliOptions& o) {
                 o.classify.set_raw_scores(true);
                 return absl::OkStatus();
               }},
    OptionSpec{"classify (and bench --rpc classify)", "top-k", "K",
               "only the K best classes of each input (default all)", kClassify | kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_ASSIGN_OR_RETURN(
                     const int64_t k, ParseInt("top-k", v, 1, std::numeric_limits<uint32_t>::max()));
                 o.classify.set_top_k(static_cast<uint32_t>(k));
                 return absl::OkStatus();
               }},
    OptionSpec{"tokenize", "no-special-tokens", "", "leave out [CLS] and [SEP]", kTokenize, "",
               [](absl::string_view, CliOptions& o) {
                 o.tokenize.set_add_special_tokens(false);
                 return absl::OkStatus();
               }},
    OptionSpec{"health", "service", "NAME",
               "a service's status, e.g. mbserve.v1.EmbedService (default: the server's)",
               kHealth, "",
               [](absl::string_view v, CliOptions& o) {
                 o.health.set_service(std::string(v));
                 return absl::OkStatus();
               }},
    OptionSpec{"bench", "rpc", "embed|classify", "the RPC to load (default embed)", kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 if (v == "embed") {
                   o.bench.rpc = BenchRpc::kEmbed;
                 } else if (v == "classify") {
                   o.bench.rpc = BenchRpc::kClassify;
                 } else {
                   return BadChoice("rpc", v, "embed, classify");
                 }
                 return absl::OkStatus();
               }},
    OptionSpec{"bench", "stream", "",
               "send over EmbedStream (bidirectional) instead of unary calls", kBench, "",
               [](absl::string_view, CliOptions& o) {
                 o.bench.stream = true;
                 return absl::OkStatus();
               }},
    OptionSpec{"bench", "concurrency", "N", "requests in flight (default 8)", kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_ASSIGN_OR_RETURN(o.bench.concurrency, ParseInt("concurrency", v, 1, 4096));
                 return absl::OkStatus();
               }},
    OptionSpec{"bench", "streams", "N",
               "with --stream: spread the concurrency over N streams (default 1)", kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_ASSIGN_OR_RETURN(o.bench.streams, ParseInt("streams", v, 1, 4096));
                 return absl::OkStatus();
               }},
    OptionSpec{"bench", "connections", "N",
               "separate HTTP/2 connections to spread requests over (default 1)", kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_ASSIGN_OR_RETURN(o.bench.connections, ParseInt("connections", v, 1, 256));
                 return absl::OkStatus();
               }},
    OptionSpec{"bench", "requests", "N",
               "stop after N requests (default 1000 when --duration is not given)", kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_ASSIGN_OR_RETURN(
                     o.bench.requests,
                     ParseInt("requests", v, 1, std::numeric_limits<int64_t>::max()));
                 return absl::OkStatus();
               }},
    OptionSpec{"bench", "duration", "SECONDS",
               "stop after this long (with --requests: whichever comes first)", kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_ASSIGN_OR_RETURN(o.bench.duration, ParsePositiveDuration("duration", v));
                 return absl::OkStatus();
               }},
    OptionSpec{"bench", "lengths", "SPEC",
               "input lengths in tokens: fixed:N, uniform:MIN:MAX, "
               "normal:MEAN:STDDEV[:MIN:MAX], or the paper's sets paper:short-fixed, "
               "paper:short-var, paper:long-fixed, paper:long-var (default paper:short-var)",
               kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_ASSIGN_OR_RETURN(o.bench.lengths, bench::LengthDistribution::Parse(v));
                 return absl::OkStatus();
               }},
    OptionSpec{"bench", "batch-size", "N", "inputs per request (default 1)", kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_ASSIGN_OR_RETURN(o.bench.batch_size, ParseInt("batch-size", v, 1, 65536));
                 return absl::OkStatus();
               }},
    OptionSpec{"bench", "warmup", "SECONDS",
               "send load this long first, left out of the report (default none)", kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_ASSIGN_OR_RETURN(o.bench.warmup, ParsePositiveDuration("warmup", v));
                 return absl::OkStatus();
               }},
    OptionSpec{"bench", "seed", "N", "seed of the lengths and texts (default 42)", kBench, "",
               [](absl::string_view v, CliOptions& o) {
                 MBSERVE_ASSIGN_OR_RETURN(
                     const int64_t seed, ParseInt("seed", v, 0, std::numeric_limits<int64_t>::max()));
                 o.bench.seed = static_cast<uint64_t>(seed);
                 return absl::OkStatus();
               }},
};

const OptionSpec* FindOption(absl::string_view name) {
  for (const OptionSpec& spec : kOptions) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string CommandList(CommandMask mask) {
  std::vector<absl::string_view> names;
  for (const CommandName& c : kCommands) {
    if (mask & Bit(c.command)) names.push_back(c.name);
  }
  return absl::StrJoin(names, ", ");
}

// "  --flag VALUE   help... [env NAME]" with the help wrapped in its own column, so the
// usage text fits a 100-column terminal.
void AppendWrapped(absl::string_view flag, absl::string_view help, absl::string_view env,
                   std::string& text) {
  constexpr size_t kFlagWidth = 30;
  constexpr size_t kHelpWidth = 66;
  const std::string indent(2 + kFlagWidth + 1, ' ');
  absl::StrAppendFormat(&text, "  %-*s", static_cast<int>(kFlagWidth), flag);
  text += flag.size() > kFlagWidth ? "\n" + indent : " ";
  std::vector<std::string> words = absl::StrSplit(help, ' ', absl::SkipEmpty());
  if (!env.empty()) words.push_back(absl::StrCat("[env ", env, "]"));  // kept on one line
  size_t column = 0;
  for (const std::string& word : words) {
    if (column > 0 && column + 1 + word.size() > kHelpWidth) {
      text += "\n" + indent;
      column = 0;
    } else if (column > 0) {
      text += ' ';
      ++column;
    }
    absl::StrAppend(&text, word);
    column += word.size();
  }
  text += '\n';
}

// Checks that hold across options, once all of them are known.
absl::Status Validate(CliOptions& options) {
  const bool takes_texts = (kTextCommands & Bit(options.command)) != 0;
  if (!takes_texts && !options.input.texts.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        NameOf(options.command), " takes no texts; got '", options.input.texts.front(), "'"));
  }
  if (options.input.pairs && options.input.texts.size() % 2 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--pairs takes texts two by two; got ", options.input.texts.size(), " texts"));
  }
  BenchOptions& bench = options.bench;
  if (options.command == Command::kBench) {
    if (bench.stream && bench.rpc != BenchRpc::kEmbed) {
      return absl::InvalidArgumentError("--stream needs --rpc embed: only Embed has a stream");
    }
    if (bench.streams != 1 && !bench.stream) {
      return absl::InvalidArgumentError("--streams needs --stream");
    }
    if (bench.streams > bench.concurrency) {
      return absl::InvalidArgumentError(absl::StrCat("--streams ", bench.streams,
                                                     " exceeds --concurrency ", bench.concurrency,
                                                     ": every stream needs a request in flight"));
    }
    if (!bench.requests && !bench.duration) bench.requests = 1000;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CliOptions> ParseArgs(std::span<const std::string> args, const EnvLookup& env) {
  CliOptions options;
  for (const OptionSpec& spec : kOptions) {
    if (spec.env.empty()) continue;
    if (std::optional<std::string> value = env(spec.env); value && !value->empty()) {
      if (absl::Status s = spec.apply(*value, options); !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("environment ", spec.env, ": ", s.message()));
      }
    }
  }

  std::optional<Command> command;
  std::set<const OptionSpec*> used;
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const absl::string_view arg = args[i];
    if (!options_ended && (arg == "-h" || arg == "--help")) {
      options.help = true;
      continue;
    }
    if (!options_ended && arg == "--") {
      options_ended = true;
      continue;
    }
    if (options_ended || !absl::StartsWith(arg, "--")) {
      if (command) {
        options.input.texts.emplace_back(arg);
        continue;
      }
      for (const CommandName& c : kCommands) {
        if (c.name == arg) command = c.command;
      }
      if (arg == "help") {
        options.help = true;
      } else if (!command) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown command '", arg, "'; expected one of ", CommandList(kAll), " (see --help)"));
      }
      continue;
    }
    absl::string_view name = arg.substr(2);
    std::optional<absl::string_view> value;
    if (const size_t eq = name.find('='); eq != absl::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const OptionSpec* spec = FindOption(name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown option --", name, " (see --help)"));
    }
    if (spec->value_name.empty() && value) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
    }
    if (!spec->value_name.empty() && !value) {
      if (i + 1 == args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value: ", spec->value_name));
      }
      value = args[++i];
    }
    MBSERVE_RETURN_IF_ERROR(spec->apply(value.value_or(""), options));
    used.insert(spec);
  }

  if (options.help) return options;
  if (!command) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing command: one of ", CommandList(kAll), " (see --help)"));
  }
  options.command = *command;
  for (const OptionSpec* spec : used) {
    if ((spec->commands & Bit(*command)) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("--", spec->name, " applies to ",
                                                     CommandList(spec->commands), ", not ",
                                                     NameOf(*command)));
    }
  }
  if (options.connection.http && !used.contains(FindOption("address")) &&
      env("MBSERVE_CLI_ADDRESS").value_or("").empty()) {
    options.connection.address = std::string(kHttpDefaultAddress);
  }
  MBSERVE_RETURN_IF_ERROR(Validate(options));
  return options;
}

std::string UsageText() {
  std::string text =
      "Usage: mbserve-cli <command> [options] [TEXT...]\n\n"
      "Talks to an mbserve server over gRPC (or HTTP with --http). Exit status: 0 success,\n"
      "1 the call failed (or health is not SERVING), 2 bad usage.\n\nCommands:\n";
  for (const CommandName& c : kCommands) {
    absl::StrAppendFormat(&text, "  %-10s %s\n", c.name, c.help);
  }
  absl::string_view section;
  for (const OptionSpec& spec : kOptions) {
    if (spec.section != section) {
      section = spec.section;
      absl::StrAppend(&text, "\n", section, ":\n");
    }
    const std::string flag = spec.value_name.empty()
                                 ? absl::StrCat("--", spec.name)
                                 : absl::StrCat("--", spec.name, " ", spec.value_name);
    AppendWrapped(flag, spec.help, spec.env, text);
  }
  return text;
}

}  // namespace mbserve::cli
