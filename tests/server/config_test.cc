#include "server/config.h"

#include <map>

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
  absl::StatusOr<ServerConfig> c = Parse({"--help"});
  ASSERT_TRUE(absl::IsNotFound(c.status()));
  const std::string help(c.status().message());
  for (const char* variable : {"MBSERVE_MODEL", "MBSERVE_MAX_BATCH_TOKENS",
                               "MBSERVE_MAX_CONCURRENT_REQUESTS", "MBSERVE_TLS_KEY",
                               "MBSERVE_METRICS_PORT"}) {
    EXPECT_NE(help.find(variable), std::string::npos) << variable;
  }
}

}  // namespace
}  // namespace mbserve::server
