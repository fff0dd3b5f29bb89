// The CPU engine against transformers (fp32) on every fixture case: final
// states of every real token, both poolings, the head's logits, and
// sentence-transformers' normalized vectors where the case has them (the
// real all-MiniLM-L6-v2).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/ops/cpu_gemm/isa.h"
#include "gtest/gtest.h"
#include "tests/engine/fixtures.h"

namespace mbserve {
namespace {

using testing::FixtureCase;

// The bound for last_hidden_state over real tokens.
constexpr double kHiddenTolerance = 1e-4;
// Pooled vectors are averages of the states, so the same bound holds.
constexpr double kPooledTolerance = 1e-4;
// Logits pass through one more dense layer and are larger in magnitude:
// compared relative to the largest reference logit of the case.
constexpr double kLogitRelativeTolerance = 1e-4;

struct Worst {
  double error = 0;
  std::string where;
  void Update(double e, const std::string& w) {
    if (e > error) {
      error = e;
      where = w;
    }
  }
};

double MaxAbsDiff(const std::vector<float>& a, const float* b, size_t n, size_t* at) {
  double worst = -1;
  for (size_t i = 0; i < n; ++i) {
    const double d = std::abs(double(a[i]) - b[i]);
    if (!(d <= worst)) {  // also catches NaN
      worst = std::isnan(d) ? INFINITY : d;
      *at = i;
    }
  }
  return worst;
}

class ParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ParityTest, MatchesTransformers) {
  auto cases = testing::LoadFixtureSet(GetParam());
  ASSERT_TRUE(cases.ok()) << cases.status();
  Worst overall_hidden, overall_pooled, overall_logits;
  for (const FixtureCase& c : *cases) {
    EngineOptions options;
    auto engine = Engine::Create(c.dir, options);
    ASSERT_TRUE(engine.ok()) << c.name << ": " << engine.status();
    const ModelConfig& config = (*engine)->config();
    const int n = c.batch.num_sequences();
    const int h = config.hidden_size;

    std::vector<SequenceTask> tasks(n, {OutputKind::kTokenEmbeddings});
    auto states = (*engine)->Run(c.batch, tasks);
    ASSERT_TRUE(states.ok()) << c.name << ": " << states.status();
    const std::vector<float>& hidden = c.expected.at("last_hidden_state");
    ASSERT_EQ(hidden.size(), static_cast<size_t>(c.batch.num_tokens()) * h) << c.name;
    Worst case_hidden;
    for (int b = 0; b < n; ++b) {
      const auto& got = states->outputs[b];
      ASSERT_EQ(got.size(), static_cast<size_t>(c.batch.sequence_length(b)) * h);
      size_t at = 0;
      const double e = MaxAbsDiff(got, &hidden[size_t(c.batch.cu_seqlens[b]) * h], got.size(), &at);
      case_hidden.Update(e, c.name + " sequence " + std::to_string(b) + " (length " +
                                std::to_string(c.batch.sequence_length(b)) + ") token " +
                                std::to_string(at / h) + " dim " + std::to_string(at % h));
    }
    EXPECT_LE(case_hidden.error, kHiddenTolerance) << case_hidden.where;
    overall_hidden.Update(case_hidden.error, case_hidden.where);

    for (auto [pooling, key] :
         {std::pair{Pooling::kCls, "pooled_cls"}, {Pooling::kMean, "pooled_mean"}}) {
      std::vector<SequenceTask> pool_tasks(n, {OutputKind::kPooledEmbedding, pooling, false});
      auto pooled = (*engine)->Run(c.batch, pool_tasks);
      ASSERT_TRUE(pooled.ok()) << pooled.status();
      const std::vector<float>& expected = c.expected.at(key);
      for (int b = 0; b < n; ++b) {
        size_t at = 0;
        const double e = MaxAbsDiff(pooled->outputs[b], &expected[size_t(b) * h], h, &at);
        EXPECT_LE(e, kPooledTolerance) << c.name << " " << key << " sequence " << b;
        overall_pooled.Update(e, c.name + " " + key + " sequence " + std::to_string(b));
      }
    }

    if (auto st = c.expected.find("sentence_embedding"); st != c.expected.end()) {
      std::vector<SequenceTask> st_tasks(n, {OutputKind::kPooledEmbedding, Pooling::kMean, true});
      auto vectors = (*engine)->Run(c.batch, st_tasks);
      ASSERT_TRUE(vectors.ok()) << vectors.status();
      for (int b = 0; b < n; ++b) {
        size_t at = 0;
        const double e = MaxAbsDiff(vectors->outputs[b], &st->second[size_t(b) * h], h, &at);
        EXPECT_LE(e, kPooledTolerance) << c.name << " sentence_embedding sequence " << b;
        overall_pooled.Update(e, c.name + " sentence_embedding sequence " + std::to_string(b));
      }
    }

    if (c.head == "model") continue;
    const OutputKind kind =
        c.head == "mlm" ? OutputKind::kMaskedLmLogits : OutputKind::kClassLogits;
    std::vector<SequenceTask> head_tasks(n, {kind});
    auto logits = (*engine)->Run(c.batch, head_tasks);
    ASSERT_TRUE(logits.ok()) << logits.status();
    const std::vector<float>& expected = c.expected.at("logits");
    double scale = 1.0;
    for (float v : expected) scale = std::max(scale, double(std::abs(v)));
    size_t offset = 0;
    for (int b = 0; b < n; ++b) {
      const auto& got = logits->outputs[b];
      ASSERT_LE(offset + got.size(), expected.size());
      size_t at = 0;
      const double e = MaxAbsDiff(got, &expected[offset], got.size(), &at) / scale;
      EXPECT_LE(e, kLogitRelativeTolerance) << c.name << " logits sequence " << b << " at " << at;
      overall_logits.Update(e, c.name + " logits sequence " + std::to_string(b));
      offset += got.size();
    }
    EXPECT_EQ(offset, expected.size()) << c.name;
  }
  std::printf("[parity] %zu cases in %s\n", cases->size(), GetParam().c_str());
  std::printf("[parity] worst last_hidden_state |diff| = %.3g at %s\n", overall_hidden.error,
              overall_hidden.where.c_str());
  std::printf("[parity] worst pooled |diff| = %.3g at %s\n", overall_pooled.error,
              overall_pooled.where.c_str());
  std::printf("[parity] worst logits |diff| / max|logit| = %.3g at %s\n", overall_logits.error,
              overall_logits.where.c_str());
}

// bfloat16 GEMM operands (float32 accumulation) against the float32
// reference: pooled vectors by cosine; logits, as in the float32 test,
// relative to the largest reference logit of the case. Rounding activations
// to bfloat16 leaves the final states about 0.5% off, so classification
// logits (what the server returns) must be within 1% of the logit scale;
// masked-LM logits, a maximum over every token and vocabulary entry and
// not served, within 2%.
constexpr double kBf16PooledCosine = 0.9999;
constexpr double kBf16ClassLogitTolerance = 1e-2;
constexpr double kBf16MaskedLmLogitTolerance = 2e-2;

double Cosine(const float* a, const float* b, size_t n) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < n; ++i) {
    dot += double(a[i]) * b[i];
    na += double(a[i]) * a[i];
    nb += double(b[i]) * b[i];
  }
  return dot / std::sqrt(na * nb);
}

class Bf16ParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(Bf16ParityTest, PooledCosineAndLogitsCloseToFloat32Transformers) {
  if (!cpu_gemm::CpuHasBf16Gemm()) {
    GTEST_SKIP() << "no avx512_bf16 or AMX-BF16 on this CPU (or MBSERVE_CPU_ISA caps it)";
  }
  auto cases = testing::LoadFixtureSet(GetParam());
  ASSERT_TRUE(cases.ok()) << cases.status();
  double worst_cosine = 1, worst_class_logit = 0, worst_mlm_logit = 0;
  for (const FixtureCase& c : *cases) {
    EngineOptions options;
    options.dtype = DType::kBF16;
    auto engine = Engine::Create(c.dir, options);
    ASSERT_TRUE(engine.ok()) << c.name << ": " << engine.status();
    const int n = c.batch.num_sequences();
    const int h = (*engine)->config().hidden_size;
    for (auto [pooling, key] :
         {std::pair{Pooling::kCls, "pooled_cls"}, {Pooling::kMean, "pooled_mean"}}) {
      std::vector<SequenceTask> tasks(n, {OutputKind::kPooledEmbedding, pooling, false});
      auto pooled = (*engine)->Run(c.batch, tasks);
      ASSERT_TRUE(pooled.ok()) << pooled.status();
      const std::vector<float>& expected = c.expected.at(key);
      for (int b = 0; b < n; ++b) {
        const double cosine = Cosine(pooled->outputs[b].data(), &expected[size_t(b) * h], h);
        EXPECT_GE(cosine, kBf16PooledCosine) << c.name << " " << key << " sequence " << b;
        worst_cosine = std::min(worst_cosine, cosine);
      }
    }
    if (c.head == "model") continue;
    const OutputKind kind =
        c.head == "mlm" ? OutputKind::kMaskedLmLogits : OutputKind::kClassLogits;
    auto logits = (*engine)->Run(c.batch, std::vector<SequenceTask>(n, {kind}));
    ASSERT_TRUE(logits.ok()) << logits.status();
    const std::vector<float>& expected = c.expected.at("logits");
    double scale = 1.0;
    for (float v : expected) scale = std::max(scale, double(std::abs(v)));
    const double tolerance =
        kind == OutputKind::kClassLogits ? kBf16ClassLogitTolerance : kBf16MaskedLmLogitTolerance;
    size_t offset = 0;
    for (int b = 0; b < n; ++b) {
      const auto& got = logits->outputs[b];
      ASSERT_LE(offset + got.size(), expected.size());
      size_t at = 0;
      const double e = MaxAbsDiff(got, &expected[offset], got.size(), &at) / scale;
      EXPECT_LE(e, tolerance) << c.name << " logits sequence " << b << " at " << at;
      double& worst = kind == OutputKind::kClassLogits ? worst_class_logit : worst_mlm_logit;
      worst = std::max(worst, e);
      offset += got.size();
    }
  }
  std::printf(
      "[parity bf16] %s: worst pooled cosine %.6f, worst |diff| / max|logit|: classification "
      "%.3g, masked LM %.3g\n",
      GetParam().c_str(), worst_cosine, worst_class_logit, worst_mlm_logit);
}

std::string SetName(const ::testing::TestParamInfo<std::string>& info) {
  static const char* const kNames[] = {"Committed", "Generated", "Bert", "MiniLm"};
  return kNames[info.index];
}

const auto kFixtureSets =
    ::testing::Values(testing::CommittedFixtureDir(), testing::GeneratedFixtureDir(),
                      testing::BertFixtureDir(), testing::MiniLmFixtureDir());

INSTANTIATE_TEST_SUITE_P(Fixtures, Bf16ParityTest, kFixtureSets, SetName);
INSTANTIATE_TEST_SUITE_P(Fixtures, ParityTest, kFixtureSets, SetName);

}  // namespace
}  // namespace mbserve
