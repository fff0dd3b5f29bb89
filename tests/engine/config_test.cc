// config.json of each architecture (ModernBERT in both formats, BERT), and
// the errors for what mbserve cannot serve.
#include "engine/model/config.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "engine/model/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mbserve {
namespace {

namespace fs = std::filesystem;
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
      // Found by fuzz/config_fuzz.cc: the parser throws out_of_range, not
      // parse_error, for a number beyond double; it used to abort.
      {R"({"norm_eps": 1e400})", absl::StatusCode::kInvalidArgument,
       "config.json is not valid JSON: [json.exception.out_of_range.406] number overflow"},
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
       "field \"hidden_size\" is \"big\"; it must be an integer"},
      {R"({"num_hidden_layers": 0})", absl::StatusCode::kInvalidArgument,
       "field \"num_hidden_layers\" is 0; it must be in [1, 1024]"},
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
       "field \"global_attn_every_n_layers\" is 0; it must be in [1, 1024]"},
      // Numbers are never coerced: a float, a boolean or an integer beyond
      // int (2^32 + 64 used to serve as 64) is an error naming the field.
      {R"({"hidden_size": 64.5})", absl::StatusCode::kInvalidArgument,
       "field \"hidden_size\" is 64.5; it must be an integer"},
      {R"({"hidden_size": true})", absl::StatusCode::kInvalidArgument,
       "field \"hidden_size\" is true; it must be an integer"},
      {R"({"hidden_size": 4294967360})", absl::StatusCode::kInvalidArgument,
       "field \"hidden_size\" is 4294967360; it must be in [1, 65536]"},
      {R"({"vocab_size": 1e5})", absl::StatusCode::kInvalidArgument,
       "field \"vocab_size\" is 100000.0; it must be an integer"},
      {R"({"norm_eps": true})", absl::StatusCode::kInvalidArgument,
       "field \"norm_eps\" is true; it must be a number"},
      // Upper bounds turn values that would exhaust memory at start-up into
      // errors naming the limit.
      {R"({"max_position_embeddings": 1000000000})", absl::StatusCode::kInvalidArgument,
       "field \"max_position_embeddings\" is 1000000000; it must be in [1, 131072]"},
      {R"({"architectures": ["ModernBertForSequenceClassification"], "num_labels": 1000000000})",
       absl::StatusCode::kInvalidArgument,
       "field \"num_labels\" is 1000000000; it must be in [1, 65536]"},
      {R"({"vocab_size": 3000000})", absl::StatusCode::kInvalidArgument,
       "field \"vocab_size\" is 3000000; it must be in [1, 2097152]"},
      {R"({"intermediate_size": -4})", absl::StatusCode::kInvalidArgument,
       "field \"intermediate_size\" is -4; it must be in [1, 262144]"},
      {R"({"local_attention": 0})", absl::StatusCode::kInvalidArgument,
       "field \"local_attention\" is 0; it must be in [1, 262144]"},
      {R"({"hidden_size": 64, "num_attention_heads": 65})", absl::StatusCode::kInvalidArgument,
       "field \"num_attention_heads\" is 65; it must be in [1, 64]"},
      {R"({"hidden_size": 4096, "num_attention_heads": 2})", absl::StatusCode::kInvalidArgument,
       "gives a head dimension of 2048; the limit is 1024"},
      // Settings that would compute NaN or inf are rejected at load.
      {R"({"norm_eps": -1})", absl::StatusCode::kInvalidArgument,
       "field \"norm_eps\" is -1; it must be > 0 and <= 1"},
      {R"({"norm_eps": 0})", absl::StatusCode::kInvalidArgument, "field \"norm_eps\" is 0;"},
      {R"({"global_rope_theta": 0})", absl::StatusCode::kInvalidArgument,
       "field \"global_rope_theta\" is 0; it must be > 0"},
      {R"({"local_rope_theta": -10000.0})", absl::StatusCode::kInvalidArgument,
       "field \"local_rope_theta\" is -10000.0; it must be > 0"},
      {R"({"global_rope_theta": 1e39})", absl::StatusCode::kInvalidArgument,
       "field \"global_rope_theta\" is 1e+39; it must be > 0"},
      {R"({"num_hidden_layers": 1, "layer_types": ["full_attention"],
           "rope_parameters": {"full_attention": {"rope_theta": 0}}})",
       absl::StatusCode::kInvalidArgument, "field \"rope_theta\" is 0; it must be > 0"},
      // Labels must agree with each other.
      {R"({"architectures": ["ModernBertForSequenceClassification"], "num_labels": 3,
           "id2label": {"0": "a", "1": "b"}})",
       absl::StatusCode::kInvalidArgument, "num_labels is 3 but id2label has 2 labels"},
      {R"({"architectures": ["ModernBertForSequenceClassification"],
           "id2label": {"0": "a", "00": "b"}})",
       absl::StatusCode::kInvalidArgument, "id2label names id 0 twice"},
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

// A FIFO used to hang start-up, /dev/zero to grow without bound, and a
// directory or a symlink loop to abort it; each is a clean error now.
TEST(ConfigTest, AConfigThatIsNotARegularFileIsAnError) {
  const fs::path dir = fs::temp_directory_path() / "mbserve_config_test_files";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path fifo = dir / "fifo.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  fs::create_symlink(dir / "loop_b", dir / "loop_a");
  fs::create_symlink(dir / "loop_a", dir / "loop_b");
  const std::pair<std::string, std::string> cases[] = {
      {fifo.string(), "fifo.json is not a regular file"},
      {"/dev/zero", "/dev/zero is not a regular file"},
      {dir.string(), "mbserve_config_test_files is not a regular file"},
      {(dir / "loop_a").string(), "loop_a: Too many levels of symbolic links"},
  };
  for (const auto& [path, message] : cases) {
    auto config = LoadModelConfig(path);
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << path;
    EXPECT_THAT(config.status().message(), HasSubstr(message)) << path;
  }
  std::ofstream(dir / "huge.json") << std::string(16 << 20, ' ') << "{}";
  auto config = LoadModelConfig((dir / "huge.json").string());
  EXPECT_THAT(config.status().message(),
              HasSubstr("huge.json has 16777218 bytes; the limit for this file is 16777216"));
  fs::remove_all(dir);
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
       "field \"type_vocab_size\" is 0; it must be in [1, 2097152]"},
      {R"({"model_type": "bert", "architectures": ["BertForSequenceClassification"],
           "num_labels": 0})",
       absl::StatusCode::kInvalidArgument, "field \"num_labels\" is 0; it must be in [1, 65536]"},
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
