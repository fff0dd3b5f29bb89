// Loading checkpoints: safetensors parsing, shards, prefixes, stored dtypes,
// and a distinct error for each way a folder can be broken.
#include "engine/model/checkpoint.h"

#include <sys/stat.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/model/dtype_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/engine/fixtures.h"

namespace mbserve {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct RawTensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

void WriteSafetensors(const fs::path& path, const std::map<std::string, RawTensor>& tensors) {
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const auto& [name, t] : tensors) {
    header[name] = {{"dtype", t.dtype},
                    {"shape", t.shape},
                    {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
    data += t.bytes;
  }
  const std::string text = header.dump();
  std::ofstream out(path, std::ios::binary);
  const uint64_t size = text.size();
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((size >> (8 * i)) & 0xff));
  out << text << data;
}

void WriteFile(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

std::map<std::string, RawTensor> ReadTensors(const fs::path& path) {
  auto file = SafetensorsFile::Open(path.string());
  EXPECT_TRUE(file.ok()) << file.status();
  std::map<std::string, RawTensor> out;
  for (const auto& [name, e] : (*file)->entries()) {
    const char* dtype = e.dtype == DType::kF32 ? "F32" : e.dtype == DType::kBF16 ? "BF16" : "F16";
    out[name] = {dtype, e.shape, std::string(reinterpret_cast<const char*>(e.data), e.bytes)};
  }
  return out;
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("mbserve_checkpoint_test_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::copy(fs::path(testing::CommittedFixtureDir()) / kCase, dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  absl::Status CreateStatus() { return Engine::Create(dir_.string(), EngineOptions{}).status(); }

  // A MaskedLM checkpoint stored with the "model." prefix, float32.
  static constexpr char kCase[] = "h64_a4_l3_w16_g3_mlm_v4_f32";
  fs::path dir_;
};

TEST_F(CheckpointTest, MissingFilesAreNamed) {
  fs::remove(dir_ / "model.safetensors");
  absl::Status status = CreateStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(),
              HasSubstr("neither model.safetensors nor model.safetensors.index.json"));
  fs::remove(dir_ / "config.json");
  status = CreateStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("config.json"));
  status = Engine::Create("/nonexistent/model", EngineOptions{}).status();
  EXPECT_THAT(status.message(), HasSubstr("model directory /nonexistent/model does not exist"));
}

TEST_F(CheckpointTest, MalformedSafetensorsHeaders) {
  const fs::path file = dir_ / "model.safetensors";
  WriteFile(file, "abc");
  EXPECT_THAT(CreateStatus().message(), HasSubstr("fewer than the 8 of the header length"));
  WriteFile(file, std::string("\xff\xff\xff\xff\x00\x00\x00\x00{}", 10));
  EXPECT_THAT(CreateStatus().message(), HasSubstr("header length 4294967295 exceeds"));
  WriteFile(file, std::string("\x05\x00\x00\x00\x00\x00\x00\x00{oops", 13));
  EXPECT_THAT(CreateStatus().message(), HasSubstr("header is not valid JSON"));
  WriteSafetensors(file, {{"x", {"F32", {4}, std::string(8, '\0')}}});
  EXPECT_THAT(CreateStatus().message(),
              HasSubstr("tensor x of shape [4] needs 16 bytes but spans 8"));
  WriteSafetensors(file, {{"x", {"F64", {1}, std::string(8, '\0')}}});
  absl::Status status = CreateStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(status.message(), HasSubstr("tensor x is stored as F64"));
}

// Shapes and offsets are JSON integers: a float or a boolean is not
// rounded, a negative offset does not wrap, a shape whose byte count
// overflows does not match a small span, and the header has the format's
// 100 MB bound.
TEST_F(CheckpointTest, SafetensorsNumbersAreCheckedNotCoerced) {
  const fs::path file = dir_ / "model.safetensors";
  auto write_header = [&](const std::string& header, size_t data_bytes) {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
    WriteFile(file, bytes + header + std::string(data_bytes, '\0'));
  };
  const std::pair<std::string, std::string> cases[] = {
      {R"({"x": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]}})",
       "tensor x: shape holds 2.5, not an integer"},
      {R"({"x": {"dtype": "F32", "shape": [true], "data_offsets": [0, 4]}})",
       "tensor x: shape holds true, not an integer"},
      {R"({"x": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 8]}})",
       "tensor x has data_offsets outside the 16 data bytes"},
      {R"({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0.0, 8]}})",
       "tensor x: data_offsets holds 0.0, not an integer"},
      {R"({"x": {"dtype": 5, "shape": [2], "data_offsets": [0, 8]}})",
       "tensor x has a non-string dtype"},
      {R"({"x": {"dtype": "F32", "shape": 2, "data_offsets": [0, 8]}})",
       "tensor x: shape is not a list"},
      {R"({"x": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 0]}})",
       "tensor x of shape [4611686018427387904, 4] has more bytes than fit in memory"},
  };
  for (const auto& [header, message] : cases) {
    write_header(header, 16);
    absl::Status status = CreateStatus();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << header;
    EXPECT_THAT(status.message(), HasSubstr(message)) << header;
  }
  std::string huge(8, '\0');
  const uint64_t length = 100'000'001;
  for (int i = 0; i < 8; ++i) huge[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  WriteFile(file, huge + "{}");
  EXPECT_THAT(CreateStatus().message(),
              HasSubstr("header length 100000001 exceeds the format's limit of 100000000 bytes"));
}

// What used to hang (a FIFO), abort (a symlink loop: std::filesystem threw)
// or read outside the folder (a shard path with "..") is a clean error.
TEST_F(CheckpointTest, FilesThatAreNotRegularOrOutsideTheFolderAreErrors) {
  fs::remove(dir_ / "model.safetensors");
  ASSERT_EQ(::mkfifo((dir_ / "model.safetensors").c_str(), 0600), 0);
  absl::Status status = CreateStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("model.safetensors is not a regular file"));

  fs::remove(dir_ / "model.safetensors");
  fs::create_symlink(dir_ / "loop_b", dir_ / "loop_a");
  fs::create_symlink(dir_ / "loop_a", dir_ / "loop_b");
  fs::create_symlink(dir_ / "loop_a", dir_ / "model.safetensors");
  status = CreateStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("Too many levels of symbolic links"));
  status = Engine::Create((dir_ / "loop_a").string(), EngineOptions{}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("Too many levels of symbolic links"));

  fs::remove(dir_ / "model.safetensors");
  WriteFile(dir_ / "model.safetensors.index.json",
            R"({"weight_map": {"model.embeddings.norm.weight": "../model.safetensors"}})");
  status = CreateStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("names \"../model.safetensors\", not a file in the "
                                          "model folder"));
}

TEST_F(CheckpointTest, MissingTensorAndWrongShapeNameTheTensor) {
  auto tensors = ReadTensors(dir_ / "model.safetensors");
  ASSERT_TRUE(tensors.count("model.layers.1.mlp.Wi.weight"));
  auto wi = tensors["model.layers.1.mlp.Wi.weight"];
  tensors.erase("model.layers.1.mlp.Wi.weight");
  WriteSafetensors(dir_ / "model.safetensors", tensors);
  absl::Status status = CreateStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("no tensor layers.1.mlp.Wi.weight"));

  wi.shape = {wi.shape[1], wi.shape[0]};
  tensors["model.layers.1.mlp.Wi.weight"] = wi;
  WriteSafetensors(dir_ / "model.safetensors", tensors);
  status = CreateStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      status.message(),
      HasSubstr("layers.1.mlp.Wi.weight has shape [64, 192] but the config implies [192, 64]"));
}

TEST_F(CheckpointTest, IntegerTensorsAreReadButNeverAsWeights) {
  auto tensors = ReadTensors(dir_ / "model.safetensors");
  // An int64 index buffer beside the weights, as BERT checkpoints store
  // position_ids, does not stop the load.
  tensors["embeddings.position_ids"] = {"I64", {1, 4}, std::string(32, '\0')};
  WriteSafetensors(dir_ / "model.safetensors", tensors);
  EXPECT_TRUE(CreateStatus().ok()) << CreateStatus();

  ASSERT_TRUE(tensors.count("model.final_norm.weight"));
  const int64_t h = tensors["model.final_norm.weight"].shape[0];
  tensors["model.final_norm.weight"] = {"I64", {h}, std::string(h * 8, '\0')};
  WriteSafetensors(dir_ / "model.safetensors", tensors);
  absl::Status status = CreateStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("final_norm.weight is stored as int64; weights must be floating point"));
}

TEST_F(CheckpointTest, ShardIndexNamesMissingShard) {
  fs::remove(dir_ / "model.safetensors");
  WriteFile(
      dir_ / "model.safetensors.index.json",
      R"({"weight_map": {"model.embeddings.norm.weight": "model-00001-of-00002.safetensors"}})");
  absl::Status status = CreateStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("model-00001-of-00002.safetensors"));
  WriteFile(dir_ / "model.safetensors.index.json", R"({"metadata": {}})");
  EXPECT_THAT(CreateStatus().message(), HasSubstr("has no weight_map object"));
}

// Prefix-free names (as ModernBertModel checkpoints store them) and float16
// storage load to the same model, up to float16 rounding of the weights.
TEST_F(CheckpointTest, PrefixFreeFloat16CheckpointMatchesFloat32) {
  auto reference = Engine::Create(dir_.string(), EngineOptions{});
  ASSERT_TRUE(reference.ok()) << reference.status();
  std::map<std::string, RawTensor> halves;
  for (auto& [name, t] : ReadTensors(dir_ / "model.safetensors")) {
    std::vector<float> values(t.bytes.size() / 4);
    std::memcpy(values.data(), t.bytes.data(), t.bytes.size());
    std::string bytes(values.size() * 2, '\0');
    ConvertFromFloat32(values.data(), values.size(), DType::kF16, bytes.data());
    const std::string stripped = name.rfind("model.", 0) == 0 ? name.substr(6) : name;
    halves[stripped] = {"F16", t.shape, bytes};
  }
  WriteSafetensors(dir_ / "model.safetensors", halves);
  auto half = Engine::Create(dir_.string(), EngineOptions{});
  ASSERT_TRUE(half.ok()) << half.status();
  PackedBatch batch;
  std::vector<int32_t> ids = {1, 5, 9, 200, 17, 3, 3, 42};
  batch.Append(ids);
  const SequenceTask task{OutputKind::kPooledEmbedding, Pooling::kMean, true};
  auto a = (*reference)->Run(batch, {&task, 1});
  auto b = (*half)->Run(batch, {&task, 1});
  ASSERT_TRUE(a.ok() && b.ok());
  double dot = 0;
  for (size_t i = 0; i < a->outputs[0].size(); ++i) dot += a->outputs[0][i] * b->outputs[0][i];
  EXPECT_GT(dot, 0.999);  // cosine of unit vectors
  EXPECT_LT(dot, 1.0 + 1e-6);
  EXPECT_NE(a->outputs[0], b->outputs[0]) << "float16 weights should round differently";
}

TEST(DTypeConvertTest, HalfAndBFloat16KnownValues) {
  EXPECT_EQ(HalfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xc000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(HalfToFloat(0x7c00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7e00)));
  EXPECT_EQ(BFloat16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(FloatToBFloat16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);  // tie to even
  EXPECT_EQ(FloatToBFloat16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);                      // rounds to inf
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -25)), 0x0000);         // tie to even zero
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie to even
}

TEST(DTypeConvertTest, EveryHalfRoundTrips) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const float f = HalfToFloat(static_cast<uint16_t>(bits));
    if (std::isnan(f)) continue;
    ASSERT_EQ(FloatToHalf(f), bits) << std::hex << bits;
    ASSERT_EQ(BFloat16ToFloat(FloatToBFloat16(f)), BFloat16ToFloat(FloatToBFloat16(f)));
  }
}

}  // namespace
}  // namespace mbserve
