#include "client/cli/render.h"

#include <string>
#include <vector>

#include "client/cli/table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mbserve::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(TableTest, AlignsColumnsAndTrimsTrailingSpace) {
  const Table table{{"name", "n"}, {false, true}, {{"a", "1"}, {"longer", "100"}}};
  EXPECT_EQ(RenderTable(table),
            "name      n\n"
            "------  ---\n"
            "a         1\n"
            "longer  100\n");
}

TEST(TableTest, CountsCodePointsNotBytes) {
  const Table table{{"text", "x"}, {}, {{"héllo", "1"}, {"hello", "2"}}};
  EXPECT_EQ(RenderTable(table),
            "text   x\n"
            "-----  -\n"
            "héllo  1\n"
            "hello  2\n");
}

TEST(PreviewTest, CutsLongTextAndFlattensLineBreaks) {
  EXPECT_EQ(Preview("short", 10), "short");
  EXPECT_EQ(Preview("exactly10!", 10), "exactly10!");
  EXPECT_EQ(Preview("eleven char", 10), "eleven ch…");
  EXPECT_EQ(Preview("a\tb\nc", 10), "a b c");
  EXPECT_EQ(Preview("ééééé", 3), "éé…");  // never splits a UTF-8 sequence
}

TEST(RenderJsonTest, UsesProtoFieldNamesAndPrintsDefaults) {
  v1::EmbedResponse response;
  v1::Embedding* e = response.add_embeddings();
  e->add_values(0.5f);
  e->add_values(-0.25f);
  e->set_num_tokens(4);
  response.mutable_usage()->set_total_tokens(4);
  const std::string json = RenderJson(response);
  EXPECT_THAT(json, HasSubstr("\"values\":[0.5,-0.25]"));
  EXPECT_THAT(json, HasSubstr("\"num_tokens\":4"));
  EXPECT_THAT(json, HasSubstr("\"truncated\":false"));     // a default, printed anyway
  EXPECT_THAT(json, HasSubstr("\"total_tokens\":\"4\""));  // proto3 JSON: uint64 as a string
  EXPECT_EQ(json.back(), '\n');
  EXPECT_EQ(json.find('\n'), json.size() - 1) << "one document per line, for jq";
}

TEST(EmbedTableTest, ShowsNormAndAPreviewOfTheValues) {
  v1::EmbedResponse response;
  v1::Embedding* e = response.add_embeddings();
  for (float v : {0.6f, 0.0f, 0.0f, 0.0f, 0.0f, 0.8f}) e->add_values(v);
  e->set_num_tokens(7);
  e->set_truncated(true);
  const std::vector<std::string> inputs = {"hello world"};
  const Table table = EmbedTable(response, inputs);
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_THAT(table.rows[0], ElementsAre("0", "hello world", "7 (truncated)", "6", "1.0000",
                                         "[0.6000, 0.0000, 0.0000, …, 0.8000]"));
}

TEST(EmbedTableTest, ShortVectorsAreShownWhole) {
  v1::EmbedResponse response;
  v1::Embedding* e = response.add_embeddings();
  for (float v : {1.0f, 2.0f, 3.0f, 4.0f, 5.0f}) e->add_values(v);
  const Table table = EmbedTable(response, {});
  EXPECT_EQ(table.rows[0][1], "0");  // no texts known: the index stands in
  EXPECT_EQ(table.rows[0][5], "[1.0000, 2.0000, 3.0000, 4.0000, 5.0000]");
}

TEST(ClassifyTableTest, OneRowPerClassWithTheInputOnItsFirstRow) {
  v1::ClassifyResponse response;
  v1::Classification* c = response.add_results();
  c->set_num_tokens(5);
  v1::ClassScore* best = c->add_scores();
  best->set_label("positive");
  best->set_score(0.875f);
  v1::ClassScore* second = c->add_scores();
  second->set_label("negative");
  second->set_score(0.125f);
  const std::vector<std::string> inputs = {"great"};
  const Table table = ClassifyTable(response, inputs);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_THAT(table.rows[0], ElementsAre("0", "great", "5", "positive", "0.8750"));
  EXPECT_THAT(table.rows[1], ElementsAre("", "", "", "negative", "0.1250"));
}

TEST(TokenizeTableTest, ShowsIdsOffsetsAndSpecialTokens) {
  v1::TokenizeResponse response;
  v1::Tokenization* t = response.add_results();
  v1::Token* cls = t->add_tokens();
  cls->set_id(50281);
  cls->set_text("[CLS]");
  cls->set_special(true);
  v1::Token* hi = t->add_tokens();
  hi->set_id(12764);
  hi->set_text("hi");
  hi->set_end(2);
  const std::vector<std::string> inputs = {"hi"};
  const Table table = TokenizeTable(response, inputs);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_THAT(table.rows[0], ElementsAre("0", "hi", "0", "50281", "[CLS]", "0..0", "yes"));
  EXPECT_THAT(table.rows[1], ElementsAre("", "", "1", "12764", "hi", "0..2", ""));
}

TEST(InfoTableTest, ListsModelAndLimits) {
  v1::GetInfoResponse info;
  info.set_model_id("tiny");
  info.set_pooling(v1::POOLING_MEAN);
  info.add_labels("negative");
  info.add_labels("positive");
  info.mutable_limits()->set_max_batch_tokens(16384);
  const std::string text = RenderTable(InfoTable(info));
  EXPECT_THAT(text, HasSubstr("model_id                 tiny\n"));
  EXPECT_THAT(text, HasSubstr("pooling                  mean\n"));
  EXPECT_THAT(text, HasSubstr("labels                   negative, positive\n"));
  EXPECT_THAT(text, HasSubstr("max_batch_tokens         16384\n"));
}

TEST(HealthTableTest, NamesTheServiceAndStatus) {
  grpc::health::v1::HealthCheckResponse response;
  response.set_status(grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  EXPECT_THAT(HealthTable(response, "").rows[0], ElementsAre("(server)", "NOT_SERVING"));
  EXPECT_THAT(HealthTable(response, "mbserve.v1.EmbedService").rows[0],
              ElementsAre("mbserve.v1.EmbedService", "NOT_SERVING"));
}

TEST(UsageLineTest, ReportsTokensAndPhasesInMilliseconds) {
  v1::Usage usage;
  usage.set_total_tokens(12);
  v1::Timing timing;
  timing.set_tokenization_us(100);
  timing.set_queue_us(500);
  timing.set_inference_us(3400);
  timing.set_total_us(4200);
  EXPECT_EQ(UsageLine(usage, timing),
            "12 tokens in 4.20 ms (tokenization 0.10, queue 0.50, inference 3.40)");
}

}  // namespace
}  // namespace mbserve::cli
