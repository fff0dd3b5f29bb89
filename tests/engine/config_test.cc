// config.json of each architecture (ModernBERT in both formats, BERT), and
// the errors for what mbserve cannot serve.
#include "engine/model/config.h"

#include "engine/model/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mbserve {
namespace {

using ::testing::HasSubstr;

constexpr char kV4[] = R"({
  "architectures": ["ModernBertForMaskedLM"], "model_type": "modernbert",
  "vocab_size": 1000, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 7,
  "num_attention_heads": 4, "max_position_embeddings": 8192, "norm_eps": 1e-05,
  "local_attention": 128, "global_attn_every_n_layers": 3,
  "global_rope_theta": 160000.0, "local_rope_theta": 10000.0, "classifier_pooling": "mean"
})";

constexpr char kV5[] = R"({
  "architectures": ["ModernBertForMaskedLM"], "model_type": "modernbert",
  "vocab_size": 1000, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 7,
  "num_attention_heads": 4, "max_position_embeddings": 8192, "norm_eps": 1e-05,
  "local_attention": 128, "classifier_pooling": "mean",
  "layer_types": ["full_attention", "sliding_attention", "sliding_attention", "full_attention",
                  "sliding_attention", "sliding_attention", "full_attention"],
  "rope_parameters": {"full_attention": {"rope_theta": 160000.0, "rope_type": "default"},
                      "sliding_attention": {"rope_theta": 10000.0, "rope_type": "default"}}
})";

TEST(ConfigTest, BothFormatsGiveTheSameLayers) {
  auto v4 = ParseModelConfig(kV4);
  auto v5 = ParseModelConfig(kV5);
  ASSERT_TRUE(v4.ok()) << v4.status();
  ASSERT_TRUE(v5.ok()) << v5.status();
  ASSERT_EQ(v4->layers.size(), 7u);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(v4->layers[i].global, i % 3 == 0) << i;
    EXPECT_EQ(v4->layers[i].rope_theta, i % 3 == 0 ? 160000.0f : 10000.0f) << i;
    EXPECT_EQ(v5->layers[i].global, v4->layers[i].global) << i;
    EXPECT_EQ(v5->layers[i].rope_theta, v4->layers[i].rope_theta) << i;
  }
  EXPECT_EQ(v4->head, HeadKind::kMaskedLm);
  EXPECT_EQ(v4->head_dim, 16);
  EXPECT_EQ(v4->half_window, 64);
  EXPECT_EQ(v4->classifier_pooling, Pooling::kMean);
}

TEST(ConfigTest, DefaultsAreModernBertBase) {
  auto config = ParseModelConfig("{}");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->architecture, "ModernBertModel");
  EXPECT_EQ(config->hidden_size, 768);
  EXPECT_EQ(config->num_layers, 22);
  EXPECT_EQ(config->vocab_size, 50368);
  EXPECT_EQ(config->half_window, 64);
  int globals = 0;
  for (const auto& layer : config->layers) globals += layer.global;
  EXPECT_EQ(globals, 8);
}

TEST(ConfigTest, ClassificationLabelsInIdOrder) {
  auto config = ParseModelConfig(R"({"architectures": ["ModernBertForSequenceClassification"],
      "id2label": {"1": "positive", "0": "negative", "2": "neutral"}})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(config->id2label, ::testing::ElementsAre("negative", "positive", "neutral"));
  auto numbered = ParseModelConfig(R"({"architectures": ["ModernBertForSequenceClassification"],
      "num_labels": 2})");
  ASSERT_TRUE(numbered.ok());
  EXPECT_THAT(numbered->id2label, ::testing::ElementsAre("LABEL_0", "LABEL_1"));
}

struct BadConfig {
  const char* json;
  absl::StatusCode code;
  const char* message;
};

TEST(ConfigTest, EachFailureHasItsOwnError) {
  const BadConfig cases[] = {
      {"{", absl::StatusCode::kInvalidArgument, "config.json is not valid JSON"},
      {"[]", absl::StatusCode::kInvalidArgument, "is not a JSON object"},
      {R"({"architectures": ["BertModel"]})", absl::StatusCode::kUnimplemented,
       "unsupported architecture BertModel"},
      {R"({"model_type": "roberta"})", absl::StatusCode::kUnimplemented,
       "unsupported model_type \"roberta\"; mbserve supports \"modernbert\", \"bert\""},
      {R"({"norm_bias": true})", absl::StatusCode::kUnimplemented, "unsupported norm_bias true"},
      {R"({"mlp_bias": true})", absl::StatusCode::kUnimplemented, "unsupported mlp_bias"},
      {R"({"hidden_activation": "gelu_pytorch_tanh"})", absl::StatusCode::kUnimplemented,
       "unsupported hidden_activation \"gelu_pytorch_tanh\""},
      {R"({"classifier_pooling": "max"})", absl::StatusCode::kUnimplemented,
       "unsupported classifier_pooling"},
      {R"({"hidden_size": 100, "num_attention_heads": 3})", absl::StatusCode::kInvalidArgument,
       "hidden_size 100 must be num_attention_heads 3 times an even head dimension"},
      {R"({"hidden_size": "big"})", absl::StatusCode::kInvalidArgument,
       "field \"hidden_size\" has the wrong type"},
      {R"({"num_hidden_layers": 0})", absl::StatusCode::kInvalidArgument,
       "num_hidden_layers is 0; it must be positive"},
      {R"({"num_hidden_layers": 2, "layer_types": ["full_attention"]})",
       absl::StatusCode::kInvalidArgument, "layer_types has 1 entries but num_hidden_layers is 2"},
      {R"({"num_hidden_layers": 1, "layer_types": ["chunked_attention"]})",
       absl::StatusCode::kUnimplemented, "unsupported layer type \"chunked_attention\""},
      {R"({"num_hidden_layers": 1, "layer_types": ["full_attention"],
           "rope_parameters": {"full_attention": {"rope_theta": 1.0, "rope_type": "yarn"}}})",
       absl::StatusCode::kUnimplemented, "rope_type \"yarn\""},
      {R"({"num_hidden_layers": 1, "layer_types": ["sliding_attention"],
           "rope_parameters": {"full_attention": {"rope_theta": 1.0}}})",
       absl::StatusCode::kInvalidArgument, "rope_parameters has no \"sliding_attention\" entry"},
      {R"({"architectures": ["ModernBertForSequenceClassification"],
           "id2label": {"0": "a", "5": "b"}})",
       absl::StatusCode::kInvalidArgument, "id2label key \"5\" is not an id in [0, 2)"},
      {R"({"global_attn_every_n_layers": 0})", absl::StatusCode::kInvalidArgument,
       "global_attn_every_n_layers is 0"},
  };
  for (const BadConfig& c : cases) {
    auto config = ParseModelConfig(c.json);
    ASSERT_FALSE(config.ok()) << c.json;
    EXPECT_EQ(config.status().code(), c.code) << c.json << " -> " << config.status();
    EXPECT_THAT(config.status().message(), HasSubstr(c.message)) << c.json;
  }
}

TEST(ConfigTest, MissingFileIsNotFound) {
  auto config = LoadModelConfig("/nonexistent/config.json");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(config.status().message(), HasSubstr("/nonexistent/config.json"));
}

// The config.json of sentence-transformers/all-MiniLM-L6-v2.
constexpr char kMiniLm[] = R"({
  "architectures": ["BertModel"], "attention_probs_dropout_prob": 0.1,
  "gradient_checkpointing": false, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
  "hidden_size": 384, "initializer_range": 0.02, "intermediate_size": 1536,
  "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert",
  "num_attention_heads": 12, "num_hidden_layers": 6, "pad_token_id": 0,
  "position_embedding_type": "absolute", "transformers_version": "4.8.2",
  "type_vocab_size": 2, "use_cache": true, "vocab_size": 30522})";

TEST(BertConfigTest, ParsesAnEmbedder) {
  auto config = ParseModelConfig(kMiniLm);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->model_type, "bert");
  EXPECT_EQ(config->architecture, "BertModel");
  EXPECT_EQ(config->head, HeadKind::kNone);
  EXPECT_EQ(config->vocab_size, 30522);
  EXPECT_EQ(config->type_vocab_size, 2);
  EXPECT_EQ(config->hidden_size, 384);
  EXPECT_EQ(config->intermediate_size, 1536);
  EXPECT_EQ(config->num_layers, 6);
  EXPECT_EQ(config->num_heads, 12);
  EXPECT_EQ(config->head_dim, 32);
  EXPECT_EQ(config->max_position_embeddings, 512);
  EXPECT_FLOAT_EQ(config->norm_eps, 1e-12f);
  EXPECT_TRUE(config->id2label.empty());
}

TEST(BertConfigTest, ParsesAClassifierAndItsLabels) {
  auto config = ParseModelConfig(R"({"model_type": "bert",
      "architectures": ["BertForSequenceClassification"], "hidden_size": 64,
      "num_attention_heads": 4, "id2label": {"0": "no", "1": "yes"}})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->head, HeadKind::kSequenceClassification);
  EXPECT_EQ(config->id2label, (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(config->classifier_pooling, Pooling::kCls);
  // BertConfig's defaults for what is absent.
  EXPECT_EQ(config->num_layers, 12);
  EXPECT_EQ(config->intermediate_size, 3072);
  EXPECT_EQ(config->type_vocab_size, 2);
  EXPECT_FLOAT_EQ(config->norm_eps, 1e-12f);
  auto reranker = ParseModelConfig(R"({"model_type": "bert",
      "architectures": ["BertForSequenceClassification"], "num_labels": 1})");
  ASSERT_TRUE(reranker.ok()) << reranker.status();
  EXPECT_EQ(reranker->id2label, (std::vector<std::string>{"LABEL_0"}));
}

TEST(BertConfigTest, EachFailureHasItsOwnError) {
  const BadConfig cases[] = {
      {R"({"model_type": "bert", "architectures": ["BertForMaskedLM"]})",
       absl::StatusCode::kUnimplemented,
       "unsupported architecture BertForMaskedLM; mbserve supports BertModel and "
       "BertForSequenceClassification"},
      {R"({"model_type": "bert", "hidden_act": "gelu_new"})", absl::StatusCode::kUnimplemented,
       "unsupported hidden_act \"gelu_new\""},
      {R"({"model_type": "bert", "position_embedding_type": "relative_key"})",
       absl::StatusCode::kUnimplemented, "unsupported position_embedding_type \"relative_key\""},
      {R"({"model_type": "bert", "is_decoder": true})", absl::StatusCode::kUnimplemented,
       "unsupported is_decoder true"},
      {R"({"model_type": "bert", "hidden_size": 100, "num_attention_heads": 3})",
       absl::StatusCode::kInvalidArgument,
       "hidden_size 100 is not a multiple of num_attention_heads 3"},
      {R"({"model_type": "bert", "type_vocab_size": 0})", absl::StatusCode::kInvalidArgument,
       "type_vocab_size is 0; it must be positive"},
      {R"({"model_type": "bert", "architectures": ["BertForSequenceClassification"],
           "num_labels": 0})",
       absl::StatusCode::kInvalidArgument, "needs id2label or num_labels"},
  };
  for (const BadConfig& c : cases) {
    auto config = ParseModelConfig(c.json);
    ASSERT_FALSE(config.ok()) << c.json;
    EXPECT_EQ(config.status().code(), c.code) << c.json;
    EXPECT_THAT(config.status().message(), HasSubstr(c.message)) << c.json;
  }
}

}  // namespace
}  // namespace mbserve
