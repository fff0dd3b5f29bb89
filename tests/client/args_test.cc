#include "client/cli/args.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mbserve::cli {
namespace {

using ::testing::HasSubstr;

EnvLookup Env(std::map<std::string, std::string> vars = {}) {
  return [vars](absl::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

absl::StatusOr<CliOptions> Parse(std::vector<std::string> args, EnvLookup env = Env()) {
  return ParseArgs(args, env);
}

TEST(ArgsTest, EmbedTakesTextsAndRequestOptions) {
  absl::StatusOr<CliOptions> o =
      Parse({"embed", "hello", "--dimensions", "256", "--no-normalize", "world",
             "--truncation-direction=left", "--prompt-name", "query"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command, Command::kEmbed);
  EXPECT_THAT(o->input.texts, ::testing::ElementsAre("hello", "world"));
  EXPECT_EQ(o->embed.dimensions(), 256u);
  ASSERT_TRUE(o->embed.has_normalize());
  EXPECT_FALSE(o->embed.normalize());
  EXPECT_EQ(o->embed.truncation().direction(), v1::TRUNCATION_DIRECTION_LEFT);
  EXPECT_FALSE(o->embed.truncation().has_enabled());  // left to the server
  EXPECT_EQ(o->embed.prompt_name(), "query");
  EXPECT_EQ(o->embed.inputs_size(), 0);  // the command adds them
}

TEST(ArgsTest, UnsetOptionsStayUnsetSoTheServerDecides) {
  absl::StatusOr<CliOptions> o = Parse({"embed", "x"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->embed.has_normalize());
  EXPECT_FALSE(o->embed.has_dimensions());
  EXPECT_FALSE(o->embed.has_truncation());
  EXPECT_EQ(o->output, OutputFormat::kAuto);
  EXPECT_EQ(o->connection.address, "localhost:50051");
}

TEST(ArgsTest, GlobalOptionsMayPrecedeTheCommand) {
  absl::StatusOr<CliOptions> o =
      Parse({"--address", "dns:///mbserve:50051", "--output", "json", "info"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command, Command::kInfo);
  EXPECT_EQ(o->connection.address, "dns:///mbserve:50051");
  EXPECT_EQ(o->output, OutputFormat::kJson);
}

TEST(ArgsTest, EnvironmentGivesDefaultsThatArgumentsOverride) {
  const EnvLookup env = Env({{"MBSERVE_CLI_ADDRESS", "envhost:1"}, {"MBSERVE_API_KEY", "secret"}});
  absl::StatusOr<CliOptions> from_env = Parse({"health"}, env);
  ASSERT_TRUE(from_env.ok()) << from_env.status();
  EXPECT_EQ(from_env->connection.address, "envhost:1");
  EXPECT_EQ(from_env->connection.api_key, "secret");
  absl::StatusOr<CliOptions> overridden = Parse({"health", "--address", "arghost:2"}, env);
  ASSERT_TRUE(overridden.ok()) << overridden.status();
  EXPECT_EQ(overridden->connection.address, "arghost:2");
}

TEST(ArgsTest, EmptyEnvironmentVariableCountsAsUnset) {
  absl::StatusOr<CliOptions> o = Parse({"health"}, Env({{"MBSERVE_CLI_ADDRESS", ""}}));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->connection.address, "localhost:50051");
}

TEST(ArgsTest, BadEnvironmentValueNamesTheVariable) {
  absl::StatusOr<CliOptions> o = Parse({"health"}, Env({{"MBSERVE_CLI_TIMEOUT", "soon"}}));
  EXPECT_THAT(o.status().message(),
              HasSubstr("environment MBSERVE_CLI_TIMEOUT: --timeout 'soon' must be"));
}

TEST(ArgsTest, CaCertImpliesTls) {
  absl::StatusOr<CliOptions> o = Parse({"info", "--ca-cert", "/tmp/ca.pem"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->connection.tls);
  EXPECT_EQ(o->connection.ca_cert_file, "/tmp/ca.pem");
}

TEST(ArgsTest, TimeoutAcceptsSecondsAndDurations) {
  absl::StatusOr<CliOptions> seconds = Parse({"info", "--timeout", "2.5"});
  ASSERT_TRUE(seconds.ok()) << seconds.status();
  EXPECT_EQ(seconds->connection.timeout, absl::Milliseconds(2500));
  absl::StatusOr<CliOptions> duration = Parse({"info", "--timeout=500ms"});
  ASSERT_TRUE(duration.ok()) << duration.status();
  EXPECT_EQ(duration->connection.timeout, absl::Milliseconds(500));
  absl::StatusOr<CliOptions> zero = Parse({"info", "--timeout", "0"});
  EXPECT_THAT(zero.status().message(), HasSubstr("--timeout '0' must be a positive duration"));
}

TEST(ArgsTest, ClassifyPairsNeedAnEvenNumberOfTexts) {
  absl::StatusOr<CliOptions> ok = Parse({"classify", "--pairs", "q", "d", "--top-k", "2"});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE(ok->input.pairs);
  EXPECT_EQ(ok->classify.top_k(), 2u);
  absl::StatusOr<CliOptions> odd = Parse({"classify", "--pairs", "q", "d", "q2"});
  EXPECT_THAT(odd.status().message(), HasSubstr("--pairs takes texts two by two; got 3"));
}

TEST(ArgsTest, TruncateAppliesToEmbedAndClassifyTemplates) {
  absl::StatusOr<CliOptions> o = Parse({"bench", "--truncate"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->embed.truncation().enabled());
  EXPECT_TRUE(o->classify.truncation().enabled());
}

TEST(ArgsTest, BenchDefaultsToOneThousandRequests) {
  absl::StatusOr<CliOptions> o = Parse({"bench"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->bench.requests, 1000);
  EXPECT_FALSE(o->bench.duration.has_value());
  EXPECT_EQ(o->bench.lengths.ToString(), "normal:256:64:32:512");
}

TEST(ArgsTest, BenchDurationAloneIsNotCappedByACount) {
  absl::StatusOr<CliOptions> o =
      Parse({"bench", "--duration", "90s", "--concurrency", "32", "--stream", "--streams", "4",
             "--lengths", "paper:long-fixed", "--batch-size", "8", "--connections", "2"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->bench.requests.has_value());
  EXPECT_EQ(o->bench.duration, absl::Seconds(90));
  EXPECT_EQ(o->bench.concurrency, 32);
  EXPECT_TRUE(o->bench.stream);
  EXPECT_EQ(o->bench.streams, 4);
  EXPECT_EQ(o->bench.connections, 2);
  EXPECT_EQ(o->bench.batch_size, 8);
  EXPECT_EQ(o->bench.lengths.ToString(), "fixed:8192");
  EXPECT_EQ(o->bench.warmup, absl::ZeroDuration());
}

TEST(ArgsTest, BenchWarmupIsAPositiveDuration) {
  absl::StatusOr<CliOptions> o = Parse({"bench", "--warmup", "5s"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->bench.warmup, absl::Seconds(5));
  EXPECT_THAT(Parse({"bench", "--warmup", "-1"}).status().message(),
              HasSubstr("--warmup '-1' must be a positive duration"));
}

TEST(ArgsTest, ErrorsNameTheOptionAndWhatItAccepts) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{}, "missing command"},
      {{"embedd"}, "unknown command 'embedd'"},
      {{"embed", "--frobnicate"}, "unknown option --frobnicate"},
      {{"embed", "--dimensions"}, "--dimensions needs a value: N"},
      {{"embed", "--dimensions", "0"}, "--dimensions '0' must be an integer in [1, 4294967295]"},
      {{"embed", "--tls=yes"}, "--tls takes no value"},
      {{"embed", "--pooling", "max"}, "--pooling 'max' must be one of cls, mean"},
      {{"embed", "--output", "yaml"}, "--output 'yaml' must be one of json, table"},
      {{"info", "--top-k", "3"}, "--top-k applies to classify, bench, not info"},
      {{"info", "stray"}, "info takes no texts; got 'stray'"},
      {{"embed", "--prompt-name", "q", "--prompt", "p: "}, "--prompt-name and --prompt"},
      {{"bench", "--rpc", "classify", "--stream"}, "--stream needs --rpc embed"},
      {{"bench", "--stream", "--streams", "9", "--concurrency", "8"},
       "--streams 9 exceeds --concurrency 8"},
      {{"bench", "--streams", "2"}, "--streams needs --stream"},
      {{"bench", "--concurrency", "0"}, "--concurrency '0' must be an integer in [1, 4096]"},
      {{"bench", "--lengths", "zipf:3"}, "--lengths 'zipf:3' is not one of"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CliOptions> o = Parse(c.args);
    ASSERT_FALSE(o.ok()) << absl::StrJoin(c.args, " ");
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(o.status().message(), HasSubstr(c.message)) << absl::StrJoin(c.args, " ");
  }
}

TEST(ArgsTest, DoubleDashEndsOptions) {
  absl::StatusOr<CliOptions> o = Parse({"tokenize", "--", "--not-an-option", "-h"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_THAT(o->input.texts, ::testing::ElementsAre("--not-an-option", "-h"));
}

TEST(ArgsTest, HelpNeedsNoCommand) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}, {"embed", "-h"}}) {
    absl::StatusOr<CliOptions> o = Parse(args);
    ASSERT_TRUE(o.ok()) << o.status();
    EXPECT_TRUE(o->help);
  }
}

TEST(ArgsTest, UsageListsEveryCommandAndFitsATerminal) {
  const std::string usage = UsageText();
  for (const char* command : {"embed", "classify", "tokenize", "info", "health", "bench"}) {
    EXPECT_THAT(usage, HasSubstr(absl::StrCat("  ", command, " ")));
  }
  EXPECT_THAT(usage, HasSubstr("[env MBSERVE_API_KEY]"));
  for (absl::string_view line : absl::StrSplit(usage, '\n')) {
    EXPECT_LE(line.size(), 100u) << line;
  }
}

TEST(ArgsTest, HttpDefaultsToTheHttpPortUnlessAnAddressIsGiven) {
  absl::StatusOr<CliOptions> options = Parse({"info", "--http"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->connection.http);
  EXPECT_EQ(options->connection.address, "localhost:8080");

  options = Parse({"info", "--http", "--address", "localhost:50051"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->connection.address, "localhost:50051");

  options = Parse({"health", "--http"}, Env({{"MBSERVE_CLI_ADDRESS", "mbserve:9999"}}));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->connection.address, "mbserve:9999");

  options = Parse({"info"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_FALSE(options->connection.http);
  EXPECT_EQ(options->connection.address, "localhost:50051");
}

TEST(ArgsTest, HttpAppliesOnlyToCommandsWithAnHttpRoute) {
  absl::StatusOr<CliOptions> options = Parse({"tokenize", "--http", "hi"});
  ASSERT_FALSE(options.ok());
  EXPECT_THAT(options.status().message(), HasSubstr("--http applies to"));
}

}  // namespace
}  // namespace mbserve::cli
