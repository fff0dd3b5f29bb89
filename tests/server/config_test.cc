#include "server/config.h"

#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace mbserve::server {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

absl::StatusOr<ServerConfig> Parse(std::vector<std::string> args,
                                   std::map<std::string, std::string> env = {}) {
  return ParseConfig(args, Env(std::move(env)));
}

TEST(ConfigTest, DefaultsAndFlagForms) {
  absl::StatusOr<ServerConfig> c =
      Parse({"--model=/m", "--port", "0", "--max-batch-delay=500us", "--auto-truncate",
             "--pooling=mean", "--device=cuda:1", "--dtype", "bfloat16"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->model_dir, "/m");
  EXPECT_EQ(c->port, 0);
  EXPECT_EQ(c->max_batch_delay, absl::Microseconds(500));
  EXPECT_TRUE(c->auto_truncate);
  EXPECT_EQ(c->pooling, Pooling::kMean);
  EXPECT_EQ(c->device, (Device{DeviceType::kCuda, 1}));
  EXPECT_EQ(c->dtype, DType::kBF16);
  EXPECT_EQ(c->max_batch_tokens, 16384);
  EXPECT_GE(c->tokenization_workers, 1);
}

TEST(ConfigTest, EnvironmentFillsInAndFlagsWin) {
  absl::StatusOr<ServerConfig> c =
      Parse({"--max-batch-tokens=999"}, {{"MBSERVE_MODEL", "/env"},
                                         {"MBSERVE_MAX_BATCH_TOKENS", "5"},
                                         {"MBSERVE_API_KEY", "k"},
                                         {"MBSERVE_SHUTDOWN_TIMEOUT", "3s"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->model_dir, "/env");
  EXPECT_EQ(c->max_batch_tokens, 999);
  EXPECT_EQ(c->api_key, "k");
  EXPECT_EQ(c->shutdown_timeout, absl::Seconds(3));
}

TEST(ConfigTest, ErrorsNameTheFlagAndTheExpectation) {
  absl::StatusOr<ServerConfig> c = Parse({"--model=/m", "--max-batch-tokens=0"});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("--max-batch-tokens (MBSERVE_MAX_BATCH_TOKENS)"),
            std::string::npos)
      << c.status();
  EXPECT_NE(c.status().message().find("[1,"), std::string::npos);

  c = Parse({"--model=/m"}, {{"MBSERVE_DEVICE", "tpu"}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("MBSERVE_DEVICE"), std::string::npos);

  EXPECT_FALSE(Parse({"--model=/m", "--no-such-flag=1"}).ok());
  EXPECT_FALSE(Parse({"--model=/m", "--port"}).ok());
  EXPECT_FALSE(Parse({"--model=/m", "--log-format=xml"}).ok());
  EXPECT_FALSE(Parse({"--model=/m", "--tls-cert=a"}).ok()) << "cert without key";
  EXPECT_FALSE(Parse({"--model=/m", "--default-prompt=x", "--default-prompt-name=y"}).ok());
  c = Parse({});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("--model"), std::string::npos);
}

TEST(ConfigTest, HelpListsEveryFlagWithItsVariable) {
  EXPECT_TRUE(HelpRequested(std::vector<std::string>{"--model=/m", "--help"}));
  EXPECT_TRUE(HelpRequested(std::vector<std::string>{"-h"}));
  EXPECT_FALSE(HelpRequested(std::vector<std::string>{"--model=/m"}));
  const std::string help = ConfigHelp();
  for (const char* variable :
       {"MBSERVE_MODEL", "MBSERVE_MAX_BATCH_TOKENS", "MBSERVE_MAX_CONCURRENT_REQUESTS",
        "MBSERVE_TLS_KEY", "MBSERVE_METRICS_PORT"}) {
    EXPECT_NE(help.find(variable), std::string::npos) << variable;
  }
  const ServerConfig defaults;
  EXPECT_NE(help.find(absl::StrCat("--max-batch-tokens  (env MBSERVE_MAX_BATCH_TOKENS, default ",
                                   defaults.max_batch_tokens, ")")),
            std::string::npos)
      << help;
}

// README.md's flag table is FlagTableMarkdown(), so it shows the defaults of
// ServerConfig and the flags' own help.
TEST(ConfigTest, ReadmeFlagTableMatchesTheFlags) {
  std::ifstream in(std::string(MBSERVE_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in) << "cannot read README.md";
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  constexpr std::string_view kBegin = "<!-- flags:begin (generated: FlagTableMarkdown) -->\n";
  constexpr std::string_view kEnd = "<!-- flags:end -->";
  const size_t begin = readme.find(kBegin);
  const size_t end = readme.find(kEnd);
  ASSERT_NE(begin, std::string::npos) << "README.md lacks " << kBegin;
  ASSERT_NE(end, std::string::npos) << "README.md lacks " << kEnd;
  const size_t table = begin + kBegin.size();
  ASSERT_LT(table, end);
  EXPECT_EQ(readme.substr(table, end - table), FlagTableMarkdown())
      << "replace README.md's flag table with the text above";
}

}  // namespace
}  // namespace mbserve::server
