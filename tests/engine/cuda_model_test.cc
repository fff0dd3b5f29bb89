// The whole model on CUDA (bf16 and fp16) against the CPU engine in float32
// on every parity fixture (ModernBERT and BERT): mean-pooled, normalized vectors by cosine
// (>= 0.9999), per-token states and head logits by cosine, with the worst
// per-token error printed; and batch invariance on the GPU (a sequence alone
// and inside its batch give bitwise the same floats). Exits 77 (ctest:
// skipped) with a message when no CUDA device or driver is present.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/ops/backend_cuda.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/fixtures.h"

namespace mbserve {
namespace {

using ::testing::HasSubstr;

constexpr Device kGpu{DeviceType::kCuda, 0};

double Cosine(const float* a, const float* b, size_t n) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < n; ++i) {
    dot += double(a[i]) * b[i];
    na += double(a[i]) * a[i];
    nb += double(b[i]) * b[i];
  }
  if (na == 0 && nb == 0) return 1.0;
  return dot / std::sqrt(na * nb);
}

std::vector<SequenceTask> Repeat(SequenceTask task, int n) { return std::vector<SequenceTask>(n, task); }

std::vector<testing::FixtureCase> AllCases() {
  std::vector<testing::FixtureCase> all;
  for (const std::string& dir : {testing::CommittedFixtureDir(), testing::GeneratedFixtureDir(),
                                 testing::BertFixtureDir(), testing::MiniLmFixtureDir()}) {
    auto cases = testing::LoadFixtureSet(dir);
    EXPECT_TRUE(cases.ok()) << dir << ": " << cases.status();
    if (cases.ok()) all.insert(all.end(), cases->begin(), cases->end());
  }
  return all;
}

class CudaModelTest : public ::testing::TestWithParam<DType> {};

TEST_P(CudaModelTest, MatchesCpuFloat32) {
  const DType dtype = GetParam();
  const auto cases = AllCases();
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    auto cpu = Engine::Create(c.dir, EngineOptions{});
    ASSERT_TRUE(cpu.ok()) << c.name << ": " << cpu.status();
    EngineOptions options;
    options.device = kGpu;
    options.dtype = dtype;
    auto gpu = Engine::Create(c.dir, options);
    ASSERT_TRUE(gpu.ok()) << c.name << ": " << gpu.status();
    const ModelConfig& config = (*cpu)->config();
    const int n = c.batch.num_sequences();
    const int64_t h = config.hidden_size;

    // Pooled, normalized mean vectors.
    const auto pooled_tasks = Repeat({OutputKind::kPooledEmbedding, Pooling::kMean, true}, n);
    auto cpu_pooled = (*cpu)->Run(c.batch, pooled_tasks);
    auto gpu_pooled = (*gpu)->Run(c.batch, pooled_tasks);
    ASSERT_TRUE(cpu_pooled.ok()) << cpu_pooled.status();
    ASSERT_TRUE(gpu_pooled.ok()) << gpu_pooled.status();
    double pooled_min = 1.0;
    for (int b = 0; b < n; ++b) {
      pooled_min = std::min(pooled_min, Cosine(gpu_pooled->outputs[b].data(),
                                               cpu_pooled->outputs[b].data(), h));
    }
    EXPECT_GE(pooled_min, 0.9999) << c.name << " " << DTypeName(dtype);

    // Per-token final states.
    const auto token_tasks = Repeat({OutputKind::kTokenEmbeddings}, n);
    auto cpu_tokens = (*cpu)->Run(c.batch, token_tasks);
    auto gpu_tokens = (*gpu)->Run(c.batch, token_tasks);
    ASSERT_TRUE(cpu_tokens.ok()) << cpu_tokens.status();
    ASSERT_TRUE(gpu_tokens.ok()) << gpu_tokens.status();
    double token_min = 1.0, worst_abs = 0.0, scale = 0.0;
    for (int b = 0; b < n; ++b) {
      const auto& want = cpu_tokens->outputs[b];
      const auto& got = gpu_tokens->outputs[b];
      ASSERT_EQ(got.size(), want.size());
      for (size_t t = 0; t * h < want.size(); ++t) {
        token_min = std::min(token_min, Cosine(got.data() + t * h, want.data() + t * h, h));
      }
      for (size_t i = 0; i < want.size(); ++i) {
        worst_abs = std::max(worst_abs, double(std::abs(got[i] - want[i])));
        scale = std::max(scale, double(std::abs(want[i])));
      }
    }
    EXPECT_GE(token_min, 0.999) << c.name << " " << DTypeName(dtype);

    double head_min = 1.0;
    // Head logits, where the checkpoint has a head: MLM rows by cosine over
    // the vocabulary; a classifier's few logits by absolute error against
    // the logits' scale (a cosine of 1 or 2 values says little).
    double head_err = 0.0;
    if (config.head == HeadKind::kMaskedLm || config.head == HeadKind::kSequenceClassification) {
      const bool mlm = config.head == HeadKind::kMaskedLm;
      const auto head_tasks =
          Repeat({mlm ? OutputKind::kMaskedLmLogits : OutputKind::kClassLogits}, n);
      auto cpu_head = (*cpu)->Run(c.batch, head_tasks);
      auto gpu_head = (*gpu)->Run(c.batch, head_tasks);
      ASSERT_TRUE(cpu_head.ok()) << cpu_head.status();
      ASSERT_TRUE(gpu_head.ok()) << gpu_head.status();
      double logit_scale = 1.0;
      for (int b = 0; b < n; ++b) {
        const auto& want = cpu_head->outputs[b];
        const auto& got = gpu_head->outputs[b];
        ASSERT_EQ(got.size(), want.size());
        if (mlm) {
          const size_t row = config.vocab_size;
          for (size_t r = 0; r * row < want.size(); ++r) {
            head_min = std::min(head_min, Cosine(got.data() + r * row, want.data() + r * row, row));
          }
        }
        for (size_t i = 0; i < want.size(); ++i) {
          head_err = std::max(head_err, double(std::abs(got[i] - want[i])));
          logit_scale = std::max(logit_scale, double(std::abs(want[i])));
        }
      }
      if (mlm) {
        EXPECT_GE(head_min, 0.999) << c.name << " " << DTypeName(dtype);
      } else {
        const double bound = (dtype == DType::kBF16 ? 5e-2 : 1e-2) * logit_scale;
        EXPECT_LE(head_err, bound) << c.name << " " << DTypeName(dtype) << " class logits";
      }
    }
    std::printf(
        "[cuda-model] %-40s %-4s pooled cos min %.6f | token cos min %.6f, worst |err| %.4g "
        "(max |h| %.3g, %.3g%%) | head cos min %.6f, worst |err| %.4g\n",
        c.name.c_str(), DTypeName(dtype), pooled_min, token_min, worst_abs, scale,
        scale > 0 ? 100.0 * worst_abs / scale : 0.0, head_min, head_err);
  }
}

TEST_P(CudaModelTest, SequenceAloneAndInBatchAreBitwiseEqual) {
  const DType dtype = GetParam();
  int compared = 0;
  for (const auto& c : AllCases()) {
    EngineOptions options;
    options.device = kGpu;
    options.dtype = dtype;
    auto engine = Engine::Create(c.dir, options);
    ASSERT_TRUE(engine.ok()) << engine.status();
    const int n = c.batch.num_sequences();
    for (SequenceTask task : {SequenceTask{OutputKind::kTokenEmbeddings},
                              SequenceTask{OutputKind::kPooledEmbedding, Pooling::kMean, true}}) {
      auto packed = (*engine)->Run(c.batch, Repeat(task, n));
      ASSERT_TRUE(packed.ok()) << packed.status();
      for (int b = 0; b < n; ++b) {
        PackedBatch alone;
        const int begin = c.batch.cu_seqlens[b];
        alone.Append(std::span<const int32_t>(c.batch.token_ids.data() + begin,
                                              c.batch.sequence_length(b)));
        auto single = (*engine)->Run(alone, {&task, 1});
        ASSERT_TRUE(single.ok()) << single.status();
        const auto& a = single->outputs[0];
        const auto& p = packed->outputs[b];
        ASSERT_EQ(a.size(), p.size());
        EXPECT_EQ(0, std::memcmp(a.data(), p.data(), a.size() * sizeof(float)))
            << c.name << " " << DTypeName(dtype) << ": sequence " << b << " of " << n << " ("
            << c.batch.sequence_length(b) << " tokens) differs alone and packed";
        ++compared;
      }
    }
  }
  std::printf("[cuda-invariance] %s: %d results compared bitwise alone vs packed\n",
              DTypeName(dtype), compared);
  EXPECT_GT(compared, 0);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaModelTest, ::testing::Values(DType::kBF16, DType::kF16),
                         [](const auto& info) { return std::string(DTypeName(info.param)); });

TEST(CudaEngineTest, Float32OnCudaIsRejectedAtCreate) {
  const auto cases = AllCases();
  ASSERT_FALSE(cases.empty());
  EngineOptions options;
  options.device = kGpu;
  options.dtype = DType::kF32;
  auto engine = Engine::Create(cases.front().dir, options);
  ASSERT_FALSE(engine.ok());
  EXPECT_THAT(engine.status().message(), HasSubstr("bf16 or f16"));
}

}  // namespace
}  // namespace mbserve

int main(int argc, char** argv) {
  absl::StatusOr<int> devices = mbserve::CudaDeviceCount();
  if (!devices.ok() || *devices == 0) {
    std::printf("SKIPPED: no CUDA device (%s); the CUDA model tests need one\n",
                devices.ok() ? "0 devices found" : std::string(devices.status().message()).c_str());
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
