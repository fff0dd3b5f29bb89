// A sequence run alone and inside packed batches of random composition (other
// sequences before and after it, different tasks beside it) must give
// bitwise the same floats: on the committed ModernBERT set and the random
// BERT set (with random token types).
#include <algorithm>
#include <cstring>
#include <random>
#include <tuple>
#include <vector>

#include "engine/engine.h"
#include "engine/ops/cpu_gemm/isa.h"
#include "gtest/gtest.h"
#include "tests/engine/fixtures.h"

namespace mbserve {
namespace {

struct Item {
  std::vector<int32_t> ids;
  std::vector<int32_t> types;
  SequenceTask task;
  std::vector<float> alone;
};

std::vector<SequenceTask> TasksFor(const ModelConfig& config) {
  std::vector<SequenceTask> tasks = {
      {OutputKind::kTokenEmbeddings},
      {OutputKind::kPooledEmbedding, Pooling::kMean, true},
      {OutputKind::kPooledEmbedding, Pooling::kCls, false},
  };
  if (config.head == HeadKind::kMaskedLm) tasks.push_back({OutputKind::kMaskedLmLogits});
  if (config.head == HeadKind::kSequenceClassification) tasks.push_back({OutputKind::kClassLogits});
  return tasks;
}

// Each fixture set in float32, and with bfloat16 GEMMs where the CPU has them.
class BatchInvarianceTest : public ::testing::TestWithParam<std::tuple<std::string, DType>> {};

TEST_P(BatchInvarianceTest, AloneAndPackedAreBitwiseEqual) {
  const auto& [set_dir, dtype] = GetParam();
  if (dtype == DType::kBF16 && !cpu_gemm::CpuHasBf16Gemm()) {
    GTEST_SKIP() << "no avx512_bf16 or AMX-BF16 on this CPU (or MBSERVE_CPU_ISA caps it)";
  }
  auto cases = testing::LoadFixtureSet(set_dir);
  ASSERT_TRUE(cases.ok()) << cases.status();
  std::mt19937 rng(1234);
  int compared = 0;
  for (const auto& c : *cases) {
    EngineOptions options;
    options.dtype = dtype;
    auto engine = Engine::Create(c.dir, options);
    ASSERT_TRUE(engine.ok()) << engine.status();
    const ModelConfig& config = (*engine)->config();
    const auto tasks = TasksFor(config);
    std::vector<Item> items(24);
    for (size_t i = 0; i < items.size(); ++i) {
      // Mostly short, some long enough to cross many windows and query blocks.
      const int length = std::min(config.max_position_embeddings,
                                  i % 6 == 0 ? std::uniform_int_distribution<int>(300, 1200)(rng)
                                             : std::uniform_int_distribution<int>(1, 130)(rng));
      items[i].ids.resize(length);
      for (auto& id : items[i].ids)
        id = std::uniform_int_distribution<int>(0, config.vocab_size - 1)(rng);
      // Models without token types take only 0.
      items[i].types.resize(length);
      for (auto& type : items[i].types)
        type = std::uniform_int_distribution<int>(0, std::max(config.type_vocab_size - 1, 0))(rng);
      items[i].task = tasks[i % tasks.size()];
      PackedBatch alone;
      alone.Append(items[i].ids, items[i].types);
      auto out = (*engine)->Run(alone, {&items[i].task, 1});
      ASSERT_TRUE(out.ok()) << out.status();
      items[i].alone = out->outputs[0];
    }
    for (int trial = 0; trial < 6; ++trial) {
      std::vector<size_t> order(items.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng);
      order.resize(std::uniform_int_distribution<size_t>(2, items.size())(rng));
      PackedBatch batch;
      std::vector<SequenceTask> batch_tasks;
      for (size_t i : order) {
        batch.Append(items[i].ids, items[i].types);
        batch_tasks.push_back(items[i].task);
      }
      auto out = (*engine)->Run(batch, batch_tasks);
      ASSERT_TRUE(out.ok()) << out.status();
      for (size_t k = 0; k < order.size(); ++k) {
        const Item& item = items[order[k]];
        const std::vector<float>& packed = out->outputs[k];
        ASSERT_EQ(packed.size(), item.alone.size());
        EXPECT_EQ(0, std::memcmp(packed.data(), item.alone.data(), packed.size() * sizeof(float)))
            << c.name << " trial " << trial << ": sequence of " << item.ids.size()
            << " tokens at position " << k << " of " << order.size() << " differs from alone";
        ++compared;
      }
    }
  }
  std::printf(
      "[invariance] %s GEMMs on the %s kernels: %d packed results compared bitwise with "
      "their single runs\n",
      DTypeName(dtype), cpu_gemm::CpuIsaName(*cpu_gemm::ProcessCpuIsa()), compared);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, BatchInvarianceTest,
    ::testing::Combine(::testing::Values(testing::CommittedFixtureDir(), testing::BertFixtureDir()),
                       ::testing::Values(DType::kF32, DType::kBF16)),
    [](const auto& info) {
      const bool modernbert = std::get<0>(info.param) == testing::CommittedFixtureDir();
      return std::string(modernbert ? "ModernBert_" : "Bert_") + DTypeName(std::get<1>(info.param));
    });

}  // namespace
}  // namespace mbserve
