// modules.json, the Pooling config, sentence_bert_config.json and prompts.
#include "engine/model/sentence_transformers.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mbserve {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class SentenceTransformersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mbserve_st_test_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "1_Pooling");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }

  static constexpr char kModules[] = R"([
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])";
  fs::path dir_;
  ModelConfig model_ = [] {
    ModelConfig model;
    model.max_position_embeddings = 8192;
    return model;
  }();
};

TEST_F(SentenceTransformersTest, AbsentFilesMeanNoConfig) {
  fs::remove_all(dir_ / "1_Pooling");
  auto st = LoadSentenceTransformersConfig(dir_.string(), model_);
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->present);
  EXPECT_FALSE(st->pooling.has_value());
}

TEST_F(SentenceTransformersTest, ReadsPoolingNormalizePromptsAndLength) {
  Write("modules.json", kModules);
  Write("1_Pooling/config.json",
        R"({"word_embedding_dimension": 768, "pooling_mode_cls_token": false,
      "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false, "include_prompt": false})");
  Write("config_sentence_transformers.json", R"({"prompts": {"query": "search_query: ",
      "document": "search_document: "}, "default_prompt_name": "query"})");
  Write("sentence_bert_config.json", R"({"max_seq_length": 512, "do_lower_case": false})");
  auto st = LoadSentenceTransformersConfig(dir_.string(), model_);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_TRUE(st->present);
  EXPECT_EQ(st->pooling, Pooling::kMean);
  EXPECT_TRUE(st->normalize);
  EXPECT_FALSE(st->include_prompt);
  EXPECT_EQ(st->max_seq_length, 512);
  EXPECT_EQ(st->prompts.at("query"), "search_query: ");
  EXPECT_EQ(st->default_prompt_name, "query");
}

// sentence-transformers 6 names each module by the file that defines it.
TEST_F(SentenceTransformersTest, ReadsModuleTypesOfSentenceTransformers6) {
  Write("modules.json", R"([
    {"idx": 0, "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
    {"idx": 1, "path": "1_Pooling",
     "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling"},
    {"idx": 2, "path": "2_Normalize",
     "type": "sentence_transformers.base.modules.normalize.Normalize"}])");
  Write("1_Pooling/config.json", R"({"embedding_dimension": 64, "pooling_mode": "cls"})");
  auto st = LoadSentenceTransformersConfig(dir_.string(), model_);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->pooling, Pooling::kCls);
  EXPECT_TRUE(st->normalize);
}

TEST_F(SentenceTransformersTest, ClsPoolingFromPoolingModeString) {
  Write("1_Pooling/config.json", R"({"pooling_mode": "cls"})");
  auto st = LoadSentenceTransformersConfig(dir_.string(), model_);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->pooling, Pooling::kCls);
}

TEST_F(SentenceTransformersTest, UnsupportedPoolingAndModulesAreErrors) {
  Write("1_Pooling/config.json", R"({"pooling_mode_max_tokens": true})");
  auto st = LoadSentenceTransformersConfig(dir_.string(), model_);
  EXPECT_EQ(st.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(st.status().message(), HasSubstr("pooling modes {max}"));

  Write("1_Pooling/config.json",
        R"({"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true})");
  EXPECT_THAT(LoadSentenceTransformersConfig(dir_.string(), model_).status().message(),
              HasSubstr("pooling modes {cls, mean}"));

  Write("1_Pooling/config.json", R"({"pooling_mode_mean_tokens": true})");
  Write("modules.json",
        R"([{"idx": 2, "path": "2_Dense", "type": "sentence_transformers.models.Dense"}])");
  st = LoadSentenceTransformersConfig(dir_.string(), model_);
  EXPECT_EQ(st.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(st.status().message(),
              HasSubstr("module 0 has type sentence_transformers.models.Dense"));

  Write("modules.json", kModules);
  Write("config_sentence_transformers.json",
        R"({"prompts": {"a": "x"}, "default_prompt_name": "b"})");
  EXPECT_THAT(LoadSentenceTransformersConfig(dir_.string(), model_).status().message(),
              HasSubstr("default_prompt_name \"b\" is not one of the prompts"));

  Write("config_sentence_transformers.json", "{not json");
  EXPECT_THAT(LoadSentenceTransformersConfig(dir_.string(), model_).status().message(),
              HasSubstr("is not valid JSON"));
}

TEST_F(SentenceTransformersTest, MaxSeqLengthBeyondThePositionsIsAnError) {
  Write("sentence_bert_config.json", R"({"max_seq_length": 8193})");
  auto st = LoadSentenceTransformersConfig(dir_.string(), model_);
  EXPECT_EQ(st.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.status().message(),
              HasSubstr("max_seq_length 8193 exceeds max_position_embeddings 8192"));
  Write("sentence_bert_config.json", R"({"max_seq_length": 8192})");
  st = LoadSentenceTransformersConfig(dir_.string(), model_);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->max_seq_length, 8192);
}

TEST_F(SentenceTransformersTest, NumbersAndFlagsAreNotCoerced) {
  for (const char* value : {"512.5", "true", "\"512\"", "4294967808", "-1", "0"}) {
    Write("sentence_bert_config.json", absl::StrCat(R"({"max_seq_length": )", value, "}"));
    auto st = LoadSentenceTransformersConfig(dir_.string(), model_);
    EXPECT_EQ(st.status().code(), absl::StatusCode::kInvalidArgument) << value;
    EXPECT_THAT(st.status().message(), HasSubstr("\"max_seq_length\" is")) << value;
  }
  fs::remove(dir_ / "sentence_bert_config.json");
  Write("1_Pooling/config.json", R"({"pooling_mode_mean_tokens": 1})");
  EXPECT_THAT(LoadSentenceTransformersConfig(dir_.string(), model_).status().message(),
              HasSubstr("\"pooling_mode_mean_tokens\" has the wrong type"));
}

TEST_F(SentenceTransformersTest, PoolingModuleOutsideTheFolderIsAnError) {
  for (const char* path : {"../1_Pooling", "/etc"}) {
    Write("modules.json", absl::StrCat(R"([{"path": ")", path,
                                       R"(", "type": "sentence_transformers.models.Pooling"}])"));
    auto st = LoadSentenceTransformersConfig(dir_.string(), model_);
    EXPECT_EQ(st.status().code(), absl::StatusCode::kInvalidArgument) << path;
    EXPECT_THAT(st.status().message(), HasSubstr("outside the model folder")) << path;
  }
}

// A FIFO would block a plain read forever, /dev/zero never ends, and a
// symlink loop makes std::filesystem throw: each is a clean error instead.
TEST_F(SentenceTransformersTest, FilesThatAreNotRegularAreErrors) {
  ASSERT_EQ(::mkfifo((dir_ / "modules.json").c_str(), 0600), 0);
  auto st = LoadSentenceTransformersConfig(dir_.string(), model_);
  EXPECT_EQ(st.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.status().message(), HasSubstr("modules.json is not a regular file"));
  fs::remove(dir_ / "modules.json");

  fs::create_symlink("/dev/zero", dir_ / "sentence_bert_config.json");
  EXPECT_THAT(LoadSentenceTransformersConfig(dir_.string(), model_).status().message(),
              HasSubstr("sentence_bert_config.json is not a regular file"));
  fs::remove(dir_ / "sentence_bert_config.json");

  fs::create_symlink(dir_ / "loop_b", dir_ / "loop_a");
  fs::create_symlink(dir_ / "loop_a", dir_ / "loop_b");
  fs::create_symlink(dir_ / "loop_a", dir_ / "config_sentence_transformers.json");
  st = LoadSentenceTransformersConfig(dir_.string(), model_);
  EXPECT_EQ(st.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.status().message(), HasSubstr("config_sentence_transformers.json"));
  fs::remove(dir_ / "config_sentence_transformers.json");

  Write("config_sentence_transformers.json",
        absl::StrCat(R"({"prompts": {"q": ")", std::string(17 << 20, 'x'), R"("}})"));
  EXPECT_THAT(LoadSentenceTransformersConfig(dir_.string(), model_).status().message(),
              HasSubstr("bytes; the limit for this file is 16777216"));
}

}  // namespace
}  // namespace mbserve
