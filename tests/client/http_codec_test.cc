// The CLI's translation to and from the TEI-compatible HTTP routes. The
// bodies built here are the shapes server/http/tei_codec.cc parses (its own
// tests cover that side); e2e_test.py runs both against a real server.
#include "client/cli/http_codec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mbserve::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;

TEST(HttpCodecTest, EmbedBodyCarriesEveryOptionTheRouteHas) {
  v1::EmbedRequest request;
  request.add_inputs()->set_text("a");
  request.add_inputs()->set_text("b");
  request.set_normalize(false);
  request.set_dimensions(64);
  request.set_prompt_name("query");
  request.mutable_truncation()->set_enabled(true);
  request.mutable_truncation()->set_direction(v1::TRUNCATION_DIRECTION_LEFT);
  absl::StatusOr<Json> body = TeiEmbedBody(request);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, Json::parse(R"({"inputs": ["a", "b"], "normalize": false, "dimensions": 64,
      "prompt_name": "query", "truncate": true, "truncation_direction": "left"})"));

  v1::EmbedRequest plain;
  plain.add_inputs()->set_text("a");
  EXPECT_EQ(*TeiEmbedBody(plain), Json::parse(R"({"inputs": ["a"]})"));
}

TEST(HttpCodecTest, EmbedOptionsWithoutAnHttpFieldAreRejectedByName) {
  v1::EmbedRequest pooled;
  pooled.set_pooling(v1::POOLING_CLS);
  EXPECT_THAT(TeiEmbedBody(pooled).status().message(), HasSubstr("--pooling has no field"));
  v1::EmbedRequest prompted;
  prompted.set_prompt_text("query: ");
  EXPECT_THAT(TeiEmbedBody(prompted).status().message(), HasSubstr("--prompt-text has no field"));
}

TEST(HttpCodecTest, EmbedAnswerBecomesEmbeddings) {
  absl::StatusOr<v1::EmbedResponse> response = EmbedFromTei(Json::parse("[[0.5, -1], [2, 0.25]]"));
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->embeddings_size(), 2);
  EXPECT_THAT(response->embeddings(0).values(), ElementsAre(0.5f, -1.0f));
  EXPECT_THAT(response->embeddings(1).values(), ElementsAre(2.0f, 0.25f));
  EXPECT_THAT(EmbedFromTei(Json::parse(R"({"error": "x"})")).status().message(),
              HasSubstr("/embed answer is malformed"));
  EXPECT_THAT(EmbedFromTei(Json::parse(R"([["x"]])")).status().message(),
              HasSubstr("not a number"));
}

TEST(HttpCodecTest, PredictSendsEachInputAloneSoTwoTextsAreNotAPair) {
  v1::ClassifyRequest request;
  request.add_inputs()->set_text("first");
  request.add_inputs()->set_text("second");
  v1::TextPair* pair = request.add_inputs()->mutable_pair();
  pair->set_first("q");
  pair->set_second("d");
  request.set_raw_scores(true);
  request.mutable_truncation()->set_enabled(false);
  absl::StatusOr<std::vector<Json>> bodies = TeiPredictBodies(request);
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  EXPECT_THAT(
      *bodies,
      ElementsAre(Json::parse(R"({"inputs": "first", "raw_scores": true, "truncate": false})"),
                  Json::parse(R"({"inputs": "second", "raw_scores": true, "truncate": false})"),
                  Json::parse(R"({"inputs": ["q", "d"], "raw_scores": true, "truncate": false})")));

  v1::ClassifyRequest top;
  top.set_top_k(1);
  EXPECT_THAT(TeiPredictBodies(top).status().message(), HasSubstr("--top-k has no field"));
}

TEST(HttpCodecTest, PredictAnswersBecomeResultsInOrder) {
  v1::ClassifyResponse response;
  ASSERT_TRUE(
      AddPredictionFromTei(
          Json::parse(R"([{"score": 0.75, "label": "pos"}, {"score": 0.25, "label": "neg"}])"),
          response)
          .ok());
  ASSERT_TRUE(
      AddPredictionFromTei(Json::parse(R"([{"score": 1, "label": "neg"}])"), response).ok());
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_EQ(response.results(0).scores(0).label(), "pos");
  EXPECT_FLOAT_EQ(response.results(0).scores(0).score(), 0.75f);
  EXPECT_EQ(response.results(0).scores(1).label(), "neg");
  EXPECT_EQ(response.results(1).scores(0).label(), "neg");
  EXPECT_THAT(AddPredictionFromTei(Json::parse(R"([{"score": 1}])"), response).message(),
              HasSubstr("/predict answer is malformed"));
}

TEST(HttpCodecTest, InfoAnswerFillsTheModelAndLimits) {
  const Json answer = Json::parse(R"({
      "model_id": "tiny", "model_sha": null, "model_dtype": "float32",
      "model_type": {"classifier": {"id2label": {"1": "pos", "0": "neg"}}},
      "architecture": "ModernBertForSequenceClassification", "hidden_size": 32, "device": "cpu",
      "normalize": false, "prompt_names": ["query"], "default_prompt_name": "query",
      "max_concurrent_requests": 512, "max_input_length": 128, "max_batch_tokens": 16384,
      "max_batch_requests": 64, "max_client_batch_size": 32, "auto_truncate": true,
      "tokenization_workers": 2, "version": "0.1.0"})");
  absl::StatusOr<v1::GetInfoResponse> info = InfoFromTei(answer);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->model_id(), "tiny");
  EXPECT_EQ(info->dtype(), "float32");
  EXPECT_EQ(info->hidden_size(), 32u);
  EXPECT_EQ(info->max_input_length(), 128u);
  EXPECT_THAT(info->labels(), ElementsAre("neg", "pos"));
  EXPECT_THAT(info->prompt_names(), ElementsAre("query"));
  EXPECT_EQ(info->limits().max_client_batch_size(), 32u);
  EXPECT_EQ(info->limits().tokenization_workers(), 2u);
  EXPECT_TRUE(info->limits().auto_truncate());

  absl::StatusOr<v1::GetInfoResponse> embedder =
      InfoFromTei(Json::parse(R"({"model_type": {"embedding": {"pooling": "mean"}}})"));
  ASSERT_TRUE(embedder.ok()) << embedder.status();
  EXPECT_EQ(embedder->pooling(), v1::POOLING_MEAN);
  EXPECT_THAT(InfoFromTei(Json::parse(R"({"hidden_size": "big"})")).status().message(),
              HasSubstr("/info answer is malformed"));
}

TEST(HttpCodecTest, ErrorAnswersMapToTheGrpcCodes) {
  const absl::Status invalid =
      HttpErrorStatus(422, R"({"error": "inputs is empty", "error_type": "Validation"})");
  EXPECT_EQ(invalid.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid.message(), "HTTP 422: inputs is empty");
  EXPECT_EQ(HttpErrorStatus(401, "{}").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(HttpErrorStatus(413, "{}").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpErrorStatus(424, "{}").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(HttpErrorStatus(429, "{}").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(HttpErrorStatus(503, "{}").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(HttpErrorStatus(502, "Bad Gateway").message(), "HTTP 502: Bad Gateway");
}

}  // namespace
}  // namespace mbserve::cli
