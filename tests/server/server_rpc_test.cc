// Every RPC end to end through gRPC, and every kind of bad input.
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/server/server_harness.h"

namespace mbserve::server::testing {
namespace {

double Norm(const v1::Embedding& e) {
  double sum = 0;
  for (float v : e.values()) sum += static_cast<double>(v) * v;
  return std::sqrt(sum);
}

std::vector<float> Values(const v1::Embedding& e) { return {e.values().begin(), e.values().end()}; }

class EmbeddingServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = ServerHarness::StartShared(
        EmbeddingModelDir,
        [](ServerConfig& c) {
          c.max_client_batch_size = 8;
          c.max_input_length = 512;  // keeps the over-long inputs cheap
        },
        error_);
  }
  static void TearDownTestSuite() { delete harness_; }
  void SetUp() override { ASSERT_NE(harness_, nullptr) << error_; }

  v1::EmbedResponse Embed(const v1::EmbedRequest& request, grpc::Status* status_out = nullptr) {
    grpc::ClientContext context;
    v1::EmbedResponse response;
    grpc::Status status = harness_->embed().Embed(&context, request, &response);
    if (status_out != nullptr) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return response;
  }

  grpc::Status EmbedStatus(const v1::EmbedRequest& request) {
    grpc::Status status;
    Embed(request, &status);
    return status;
  }

  static ServerHarness* harness_;
  static std::string error_;
};
ServerHarness* EmbeddingServerTest::harness_ = nullptr;
std::string EmbeddingServerTest::error_;

TEST_F(EmbeddingServerTest, InfoDescribesTheModelAndLimits) {
  grpc::ClientContext context;
  v1::GetInfoResponse info;
  ASSERT_TRUE(harness_->info().GetInfo(&context, {}, &info).ok());
  const ModelConfig& model = harness_->engine().config();
  EXPECT_EQ(info.hidden_size(), static_cast<uint32_t>(model.hidden_size));
  EXPECT_EQ(info.num_layers(), static_cast<uint32_t>(model.num_layers));
  EXPECT_EQ(info.architecture(), model.architecture);
  EXPECT_GT(info.max_input_length(), 0u);
  EXPECT_NE(info.pooling(), v1::POOLING_UNSPECIFIED);
  EXPECT_EQ(info.device(), "cpu");
  EXPECT_EQ(info.dtype(), "float32");
  EXPECT_EQ(info.kernels(), harness_->engine().kernel_summary());
  EXPECT_THAT(info.kernels(), ::testing::StartsWith("cpu avx"));
  EXPECT_FALSE(info.version().empty());
  EXPECT_TRUE(info.labels().empty());
  EXPECT_EQ(info.limits().max_client_batch_size(), 8u);
  EXPECT_EQ(info.limits().max_batch_tokens(), 16384u);
}

TEST_F(EmbeddingServerTest, EmbedGivesUnitVectorsInInputOrderEqualToSingleCalls) {
  const std::vector<std::string> texts = {"hello world", "a", "the quick brown fox jumps",
                                          "ModernBERT serves embeddings"};
  const v1::EmbedResponse all = Embed(EmbedTexts(texts));
  ASSERT_EQ(all.embeddings_size(), 4);
  uint64_t tokens = 0;
  for (int i = 0; i < 4; ++i) {
    const v1::EmbedResponse one = Embed(EmbedTexts({texts[i]}));
    EXPECT_EQ(Values(all.embeddings(i)), Values(one.embeddings(0))) << texts[i];
    EXPECT_NEAR(Norm(all.embeddings(i)), 1.0, 1e-5);
    EXPECT_EQ(all.embeddings(i).values_size(), harness_->engine().config().hidden_size);
    EXPECT_EQ(all.embeddings(i).num_tokens(), harness_->Ids(texts[i]).size());
    EXPECT_FALSE(all.embeddings(i).truncated());
    tokens += all.embeddings(i).num_tokens();
  }
  EXPECT_EQ(all.usage().total_tokens(), tokens);
  EXPECT_GT(all.timing().total_us(), 0u);
  EXPECT_GE(all.timing().total_us(), all.timing().inference_us());
}

TEST_F(EmbeddingServerTest, TokenIdsEmbedLikeTheirText) {
  const v1::EmbedResponse text = Embed(EmbedTexts({"token ids in, vectors out"}));
  const v1::EmbedResponse ids = Embed(EmbedIds({harness_->Ids("token ids in, vectors out")}));
  EXPECT_EQ(Values(text.embeddings(0)), Values(ids.embeddings(0)));
}

TEST_F(EmbeddingServerTest, NormalizeFalseAndMatryoshkaDimensions) {
  v1::EmbedRequest request = EmbedTexts({"matryoshka dolls nest"});
  request.set_normalize(false);
  const std::vector<float> raw = Values(Embed(request).embeddings(0));
  const std::vector<float> unit =
      Values(Embed(EmbedTexts({"matryoshka dolls nest"})).embeddings(0));
  double norm = 0;
  for (float v : raw) norm += static_cast<double>(v) * v;
  norm = std::sqrt(norm);
  ASSERT_GT(norm, 0);
  for (size_t i = 0; i < raw.size(); ++i) EXPECT_NEAR(unit[i], raw[i] / norm, 1e-5);

  request.set_normalize(true);
  request.set_dimensions(8);
  const v1::Embedding small = Embed(request).embeddings(0);
  ASSERT_EQ(small.values_size(), 8);
  EXPECT_NEAR(Norm(small), 1.0, 1e-5);
  double head = 0;
  for (int i = 0; i < 8; ++i) head += static_cast<double>(raw[i]) * raw[i];
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(small.values(i), raw[i] / std::sqrt(head), 1e-5);
}

TEST_F(EmbeddingServerTest, PromptsArePrependedAndPoolingCanBeOverridden) {
  v1::EmbedRequest prompted = EmbedTexts({"what is rope?"});
  prompted.set_prompt_text("query: ");
  EXPECT_EQ(Values(Embed(prompted).embeddings(0)),
            Values(Embed(EmbedTexts({"query: what is rope?"})).embeddings(0)));

  v1::EmbedRequest named = EmbedTexts({"what is rope?"});
  named.set_prompt_name(harness_->server().model().prompts.begin()->first);
  EXPECT_EQ(Values(Embed(named).embeddings(0)),
            Values(Embed(EmbedTexts({harness_->server().model().prompts.begin()->second +
                                     "what is rope?"}))
                       .embeddings(0)));

  v1::EmbedRequest cls = EmbedTexts({"pool me", "a longer text to pool"});
  cls.set_pooling(v1::POOLING_CLS);
  v1::EmbedRequest mean = cls;
  mean.set_pooling(v1::POOLING_MEAN);
  EXPECT_NE(Values(Embed(cls).embeddings(1)), Values(Embed(mean).embeddings(1)));
}

TEST_F(EmbeddingServerTest, APromptWithoutRoomForTheInputIsRefusedOnce) {
  std::string prompt;
  for (int i = 0; i < 600; ++i) prompt += "word ";  // > max_input_length 512 tokens
  const size_t prompt_tokens = harness_->Ids(prompt).size();
  v1::EmbedRequest request = EmbedTexts({"one", "two", "three"});
  request.set_prompt_text(prompt);
  const std::string expected =
      absl::StrCat("the prompt has ", prompt_tokens,
                   " tokens with the special tokens but the maximum input length is 512, which "
                   "leaves no room for an input");
  grpc::Status status = EmbedStatus(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), expected);
  // Truncation would cut the inputs away (or the prompt): refused the same.
  request.mutable_truncation()->set_enabled(true);
  status = EmbedStatus(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), expected);
}

TEST_F(EmbeddingServerTest, TruncationCutsTheChosenSideOrTheCallFails) {
  const int max = static_cast<int>(harness_->server().model().max_input_length);
  std::vector<int32_t> ids;
  for (int i = 0; i < max + 5; ++i) ids.push_back(100 + i % 50);
  v1::EmbedRequest request = EmbedIds({ids});
  const grpc::Status refused = EmbedStatus(request);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find(absl::StrCat("inputs[0] has ", max + 5, " tokens")),
            std::string::npos)
      << refused.error_message();
  EXPECT_NE(refused.error_message().find(absl::StrCat("maximum input length is ", max)),
            std::string::npos);

  request.mutable_truncation()->set_enabled(true);
  const v1::Embedding right = Embed(request).embeddings(0);
  EXPECT_TRUE(right.truncated());
  EXPECT_EQ(right.num_tokens(), static_cast<uint32_t>(max));
  EXPECT_EQ(Values(right),
            Values(Embed(EmbedIds({{ids.begin(), ids.begin() + max}})).embeddings(0)));
  request.mutable_truncation()->set_direction(v1::TRUNCATION_DIRECTION_LEFT);
  EXPECT_EQ(Values(Embed(request).embeddings(0)),
            Values(Embed(EmbedIds({{ids.end() - max, ids.end()}})).embeddings(0)));

  std::string long_text;
  for (int i = 0; i < max; ++i) long_text += "word ";
  v1::EmbedRequest text_request = EmbedTexts({long_text});
  text_request.mutable_truncation()->set_enabled(true);
  const v1::Embedding cut = Embed(text_request).embeddings(0);
  EXPECT_TRUE(cut.truncated());
  EXPECT_EQ(cut.num_tokens(), static_cast<uint32_t>(max));
}

struct BadInput {
  const char* name;
  std::function<void(v1::EmbedRequest&)> make;
  grpc::StatusCode code;
  std::vector<std::string> message_parts;
};

TEST_F(EmbeddingServerTest, BadInputsGetTheirStatusAndAPreciseMessage) {
  const int hidden = harness_->engine().config().hidden_size;
  const int vocab = harness_->server().model().vocab_size;
  const std::vector<BadInput> cases = {
      {"no inputs",
       [](v1::EmbedRequest&) {},
       grpc::StatusCode::INVALID_ARGUMENT,
       {"inputs is empty"}},
      {"empty text",
       [](v1::EmbedRequest& r) {
         r = EmbedTexts({"fine", ""});
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"inputs[1].text is empty"}},
      {"invalid UTF-8",
       [](v1::EmbedRequest& r) {
         r = EmbedTexts({"ok", "bad \xff\xfe byte"});
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"inputs[1]", "UTF-8"}},
      {"too many inputs",
       [](v1::EmbedRequest& r) { r = EmbedTexts(std::vector<std::string>(9, "x")); },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"9 entries", "--max-client-batch-size is 8"}},
      {"dimensions 0",
       [](v1::EmbedRequest& r) {
         r = EmbedTexts({"x"});
         r.set_dimensions(0);
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"dimensions is 0", "hidden size"}},
      {"dimensions too large",
       [hidden](v1::EmbedRequest& r) {
         r = EmbedTexts({"x"});
         r.set_dimensions(hidden + 1);
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {absl::StrCat("dimensions is ", hidden + 1), absl::StrCat("hidden size ", hidden)}},
      {"unknown prompt",
       [](v1::EmbedRequest& r) {
         r = EmbedTexts({"x"});
         r.set_prompt_name("no-such-prompt");
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"prompt_name \"no-such-prompt\""}},
      {"id outside the vocabulary",
       [vocab](v1::EmbedRequest& r) {
         r = EmbedIds({{1, vocab}});
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"inputs[0].token_ids[1]", absl::StrCat("vocabulary size ", vocab)}},
      {"prompt with token ids",
       [](v1::EmbedRequest& r) {
         r = EmbedIds({{1, 2}});
         r.set_prompt_text("q: ");
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"inputs[0] is token_ids"}},
      {"input without content",
       [](v1::EmbedRequest& r) {
         r = EmbedTexts({"x"});
         r.add_inputs();
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"inputs[1] has neither"}},
  };
  for (const BadInput& bad : cases) {
    v1::EmbedRequest request;
    bad.make(request);
    const grpc::Status status = EmbedStatus(request);
    EXPECT_EQ(status.error_code(), bad.code) << bad.name << ": " << status.error_message();
    for (const std::string& part : bad.message_parts) {
      EXPECT_NE(status.error_message().find(part), std::string::npos)
          << bad.name << ": \"" << status.error_message() << "\" lacks \"" << part << "\"";
    }
  }
  // None of it disturbed the server.
  EXPECT_EQ(Embed(EmbedTexts({"still fine"})).embeddings_size(), 1);
  EXPECT_GE(harness_->MetricSum("mbserve_requests_total",
                                {{"rpc", "Embed"}, {"code", "INVALID_ARGUMENT"}}),
            static_cast<double>(cases.size()));
}

TEST_F(EmbeddingServerTest, EmbedStreamAnswersEveryIdAndReportsErrorsInline) {
  grpc::ClientContext context;
  auto stream = harness_->embed().EmbedStream(&context);
  for (int i = 0; i < 6; ++i) {
    v1::EmbedStreamRequest message;
    message.set_id(absl::StrCat("req-", i));
    *message.mutable_request() = EmbedTexts({i == 3 ? "" : absl::StrCat("stream text ", i)});
    ASSERT_TRUE(stream->Write(message));
  }
  stream->WritesDone();
  std::map<std::string, v1::EmbedStreamResponse> answers;
  v1::EmbedStreamResponse response;
  while (stream->Read(&response)) {
    EXPECT_FALSE(answers.contains(response.id())) << "duplicate " << response.id();
    answers[response.id()] = response;
  }
  EXPECT_TRUE(stream->Finish().ok());
  ASSERT_EQ(answers.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    const v1::EmbedStreamResponse& answer = answers[absl::StrCat("req-", i)];
    if (i == 3) {
      EXPECT_EQ(answer.error().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
      EXPECT_NE(answer.error().message().find("inputs[0].text is empty"), std::string::npos);
    } else {
      ASSERT_TRUE(answer.has_response());
      EXPECT_EQ(Values(answer.response().embeddings(0)),
                Values(Embed(EmbedTexts({absl::StrCat("stream text ", i)})).embeddings(0)));
    }
  }
}

TEST_F(EmbeddingServerTest, ClassifyWithoutAHeadIsAFailedPrecondition) {
  grpc::ClientContext context;
  v1::ClassifyRequest request;
  request.add_inputs()->set_text("x");
  v1::ClassifyResponse response;
  const grpc::Status status = harness_->classify().Classify(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("no classification head"), std::string::npos);
}

// Tokenize with a prompt gives the tokens Embed runs with it: the prompt's
// first, offsets counted from the prompt's first byte.
TEST_F(EmbeddingServerTest, TokenizeWithAPromptGivesTheTokensEmbedRuns) {
  const auto& [name, prompt] = *harness_->server().model().prompts.begin();
  v1::TokenizeRequest request;
  request.add_texts("Hello world!");
  request.set_prompt_name(name);
  v1::TokenizeResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(harness_->tokenize().Tokenize(&context, request, &response).ok());
  const std::vector<int32_t> ids = harness_->Ids(prompt + "Hello world!");
  const v1::Tokenization& tokens = response.results(0);
  ASSERT_EQ(tokens.tokens_size(), static_cast<int>(ids.size()));
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(tokens.tokens(i).id(), static_cast<uint32_t>(ids[i]));
  }
  EXPECT_EQ(tokens.tokens(1).start(), 0u);
  EXPECT_EQ(tokens.tokens(tokens.tokens_size() - 2).end(), prompt.size() + 12);
  v1::EmbedRequest embed = EmbedTexts({"Hello world!"});
  embed.set_prompt_name(name);
  EXPECT_EQ(Embed(embed).usage().total_tokens(), ids.size());

  // An unknown name is refused with Embed's error.
  request.set_prompt_name("no such prompt");
  embed.set_prompt_name("no such prompt");
  grpc::ClientContext unknown;
  const grpc::Status status = harness_->tokenize().Tokenize(&unknown, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), EmbedStatus(embed).error_message());
  EXPECT_NE(status.error_message().find("prompt_name \"no such prompt\""), std::string::npos);
}

TEST_F(EmbeddingServerTest, TokenizeAndDetokenize) {
  grpc::ClientContext context;
  v1::TokenizeRequest request;
  request.add_texts("Hello world!");
  request.add_texts("second");
  v1::TokenizeResponse response;
  ASSERT_TRUE(harness_->tokenize().Tokenize(&context, request, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  const std::vector<int32_t> ids = harness_->Ids("Hello world!");
  const v1::Tokenization& first = response.results(0);
  ASSERT_EQ(first.tokens_size(), static_cast<int>(ids.size()));
  for (size_t i = 0; i < ids.size(); ++i)
    EXPECT_EQ(first.tokens(i).id(), static_cast<uint32_t>(ids[i]));
  EXPECT_TRUE(first.tokens(0).special());
  EXPECT_TRUE(first.tokens(first.tokens_size() - 1).special());
  EXPECT_FALSE(first.tokens(1).special());
  EXPECT_EQ(first.tokens(1).start(), 0u);
  EXPECT_GT(first.tokens(1).end(), 0u);

  request.set_add_special_tokens(false);
  grpc::ClientContext context2;
  ASSERT_TRUE(harness_->tokenize().Tokenize(&context2, request, &response).ok());
  EXPECT_EQ(response.results(0).tokens_size(), static_cast<int>(ids.size()) - 2);

  grpc::ClientContext context3;
  v1::DetokenizeRequest detokenize;
  for (int32_t id : ids) detokenize.add_ids(id);
  v1::DetokenizeResponse text;
  ASSERT_TRUE(harness_->tokenize().Detokenize(&context3, detokenize, &text).ok());
  EXPECT_EQ(text.text(), "Hello world!");

  grpc::ClientContext context4;
  detokenize.add_ids(harness_->server().model().vocab_size + 7);
  const grpc::Status bad = harness_->tokenize().Detokenize(&context4, detokenize, &text);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find(absl::StrCat("ids[", ids.size(), "]")), std::string::npos);
}

TEST_F(EmbeddingServerTest, HealthIsServingPerServiceButClassifyWithoutAHead) {
  const std::vector<std::pair<std::string, bool>> services = {
      {"", true},
      {"mbserve.v1.EmbedService", true},
      {"mbserve.v1.TokenizeService", true},
      {"mbserve.v1.InfoService", true},
      {"mbserve.v1.ClassifyService", false}};
  for (const auto& [service, serving] : services) {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    ASSERT_TRUE(harness_->health().Check(&context, request, &response).ok()) << service;
    EXPECT_EQ(response.status(), serving ? grpc::health::v1::HealthCheckResponse::SERVING
                                         : grpc::health::v1::HealthCheckResponse::NOT_SERVING)
        << service;
  }
}

TEST_F(EmbeddingServerTest, MetricsCountCallsTokensAndBatches) {
  const double calls =
      harness_->MetricSum("mbserve_requests_total", {{"rpc", "Embed"}, {"code", "OK"}});
  const double tokens = harness_->MetricSum("mbserve_tokens_total", {{"rpc", "Embed"}});
  const v1::EmbedResponse response = Embed(EmbedTexts({"count me", "and me"}));
  EXPECT_EQ(harness_->MetricSum("mbserve_requests_total", {{"rpc", "Embed"}, {"code", "OK"}}),
            calls + 1);
  EXPECT_EQ(harness_->MetricSum("mbserve_tokens_total", {{"rpc", "Embed"}}),
            tokens + static_cast<double>(response.usage().total_tokens()));
  EXPECT_GT(harness_->MetricSum("mbserve_batch_tokens"), 0);
  EXPECT_GT(harness_->MetricSum("mbserve_tokens_per_second"), 0);
  EXPECT_EQ(harness_->MetricSum("mbserve_in_flight_requests"), 0);
  EXPECT_EQ(harness_->MetricSum("mbserve_model_info", {{"device", "cpu"}}), 1);
}

class ClassifierServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = ServerHarness::StartShared(ClassifierModelDir, {}, error_);
  }
  static void TearDownTestSuite() { delete harness_; }
  void SetUp() override { ASSERT_NE(harness_, nullptr) << error_; }
  static ServerHarness* harness_;
  static std::string error_;
};
ServerHarness* ClassifierServerTest::harness_ = nullptr;
std::string ClassifierServerTest::error_;

TEST_F(ClassifierServerTest, ScoresAreSoftmaxOrRawAndSortedWithLabels) {
  const std::vector<std::string>& labels = harness_->server().model().labels;
  ASSERT_GE(labels.size(), 2u);
  v1::ClassifyRequest request;
  request.add_inputs()->set_text("this movie was great");
  auto* pair = request.add_inputs()->mutable_pair();
  pair->set_first("what is rope?");
  pair->set_second("rotary position embeddings");
  v1::ClassifyResponse probabilities;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(harness_->classify().Classify(&context, request, &probabilities).ok());
  }
  ASSERT_EQ(probabilities.results_size(), 2);
  for (const v1::Classification& result : probabilities.results()) {
    ASSERT_EQ(result.scores_size(), static_cast<int>(labels.size()));
    double sum = 0;
    for (int i = 0; i < result.scores_size(); ++i) {
      sum += result.scores(i).score();
      EXPECT_EQ(result.scores(i).label(), labels[result.scores(i).index()]);
      if (i > 0) {
        EXPECT_GE(result.scores(i - 1).score(), result.scores(i).score());
      }
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }

  request.set_raw_scores(true);
  v1::ClassifyResponse raw;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(harness_->classify().Classify(&context, request, &raw).ok());
  }
  for (int r = 0; r < 2; ++r) {
    std::map<uint32_t, double> logits;
    double denominator = 0;
    for (const v1::ClassScore& score : raw.results(r).scores()) {
      logits[score.index()] = score.score();
      denominator += std::exp(static_cast<double>(score.score()));
    }
    for (const v1::ClassScore& p : probabilities.results(r).scores()) {
      EXPECT_NEAR(p.score(), std::exp(logits.at(p.index())) / denominator, 1e-5);
    }
  }

  request.set_top_k(1);
  v1::ClassifyResponse top;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(harness_->classify().Classify(&context, request, &top).ok());
  }
  for (int r = 0; r < 2; ++r) {
    ASSERT_EQ(top.results(r).scores_size(), 1);
    EXPECT_EQ(top.results(r).scores(0).index(), probabilities.results(r).scores(0).index());
  }
}

TEST_F(ClassifierServerTest, PairsAreEncodedTogetherAndEmptyHalvesAreRejected) {
  v1::ClassifyRequest request;
  auto* pair = request.add_inputs()->mutable_pair();
  pair->set_first("query");
  pair->set_second("");
  v1::ClassifyResponse response;
  grpc::ClientContext context;
  const grpc::Status status = harness_->classify().Classify(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("inputs[0].pair.second is empty"), std::string::npos);
}

TEST_F(ClassifierServerTest, HealthOfClassifyIsServing) {
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("mbserve.v1.ClassifyService");
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(harness_->health().Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace mbserve::server::testing
