// token_type_ids through Engine::Run: BERT embeds them (segment B changes the
// result), rejects types outside type_vocab_size and batches whose type ids
// do not cover the tokens; ModernBERT ignores them; each architecture refuses
// the heads it lacks.
#include <cstring>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/fixtures.h"

namespace mbserve {
namespace {

using ::testing::HasSubstr;

// The first case of a fixture set whose head is `head`.
testing::FixtureCase CaseWithHead(const std::string& set_dir, const std::string& head) {
  auto cases = testing::LoadFixtureSet(set_dir);
  EXPECT_TRUE(cases.ok()) << cases.status();
  for (const auto& c : *cases) {
    if (c.head == head) return c;
  }
  ADD_FAILURE() << set_dir << " has no case with head " << head;
  return {};
}

// The status of the batch's only sequence: the batch's own when it fails as
// a whole, else the sequence's.
absl::Status SequenceStatus(Engine& engine, const PackedBatch& batch, const SequenceTask& task) {
  auto result = engine.Run(batch, {&task, 1});
  if (!result.ok()) return result.status();
  return result->statuses[0];
}

std::vector<float> States(Engine& engine, const PackedBatch& batch) {
  const SequenceTask task{OutputKind::kTokenEmbeddings};
  auto out = engine.Run(batch, {&task, 1});
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? out->outputs[0] : std::vector<float>();
}

const std::vector<int32_t> kIds = {1, 5, 9, 200, 17, 3, 3, 42};

TEST(TokenTypesTest, BertEmbedsTypesAndRejectsOutOfRange) {
  const auto c = CaseWithHead(testing::BertFixtureDir(), "model");
  auto engine = Engine::Create(c.dir, EngineOptions{});
  ASSERT_TRUE(engine.ok()) << engine.status();
  ASSERT_EQ((*engine)->config().type_vocab_size, 2);

  PackedBatch single, pair;
  single.Append(kIds);
  pair.Append(kIds, std::vector<int32_t>{0, 0, 0, 0, 1, 1, 1, 1});
  const auto a = States(**engine, single);
  const auto b = States(**engine, pair);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_NE(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)))
      << "segment B must change the states";

  // A bad type fails its own sequence (Engine::Run's per-sequence status).
  PackedBatch bad;
  bad.Append(kIds, std::vector<int32_t>{0, 0, 0, 0, 0, 2, 0, 0});
  const SequenceTask task{OutputKind::kTokenEmbeddings};
  absl::Status status = SequenceStatus(**engine, bad, task);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("token 5 has token_type_id 2; the model has types [0, 2)"));

  PackedBatch missing = single;
  missing.token_type_ids.pop_back();
  status = (*engine)->Run(missing, {&task, 1}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("token_type_ids do not match the token ids"));

  const SequenceTask classify{OutputKind::kClassLogits};
  status = SequenceStatus(**engine, single, classify);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("BertModel has no classification head"));
}

TEST(TokenTypesTest, BertClassifierHasNoMaskedLmHead) {
  const auto c = CaseWithHead(testing::BertFixtureDir(), "cls");
  auto engine = Engine::Create(c.dir, EngineOptions{});
  ASSERT_TRUE(engine.ok()) << engine.status();
  PackedBatch batch;
  batch.Append(kIds);
  const SequenceTask task{OutputKind::kMaskedLmLogits};
  absl::Status status = SequenceStatus(**engine, batch, task);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("BertForSequenceClassification has no masked-LM head"));
}

TEST(TokenTypesTest, ModernBertIgnoresTypes) {
  const auto c = CaseWithHead(testing::CommittedFixtureDir(), "model");
  auto engine = Engine::Create(c.dir, EngineOptions{});
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_EQ((*engine)->config().type_vocab_size, 0);
  PackedBatch zeros, others;
  zeros.Append(kIds);
  others.Append(kIds, std::vector<int32_t>{0, 1, 7, -3, 1, 1, 0, 2});
  const auto a = States(**engine, zeros);
  const auto b = States(**engine, others);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)));
}

}  // namespace
}  // namespace mbserve
