// One bad sequence never fails its neighbours: Engine::Run gives a sequence
// that is invalid, or whose output is not finite, its own status with a
// message about it alone, and runs the others exactly as it would without it.
// (Results compare bitwise with the same batch minus the invalid sequences.)
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/model/safetensors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/engine/fixtures.h"

namespace mbserve {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class SequenceFailureTest : public ::testing::Test {
 protected:
  // A copy of a MaskedLM fixture (vocabulary 256) whose config allows 32
  // positions, so a too-long sequence is cheap to build.
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("mbserve_sequence_failure_test_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::copy(fs::path(testing::CommittedFixtureDir()) / "h64_a4_l3_w16_g3_mlm_v4_f32", dir_);
    nlohmann::json config = nlohmann::json::parse(std::ifstream(dir_ / "config.json"));
    config["max_position_embeddings"] = 32;
    std::ofstream(dir_ / "config.json") << config.dump();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

std::vector<int32_t> Ids(int length, int32_t first) {
  std::vector<int32_t> ids(length);
  for (int i = 0; i < length; ++i) ids[i] = (first + 7 * i) % 256;
  return ids;
}

TEST_F(SequenceFailureTest, InvalidSequencesFailAloneAndTheOthersMatchRunningAlone) {
  auto engine = Engine::Create(dir_.string(), EngineOptions{});
  ASSERT_TRUE(engine.ok()) << engine.status();
  const SequenceTask pooled{OutputKind::kPooledEmbedding, Pooling::kMean, true};
  const SequenceTask tokens{OutputKind::kTokenEmbeddings};
  const SequenceTask classify{OutputKind::kClassLogits};

  SequenceTask pooled_after_prompt = pooled;
  pooled_after_prompt.pool_from = 3;
  SequenceTask negative_offset = pooled;
  negative_offset.pool_from = -1;

  std::vector<int32_t> bad_id = Ids(6, 3);
  bad_id[4] = 256;
  struct Case {
    std::vector<int32_t> ids;
    SequenceTask task;
    absl::StatusCode code;
    std::string message;  // empty for a valid sequence
  };
  const std::vector<Case> cases = {
      {Ids(10, 1), pooled, absl::StatusCode::kOk, ""},
      {bad_id, pooled, absl::StatusCode::kInvalidArgument,
       "token 4 has id 256; the vocabulary has ids [0, 256)"},
      {Ids(20, 5), tokens, absl::StatusCode::kOk, ""},
      {Ids(33, 2), pooled, absl::StatusCode::kInvalidArgument,
       "the sequence has 33 tokens; the model accepts at most 32"},
      {{}, pooled, absl::StatusCode::kInvalidArgument, "the sequence is empty"},
      {Ids(4, 9), classify, absl::StatusCode::kFailedPrecondition,
       "the sequence asks for class logits but ModernBertForMaskedLM has no classification head"},
      {Ids(32, 11), pooled, absl::StatusCode::kOk, ""},
      {Ids(12, 7), pooled_after_prompt, absl::StatusCode::kOk, ""},
      {Ids(5, 4), negative_offset, absl::StatusCode::kInvalidArgument,
       "pool_from is -1; it must be at least 0"},
  };
  PackedBatch batch;
  std::vector<SequenceTask> tasks;
  for (const Case& c : cases) {
    batch.Append(c.ids);
    tasks.push_back(c.task);
  }
  // The same batch without the invalid sequences: what the valid ones must
  // get, bit for bit.
  PackedBatch valid_batch;
  std::vector<SequenceTask> valid_tasks;
  for (const Case& c : cases) {
    if (c.code != absl::StatusCode::kOk) continue;
    valid_batch.Append(c.ids);
    valid_tasks.push_back(c.task);
  }
  auto expected = (*engine)->Run(valid_batch, valid_tasks);
  ASSERT_TRUE(expected.ok()) << expected.status();

  auto out = (*engine)->Run(batch, tasks);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->statuses.size(), cases.size());
  ASSERT_EQ(out->outputs.size(), cases.size());
  size_t next_valid = 0;
  for (size_t b = 0; b < cases.size(); ++b) {
    const Case& c = cases[b];
    EXPECT_EQ(out->statuses[b].code(), c.code) << b << ": " << out->statuses[b];
    if (c.code != absl::StatusCode::kOk) {
      EXPECT_EQ(out->statuses[b].message(), c.message) << b;
      EXPECT_TRUE(out->outputs[b].empty()) << b;
      continue;
    }
    ASSERT_TRUE(expected->statuses[next_valid].ok()) << b;
    EXPECT_FALSE(out->outputs[b].empty()) << b;
    EXPECT_EQ(out->outputs[b], expected->outputs[next_valid++])
        << "sequence " << b << " changed because of an invalid neighbour";
  }
}

// pool_from leaves a sequence's first tokens out of the mean: the mean of the
// token embeddings from there on, and a zero vector from past the end.
TEST_F(SequenceFailureTest, MeanPoolingFromAnOffsetSkipsTheFirstTokens) {
  auto engine = Engine::Create(dir_.string(), EngineOptions{});
  ASSERT_TRUE(engine.ok()) << engine.status();
  const std::vector<int32_t> ids = {5, 17, 3, 99, 42, 8, 250, 1};
  const int length = static_cast<int>(ids.size());
  SequenceTask from_three{OutputKind::kPooledEmbedding, Pooling::kMean, false};
  from_three.pool_from = 3;
  SequenceTask past_the_end = from_three;
  past_the_end.pool_from = length;
  const SequenceTask tokens{OutputKind::kTokenEmbeddings};
  PackedBatch batch;
  for (int i = 0; i < 3; ++i) batch.Append(ids);
  const std::vector<SequenceTask> tasks = {from_three, past_the_end, tokens};
  auto out = (*engine)->Run(batch, tasks);
  ASSERT_TRUE(out.ok()) << out.status();
  for (const absl::Status& status : out->statuses) ASSERT_TRUE(status.ok()) << status;

  const std::vector<float>& states = out->outputs[2];
  const size_t hidden = states.size() / length;
  ASSERT_EQ(out->outputs[0].size(), hidden);
  for (size_t c = 0; c < hidden; ++c) {
    double sum = 0.0;
    for (int t = 3; t < length; ++t) sum += states[t * hidden + c];
    EXPECT_NEAR(out->outputs[0][c], sum / (length - 3), 1e-6) << c;
  }
  EXPECT_EQ(out->outputs[1], std::vector<float>(hidden, 0.0f));
}

// Means from offsets run on the device inside one mixed batch: each matches
// a double-precision mean of the sequence's own token states from its
// offset on (normalized when asked), and a sequence whose offset is 0 gets
// bitwise what it gets in a batch without offsets.
TEST_F(SequenceFailureTest, MeansFromOffsetsMatchAHostReferenceInAMixedBatch) {
  auto engine = Engine::Create(dir_.string(), EngineOptions{});
  ASSERT_TRUE(engine.ok()) << engine.status();
  const std::vector<int> lengths = {9, 1, 17, 6, 12, 4};
  const std::vector<int> offsets = {0, 0, 5, 5, 11, 30};
  PackedBatch batch;
  for (size_t b = 0; b < lengths.size(); ++b) batch.Append(Ids(lengths[b], 11 * b + 1));
  const int n = batch.num_sequences();

  std::vector<SequenceTask> plain(n), from_offsets(n);
  const std::vector<SequenceTask> tokens(n, SequenceTask{OutputKind::kTokenEmbeddings});
  for (int b = 0; b < n; ++b) {
    plain[b] = SequenceTask{OutputKind::kPooledEmbedding, Pooling::kMean, b % 2 == 0};
    from_offsets[b] = plain[b];
    from_offsets[b].pool_from = offsets[b];
  }
  from_offsets[3].pooling = Pooling::kCls;  // a cls sequence in the same batch ignores it
  auto plain_out = (*engine)->Run(batch, plain);
  auto offset_out = (*engine)->Run(batch, from_offsets);
  auto token_out = (*engine)->Run(batch, tokens);
  ASSERT_TRUE(plain_out.ok() && offset_out.ok() && token_out.ok());

  for (int b = 0; b < n; ++b) {
    ASSERT_TRUE(offset_out->statuses[b].ok()) << offset_out->statuses[b];
    const std::vector<float>& states = token_out->outputs[b];
    const std::vector<float>& got = offset_out->outputs[b];
    const size_t hidden = states.size() / lengths[b];
    ASSERT_EQ(got.size(), hidden);
    if (offsets[b] == 0) {
      EXPECT_EQ(got, plain_out->outputs[b]) << "sequence " << b << " changed without an offset";
    }
    const int first = from_offsets[b].pooling == Pooling::kCls ? 0 : offsets[b];
    const int last = from_offsets[b].pooling == Pooling::kCls ? 1 : lengths[b];
    std::vector<double> want(hidden, 0.0);
    double squares = 0.0;
    for (size_t c = 0; c < hidden; ++c) {
      for (int t = first; t < last; ++t) want[c] += states[t * hidden + c];
      if (first < last) want[c] /= last - first;
      squares += want[c] * want[c];
    }
    const double norm = from_offsets[b].normalize ? std::max(std::sqrt(squares), 1e-12) : 1.0;
    for (size_t c = 0; c < hidden; ++c) {
      EXPECT_NEAR(got[c], want[c] / norm, 1e-5) << "sequence " << b << " column " << c;
    }
  }
  EXPECT_EQ(offset_out->outputs[5], std::vector<float>(offset_out->outputs[5].size(), 0.0f))
      << "an offset past the end pools to zeros";
}

TEST_F(SequenceFailureTest, ABatchOfOnlyInvalidSequencesRunsNothingAndFailsNoCall) {
  auto engine = Engine::Create(dir_.string(), EngineOptions{});
  ASSERT_TRUE(engine.ok()) << engine.status();
  PackedBatch batch;
  batch.Append(std::vector<int32_t>{-1});
  const SequenceTask task{OutputKind::kPooledEmbedding, Pooling::kCls, false};
  auto out = (*engine)->Run(batch, {&task, 1});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->statuses[0].message(), "token 0 has id -1; the vocabulary has ids [0, 256)");
}

// A checkpoint whose final norm weights are infinite computes NaN: every
// sequence fails with INTERNAL instead of returning NaN as OK.
TEST_F(SequenceFailureTest, NonFiniteOutputsAreErrorsNotResults) {
  auto file = SafetensorsFile::Open((dir_ / "model.safetensors").string());
  ASSERT_TRUE(file.ok()) << file.status();
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const auto& [name, entry] : (*file)->entries()) {
    std::string bytes(reinterpret_cast<const char*>(entry.data), entry.bytes);
    if (name == "model.final_norm.weight") {
      const float inf = std::numeric_limits<float>::infinity();
      for (size_t i = 0; i < bytes.size(); i += sizeof(float)) {
        std::memcpy(bytes.data() + i, &inf, sizeof(float));
      }
    }
    header[name] = {{"dtype", "F32"},
                    {"shape", entry.shape},
                    {"data_offsets", {data.size(), data.size() + bytes.size()}}};
    data += bytes;
  }
  file->reset();
  const std::string text = header.dump();
  std::ofstream out(dir_ / "model.safetensors", std::ios::binary | std::ios::trunc);
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((text.size() >> (8 * i)) & 0xff));
  out << text << data;
  out.close();

  auto engine = Engine::Create(dir_.string(), EngineOptions{});
  ASSERT_TRUE(engine.ok()) << engine.status();
  PackedBatch batch;
  batch.Append(Ids(5, 1));
  batch.Append(Ids(9, 2));
  const std::vector<SequenceTask> tasks = {{OutputKind::kPooledEmbedding, Pooling::kMean, true},
                                           {OutputKind::kTokenEmbeddings}};
  auto result = (*engine)->Run(batch, tasks);
  ASSERT_TRUE(result.ok()) << result.status();
  for (int b = 0; b < 2; ++b) {
    EXPECT_EQ(result->statuses[b].code(), absl::StatusCode::kInternal) << b;
    EXPECT_THAT(result->statuses[b].message(), HasSubstr("non-finite value")) << b;
    EXPECT_TRUE(result->outputs[b].empty()) << b;
  }
}

}  // namespace
}  // namespace mbserve
