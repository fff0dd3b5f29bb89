// The JSON codecs of the HTTP routes, without a server: what each request
// shape becomes, what each answer looks like, and the error for each kind of
// bad body.
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/http/http_error.h"
#include "server/http/json_body.h"
#include "server/http/openai_codec.h"
#include "server/http/tei_codec.h"

namespace mbserve::server::http {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Json Parse(const std::string& text) {
  absl::StatusOr<Json> json = ParseJsonBody(text);
  EXPECT_TRUE(json.ok()) << json.status();
  return json.ok() ? *json : Json::object();
}

// The message of the error ParseOpenAiEmbeddings gives for `text`.
std::string OpenAiError(const std::string& text) {
  absl::StatusOr<OpenAiEmbeddingsRequest> request = ParseOpenAiEmbeddings(Parse(text));
  EXPECT_FALSE(request.ok()) << text;
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument) << text;
  return std::string(request.status().message());
}

TEST(JsonBody, RefusesWhatIsNotAJsonObject) {
  EXPECT_THAT(ParseJsonBody("{\"input\": ").status().message(), HasSubstr("not valid JSON"));
  EXPECT_THAT(ParseJsonBody("").status().message(), HasSubstr("not valid JSON"));
  EXPECT_THAT(ParseJsonBody("[1, 2]").status().message(),
              HasSubstr("must be a JSON object, not an array"));
  EXPECT_THAT(ParseJsonBody("\"text\"").status().message(), HasSubstr("not a string"));
  // Invalid UTF-8 inside a string is a syntax error, not a crash later.
  EXPECT_FALSE(ParseJsonBody("{\"input\": \"\xff\xfe\"}").ok());
}

TEST(JsonBody, RefusesDeepNestingWithoutRecursingIntoIt) {
  const std::string deep =
      "{\"input\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  absl::StatusOr<Json> json = ParseJsonBody(deep);
  ASSERT_FALSE(json.ok());
  EXPECT_THAT(json.status().message(), HasSubstr("deeper than 8 levels"));
  // Just under the limit is fine.
  EXPECT_TRUE(ParseJsonBody("{\"a\": [[[[[[1]]]]]]}").ok());
}

TEST(OpenAiCodec, TakesEveryShapeOfInput) {
  absl::StatusOr<OpenAiEmbeddingsRequest> one = ParseOpenAiEmbeddings(Parse(R"({"input": "hi"})"));
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(one->call.inputs.size(), 1u);
  EXPECT_EQ(std::get<std::string>(one->call.inputs[0]), "hi");
  EXPECT_EQ(one->call.kind, CallKind::kEmbed);
  EXPECT_FALSE(one->base64);
  EXPECT_FALSE(one->call.dimensions.has_value());

  absl::StatusOr<OpenAiEmbeddingsRequest> texts = ParseOpenAiEmbeddings(
      Parse(R"({"input": ["a", "b"], "model": "m", "user": "u", "encoding_format": "base64",
                "dimensions": 16})"));
  ASSERT_TRUE(texts.ok()) << texts.status();
  ASSERT_EQ(texts->call.inputs.size(), 2u);
  EXPECT_EQ(std::get<std::string>(texts->call.inputs[1]), "b");
  EXPECT_TRUE(texts->base64);
  EXPECT_EQ(texts->call.dimensions, 16u);

  absl::StatusOr<OpenAiEmbeddingsRequest> ids =
      ParseOpenAiEmbeddings(Parse(R"({"input": [1, 2, 4294967295]})"));
  ASSERT_TRUE(ids.ok()) << ids.status();
  ASSERT_EQ(ids->call.inputs.size(), 1u);
  EXPECT_THAT(std::get<std::vector<uint32_t>>(ids->call.inputs[0]),
              ElementsAre(1u, 2u, 4294967295u));

  absl::StatusOr<OpenAiEmbeddingsRequest> lists =
      ParseOpenAiEmbeddings(Parse(R"({"input": [[1, 2], [3]]})"));
  ASSERT_TRUE(lists.ok()) << lists.status();
  ASSERT_EQ(lists->call.inputs.size(), 2u);
  EXPECT_THAT(std::get<std::vector<uint32_t>>(lists->call.inputs[1]), ElementsAre(3u));
}

TEST(OpenAiCodec, NamesTheFieldOfEachBadValue) {
  EXPECT_EQ(OpenAiError(R"({"model": "m"})"), "input is required");
  EXPECT_EQ(OpenAiError(R"({"input": null})"), "input is required");
  EXPECT_THAT(OpenAiError(R"({"input": 3})"), HasSubstr("input must be a string, a list"));
  EXPECT_THAT(OpenAiError(R"({"input": []})"), HasSubstr("input is empty"));
  EXPECT_EQ(OpenAiError(R"({"input": ["a", 1]})"),
            "input[1] must be a string like input[0], not an integer");
  EXPECT_THAT(OpenAiError(R"({"input": [1, "a"]})"),
              HasSubstr("input[1] must be an integer between 0 and 4294967295, not a string"));
  EXPECT_EQ(OpenAiError(R"({"input": [1, -2]})"),
            "input[1] is -2; it must be an integer between 0 and 4294967295");
  EXPECT_EQ(OpenAiError(R"({"input": [4294967296]})"),
            "input[0] is 4294967296; it must be an integer between 0 and 4294967295");
  // Past 64 bits the parser keeps a double; it is refused as a non-integer.
  EXPECT_THAT(ParseJsonBody(R"({"input": [1e400]})").status().message(),
              HasSubstr("a number beyond the range of a double"));
  EXPECT_THAT(OpenAiError(R"({"input": [123456789012345678901234567890]})"),
              HasSubstr("input[0] must be an integer between 0 and 4294967295, not a number"));
  EXPECT_THAT(OpenAiError(R"({"input": [1.5]})"), HasSubstr("not a number with a fraction"));
  EXPECT_THAT(OpenAiError(R"({"input": [[1], []]})"), HasSubstr("input[1] is empty"));
  EXPECT_THAT(OpenAiError(R"({"input": [[1], [true]]})"),
              HasSubstr("input[1][0] must be an integer"));
  EXPECT_THAT(OpenAiError(R"({"input": [["a"]]})"), HasSubstr("input[0][0] must be an integer"));
  EXPECT_EQ(OpenAiError(R"({"input": "a", "encoding_format": "int8"})"),
            "encoding_format is \"int8\"; it must be \"float\" or \"base64\"");
  EXPECT_THAT(OpenAiError(R"({"input": "a", "dimensions": "8"})"),
              HasSubstr("dimensions must be an integer between 0 and 4294967295, not a string"));
  EXPECT_THAT(OpenAiError(R"({"input": "a", "dimensions": 99999999999})"),
              HasSubstr("dimensions is 99999999999"));
  EXPECT_EQ(OpenAiError(R"({"input": "a", "model": 7})"), "model must be a string, not an integer");
}

CallResponse TwoEmbeddings() {
  CallResponse response;
  for (const auto& values : {std::vector<float>{0.1f, -2.5f}, std::vector<float>{1e-30f, 3}}) {
    CallOutput output;
    output.embedding = values;
    response.outputs.push_back(std::move(output));
  }
  response.total_tokens = 7;
  return response;
}

TEST(OpenAiCodec, AnswersWithExactFloats) {
  const Json body = Json::parse(EncodeOpenAiEmbeddings(TwoEmbeddings(), false, "tiny"));
  EXPECT_EQ(body["object"], "list");
  EXPECT_EQ(body["model"], "tiny");
  EXPECT_EQ(body["usage"]["prompt_tokens"], 7);
  EXPECT_EQ(body["usage"]["total_tokens"], 7);
  ASSERT_EQ(body["data"].size(), 2u);
  EXPECT_EQ(body["data"][1]["object"], "embedding");
  EXPECT_EQ(body["data"][1]["index"], 1);
  // Each float survives the decimal text bit for bit.
  EXPECT_EQ(body["data"][0]["embedding"][0].get<double>(), static_cast<double>(0.1f));
  EXPECT_EQ(body["data"][1]["embedding"][0].get<double>(), static_cast<double>(1e-30f));
}

TEST(OpenAiCodec, AnswersBase64AsLittleEndianFloat32) {
  const Json body = Json::parse(EncodeOpenAiEmbeddings(TwoEmbeddings(), true, "tiny"));
  std::string bytes;
  ASSERT_TRUE(absl::Base64Unescape(body["data"][0]["embedding"].get<std::string>(), &bytes));
  ASSERT_EQ(bytes.size(), 2 * sizeof(float));
  float values[2];
  std::memcpy(values, bytes.data(), bytes.size());
  EXPECT_EQ(values[0], 0.1f);
  EXPECT_EQ(values[1], -2.5f);
}

TEST(OpenAiCodec, ListsTheServedModel) {
  const Json body = Json::parse(EncodeOpenAiModels("tiny"));
  EXPECT_EQ(body["object"], "list");
  EXPECT_EQ(body["data"][0]["id"], "tiny");
  EXPECT_EQ(body["data"][0]["object"], "model");
}

TEST(TeiCodec, Embed) {
  absl::StatusOr<CallRequest> request =
      ParseTeiEmbed(Parse(R"({"inputs": ["a"], "normalize": false, "truncate": true,
                "truncation_direction": "Left", "prompt_name": "query", "dimensions": 4})"));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_FALSE(request->normalize);
  EXPECT_EQ(request->truncate, true);
  EXPECT_EQ(request->truncation_direction, TruncationDirection::kLeft);
  EXPECT_EQ(std::get<PromptName>(request->prompt).name, "query");
  EXPECT_EQ(request->dimensions, 4u);

  absl::StatusOr<CallRequest> defaults = ParseTeiEmbed(Parse(R"({"inputs": "a"})"));
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->normalize);
  EXPECT_FALSE(defaults->truncate.has_value());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(defaults->prompt));

  EXPECT_EQ(ParseTeiEmbed(Parse(R"({"inputs": "a", "normalize": "yes"})")).status().message(),
            "normalize must be true or false, not a string");
  EXPECT_EQ(
      ParseTeiEmbed(Parse(R"({"inputs": "a", "truncation_direction": "up"})")).status().message(),
      "truncation_direction is \"up\"; it must be \"right\" or \"left\"");
  EXPECT_EQ(ParseTeiEmbed(Parse(R"({"input": "a"})")).status().message(), "inputs is required");

  const Json vectors = Json::parse(EncodeTeiEmbed(TwoEmbeddings()));
  ASSERT_EQ(vectors.size(), 2u);
  EXPECT_EQ(vectors[0][1].get<double>(), -2.5);
}

TEST(TeiCodec, PredictTellsTextsPairsAndBatchesApart) {
  absl::StatusOr<TeiPredictRequest> text = ParseTeiPredict(Parse(R"({"inputs": "a"})"));
  ASSERT_TRUE(text.ok());
  EXPECT_TRUE(text->single);
  EXPECT_EQ(std::get<std::string>(text->call.inputs[0]), "a");
  EXPECT_EQ(text->call.kind, CallKind::kClassify);

  absl::StatusOr<TeiPredictRequest> pair =
      ParseTeiPredict(Parse(R"({"inputs": ["q", "d"], "raw_scores": true})"));
  ASSERT_TRUE(pair.ok());
  EXPECT_TRUE(pair->single);
  EXPECT_EQ(std::get<TextPair>(pair->call.inputs[0]).second, "d");
  EXPECT_TRUE(pair->call.raw_scores);

  absl::StatusOr<TeiPredictRequest> batch =
      ParseTeiPredict(Parse(R"({"inputs": [["q", "d"], "t", ["x", "y"]]})"));
  ASSERT_TRUE(batch.ok());
  EXPECT_FALSE(batch->single);
  ASSERT_EQ(batch->call.inputs.size(), 3u);
  EXPECT_EQ(std::get<std::string>(batch->call.inputs[1]), "t");
  EXPECT_EQ(std::get<TextPair>(batch->call.inputs[2]).first, "x");

  EXPECT_EQ(ParseTeiPredict(Parse(R"({"inputs": [["a", "b", "c"]]})")).status().message(),
            "inputs[0] must be a string or a [first, second] pair of strings, not an array of "
            "3 items");
  EXPECT_THAT(ParseTeiPredict(Parse(R"({"inputs": 5})")).status().message(),
              HasSubstr("not an integer"));

  CallResponse response;
  CallOutput output;
  output.scores = {ClassScore{0, "positive", 0.75f}};
  response.outputs.push_back(std::move(output));
  EXPECT_EQ(EncodeTeiPredict(response, true), R"([{"label":"positive","score":0.75}])");
  EXPECT_EQ(EncodeTeiPredict(response, false), R"([[{"label":"positive","score":0.75}]])");
}

TEST(TeiCodec, Rerank) {
  absl::StatusOr<TeiRerankRequest> request = ParseTeiRerank(
      Parse(R"({"query": "q", "texts": ["a", "b"], "return_text": true, "truncate": false})"));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->query.query, "q");
  EXPECT_THAT(request->query.texts, ElementsAre("a", "b"));
  EXPECT_TRUE(request->return_text);
  EXPECT_EQ(request->query.truncate, false);
  EXPECT_EQ(ParseTeiRerank(Parse(R"({"texts": ["a"]})")).status().message(), "query is required");
  EXPECT_EQ(ParseTeiRerank(Parse(R"({"query": "q", "texts": ["a", 2]})")).status().message(),
            "texts[1] must be a string, not an integer");
  EXPECT_EQ(ParseTeiRerank(Parse(R"({"query": "q", "texts": "a"})")).status().message(),
            "texts must be a list of strings, not a string");

  const std::vector<RankedText> ranked = {RankedText{1, 0.5f, 3, false}};
  EXPECT_EQ(EncodeTeiRerank(ranked, *request), R"([{"index":1,"score":0.5,"text":"b"}])");
  request->return_text = false;
  EXPECT_EQ(EncodeTeiRerank(ranked, *request), R"([{"index":1,"score":0.5}])");
}

TEST(TeiCodec, TokenizeAndDecode) {
  absl::StatusOr<v1::TokenizeRequest> one = ParseTeiTokenize(Parse(R"({"inputs": "hi"})"));
  ASSERT_TRUE(one.ok());
  EXPECT_THAT(one->texts(), ElementsAre("hi"));
  EXPECT_FALSE(one->has_add_special_tokens());
  absl::StatusOr<v1::TokenizeRequest> two =
      ParseTeiTokenize(Parse(R"({"inputs": ["a", "b"], "add_special_tokens": false})"));
  ASSERT_TRUE(two.ok());
  EXPECT_FALSE(two->add_special_tokens());
  EXPECT_EQ(ParseTeiTokenize(Parse(R"({"inputs": [1]})")).status().message(),
            "inputs[0] must be a string, not an integer");
  EXPECT_FALSE(one->has_prompt_name());
  absl::StatusOr<v1::TokenizeRequest> prompted =
      ParseTeiTokenize(Parse(R"({"inputs": "hi", "prompt_name": "query"})"));
  ASSERT_TRUE(prompted.ok());
  EXPECT_EQ(prompted->prompt_name(), "query");
  EXPECT_EQ(ParseTeiTokenize(Parse(R"({"inputs": "hi", "prompt_name": 1})")).status().message(),
            "prompt_name must be a string, not an integer");

  v1::TokenizeResponse tokens;
  v1::Token* token = tokens.add_results()->add_tokens();
  token->set_id(5);
  token->set_text("hi");
  token->set_start(0);
  token->set_end(2);
  EXPECT_EQ(EncodeTeiTokenize(tokens),
            R"([[{"id":5,"special":false,"start":0,"stop":2,"text":"hi"}]])");

  absl::StatusOr<std::vector<v1::DetokenizeRequest>> flat =
      ParseTeiDecode(Parse(R"({"ids": [1, 2], "skip_special_tokens": false})"));
  ASSERT_TRUE(flat.ok());
  ASSERT_EQ(flat->size(), 1u);
  EXPECT_THAT((*flat)[0].ids(), ElementsAre(1u, 2u));
  EXPECT_FALSE((*flat)[0].skip_special_tokens());
  absl::StatusOr<std::vector<v1::DetokenizeRequest>> nested =
      ParseTeiDecode(Parse(R"({"ids": [[1], [2, 3]]})"));
  ASSERT_TRUE(nested.ok());
  ASSERT_EQ(nested->size(), 2u);
  EXPECT_FALSE((*nested)[1].has_skip_special_tokens());
  EXPECT_EQ(ParseTeiDecode(Parse(R"({"ids": [[1], 2]})")).status().message(),
            "ids[1] must be a list of token ids, not an integer");
  EXPECT_THAT(ParseTeiDecode(Parse(R"({"ids": []})")).status().message(),
              HasSubstr("not an empty list"));

  std::vector<v1::DetokenizeResponse> texts(1);
  texts[0].set_text("a\xff");  // a cut multi-byte character stays valid JSON
  EXPECT_EQ(EncodeTeiDecode(texts), "[\"a\xEF\xBF\xBD\"]");
}

TEST(TeiCodec, InfoNamesTheModelKind) {
  v1::GetInfoResponse info;
  info.set_model_id("tiny");
  info.add_labels("neg");
  info.mutable_limits()->set_max_client_batch_size(32);
  const Json body = Json::parse(EncodeTeiInfo(info));
  EXPECT_EQ(body["model_id"], "tiny");
  EXPECT_EQ(body["model_type"]["classifier"]["id2label"]["0"], "neg");
  EXPECT_EQ(body["max_client_batch_size"], 32);
  info.clear_labels();
  info.set_pooling(v1::POOLING_MEAN);
  EXPECT_EQ(Json::parse(EncodeTeiInfo(info))["model_type"]["embedding"]["pooling"], "mean");
}

TEST(HttpError, UsesTeiStatusCodes) {
  EXPECT_EQ(HttpErrorOf(absl::StatusCode::kInvalidArgument).status, 422);
  EXPECT_EQ(HttpErrorOf(absl::StatusCode::kFailedPrecondition).status, 424);
  EXPECT_EQ(HttpErrorOf(absl::StatusCode::kResourceExhausted).status, 429);
  EXPECT_EQ(HttpErrorOf(absl::StatusCode::kUnauthenticated).status, 401);
  EXPECT_EQ(HttpErrorOf(absl::StatusCode::kUnavailable).status, 503);
  EXPECT_EQ(HttpErrorOf(absl::StatusCode::kInternal).status, 500);
  const Json body = Json::parse(ErrorBody("inputs is empty", "validation"));
  EXPECT_EQ(body["error"], "inputs is empty");
  EXPECT_EQ(body["error_type"], "validation");
}

}  // namespace
}  // namespace mbserve::server::http
