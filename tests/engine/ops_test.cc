// Every CPU op against a naive double-precision reference on random inputs.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/memory.h"
#include "engine/ops/activation.h"
#include "engine/ops/attention.h"
#include "engine/ops/cpu_math.h"
#include "engine/ops/embedding.h"
#include "engine/ops/linear.h"
#include "engine/ops/norm.h"
#include "engine/ops/pooling.h"
#include "engine/ops/rope.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mbserve {
namespace {

using ::testing::HasSubstr;

std::vector<float> RandomVector(size_t n, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

Backend& Cpu() { return *GetBackend(kCpuDevice).value(); }

Tensor View(std::vector<float>& v, std::initializer_list<int64_t> shape) {
  return Tensor(v.data(), DType::kF32, kCpuDevice, shape);
}
Tensor View(std::vector<int32_t>& v, std::initializer_list<int64_t> shape) {
  return Tensor(v.data(), DType::kI32, kCpuDevice, shape);
}
// A float32 weight [out, in] packed for the CPU GEMM.
LinearWeight Weight(std::vector<float>& v, std::initializer_list<int64_t> shape) {
  absl::StatusOr<LinearWeight> w = LinearWeight::Prepare(View(v, shape), Buffer(), DType::kF32);
  EXPECT_TRUE(w.ok()) << w.status();
  return *std::move(w);
}

double MaxAbsDiff(const std::vector<float>& a, const std::vector<double>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

std::vector<double> NaiveLayerNorm(const float* x, const std::vector<float>& gamma, float eps) {
  const size_t n = gamma.size();
  double mean = 0, var = 0;
  for (size_t i = 0; i < n; ++i) mean += x[i];
  mean /= n;
  for (size_t i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
  var /= n;
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = (x[i] - mean) / std::sqrt(var + eps) * gamma[i];
  return out;
}

double GeluReference(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }

TEST(LinearTest, MatchesNaiveProductAndAccumulates) {
  std::mt19937 rng(1);
  for (auto [rows, in, out_features] : {std::tuple{1, 8, 5}, {17, 64, 192}, {100, 96, 33}}) {
    auto x = RandomVector(rows * in, rng);
    auto w = RandomVector(out_features * in, rng);
    auto initial = RandomVector(rows * out_features, rng);
    for (bool accumulate : {false, true}) {
      auto out = initial;
      ASSERT_TRUE(Linear(Cpu(), View(x, {rows, in}), Weight(w, {out_features, in}),
                         View(out, {rows, out_features}), accumulate)
                      .ok());
      std::vector<double> expected(rows * out_features);
      for (int r = 0; r < rows; ++r) {
        for (int o = 0; o < out_features; ++o) {
          double sum = accumulate ? initial[r * out_features + o] : 0.0;
          for (int k = 0; k < in; ++k) sum += double(x[r * in + k]) * w[o * in + k];
          expected[r * out_features + o] = sum;
        }
      }
      EXPECT_LT(MaxAbsDiff(out, expected), 1e-4) << rows << "x" << in << "x" << out_features;
    }
  }
}

TEST(LinearTest, RejectsMismatchedShapesNamingBoth) {
  std::vector<float> x(6), w(12), out(8);
  const absl::Status status = Linear(Cpu(), View(x, {2, 3}), Weight(w, {3, 4}), View(out, {2, 4}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("w has shape [3, 4], expected [*, 3]"));
}

TEST(LinearTest, AddBiasAddsToEveryRow) {
  std::mt19937 rng(2);
  auto x = RandomVector(5 * 7, rng);
  auto bias = RandomVector(7, rng);
  auto out = x;
  ASSERT_TRUE(AddBias(Cpu(), View(out, {5, 7}), View(bias, {7})).ok());
  for (int i = 0; i < 35; ++i) EXPECT_FLOAT_EQ(out[i], x[i] + bias[i % 7]);
}

TEST(NormTest, LayerNormMatchesNaive) {
  std::mt19937 rng(3);
  const int rows = 9, hidden = 48;
  auto x = RandomVector(rows * hidden, rng, 3.0f);
  auto gamma = RandomVector(hidden, rng);
  std::vector<float> out(rows * hidden);
  ASSERT_TRUE(LayerNorm(Cpu(), View(x, {rows, hidden}), View(gamma, {hidden}), 1e-5f,
                        View(out, {rows, hidden}))
                  .ok());
  for (int r = 0; r < rows; ++r) {
    auto expected = NaiveLayerNorm(&x[r * hidden], gamma, 1e-5f);
    std::vector<float> row(out.begin() + r * hidden, out.begin() + (r + 1) * hidden);
    EXPECT_LT(MaxAbsDiff(row, expected), 1e-5);
  }
}

TEST(NormTest, LayerNormWithBiasMatchesNaiveInPlace) {
  std::mt19937 rng(13);
  const int rows = 6, hidden = 40;
  auto x = RandomVector(rows * hidden, rng, 3.0f);
  const auto original = x;
  auto gamma = RandomVector(hidden, rng);
  auto beta = RandomVector(hidden, rng);
  // In place, as BERT's post-norms run.
  ASSERT_TRUE(LayerNorm(Cpu(), View(x, {rows, hidden}), View(gamma, {hidden}), View(beta, {hidden}),
                        1e-12f, View(x, {rows, hidden}))
                  .ok());
  for (int r = 0; r < rows; ++r) {
    auto expected = NaiveLayerNorm(&original[r * hidden], gamma, 1e-12f);
    for (int i = 0; i < hidden; ++i) expected[i] += beta[i];
    std::vector<float> row(x.begin() + r * hidden, x.begin() + (r + 1) * hidden);
    EXPECT_LT(MaxAbsDiff(row, expected), 1e-5);
  }
  std::vector<float> short_beta(hidden - 1);
  absl::Status status = LayerNorm(Cpu(), View(x, {rows, hidden}), View(gamma, {hidden}),
                                  View(short_beta, {hidden - 1}), 1e-12f, View(x, {rows, hidden}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("beta"));
}

TEST(EmbeddingTest, SumEmbeddingsAddsTheThreeTables) {
  std::mt19937 rng(14);
  const int vocab = 20, positions = 8, types = 2, hidden = 24;
  auto word = RandomVector(vocab * hidden, rng);
  auto position = RandomVector(positions * hidden, rng);
  auto type = RandomVector(types * hidden, rng);
  std::vector<int32_t> ids = {3, 19, 0, 3, 7};
  std::vector<int32_t> pos = {0, 1, 2, 0, 7};
  std::vector<int32_t> segment = {0, 0, 1, 1, 0};
  std::vector<float> out(ids.size() * hidden);
  ASSERT_TRUE(SumEmbeddings(Cpu(), View(ids, {5}), View(pos, {5}), View(segment, {5}),
                            View(word, {vocab, hidden}), View(position, {positions, hidden}),
                            View(type, {types, hidden}), View(out, {5, hidden}))
                  .ok());
  std::vector<double> expected(out.size());
  for (size_t r = 0; r < ids.size(); ++r) {
    for (int i = 0; i < hidden; ++i) {
      expected[r * hidden + i] = double(word[ids[r] * hidden + i]) + position[pos[r] * hidden + i] +
                                 type[segment[r] * hidden + i];
    }
  }
  EXPECT_LT(MaxAbsDiff(out, expected), 1e-6);
  std::vector<int32_t> short_types = {0, 0};
  absl::Status status = SumEmbeddings(
      Cpu(), View(ids, {5}), View(pos, {5}), View(short_types, {2}), View(word, {vocab, hidden}),
      View(position, {positions, hidden}), View(type, {types, hidden}), View(out, {5, hidden}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("types"));
}

TEST(NormTest, EmbeddingLayerNormGathersRows) {
  std::mt19937 rng(4);
  const int vocab = 30, hidden = 32;
  auto table = RandomVector(vocab * hidden, rng);
  auto gamma = RandomVector(hidden, rng);
  std::vector<int32_t> ids = {5, 0, 29, 5, 17};
  std::vector<float> out(ids.size() * hidden);
  ASSERT_TRUE(EmbeddingLayerNorm(Cpu(), View(ids, {5}), View(table, {vocab, hidden}),
                                 View(gamma, {hidden}), 1e-5f, View(out, {5, hidden}))
                  .ok());
  for (size_t r = 0; r < ids.size(); ++r) {
    auto expected = NaiveLayerNorm(&table[ids[r] * hidden], gamma, 1e-5f);
    std::vector<float> row(out.begin() + r * hidden, out.begin() + (r + 1) * hidden);
    EXPECT_LT(MaxAbsDiff(row, expected), 1e-5);
  }
}

TEST(RopeTest, TableMatchesDoublePrecisionAngles) {
  const int head_dim = 64, positions = 8192;
  for (float theta : {10000.0f, 160000.0f}) {
    RopeTableHost table = ComputeRopeTable(theta, head_dim, positions);
    for (int p : {0, 1, 63, 4095, 8191}) {
      for (int k = 0; k < head_dim / 2; ++k) {
        const double angle = p / std::pow(double(theta), 2.0 * k / head_dim);
        // float32 angles: the error grows with the position, as in torch.
        const double tolerance = 1e-6 + p * 1.2e-7;
        EXPECT_NEAR(table.cos[p * head_dim / 2 + k], std::cos(angle), tolerance) << p << " " << k;
        EXPECT_NEAR(table.sin[p * head_dim / 2 + k], std::sin(angle), tolerance) << p << " " << k;
      }
    }
  }
}

TEST(RopeTest, RotatesQueriesAndKeysButNotValues) {
  std::mt19937 rng(5);
  const int heads = 2, head_dim = 16, hidden = heads * head_dim, rows = 6;
  RopeTableHost table = ComputeRopeTable(10000.0f, head_dim, 32);
  auto qkv = RandomVector(rows * 3 * hidden, rng);
  auto original = qkv;
  std::vector<int32_t> positions = {0, 1, 2, 0, 31, 7};
  ASSERT_TRUE(ApplyRope(Cpu(), View(qkv, {rows, 3 * hidden}), View(positions, {rows}),
                        View(table.cos, {32, head_dim / 2}), View(table.sin, {32, head_dim / 2}),
                        heads)
                  .ok());
  for (int r = 0; r < rows; ++r) {
    const int p = positions[r];
    for (int part = 0; part < 3; ++part) {
      for (int h = 0; h < heads; ++h) {
        const int base = r * 3 * hidden + part * hidden + h * head_dim;
        for (int k = 0; k < head_dim; ++k) {
          double expected = original[base + k];
          if (part < 2) {
            const int j = k % (head_dim / 2);
            const double angle = p / std::pow(10000.0, 2.0 * j / head_dim);
            const double rotated = k < head_dim / 2 ? -original[base + k + head_dim / 2]
                                                    : original[base + k - head_dim / 2];
            expected = original[base + k] * std::cos(angle) + rotated * std::sin(angle);
          }
          EXPECT_NEAR(qkv[base + k], expected, 1e-5) << r << " " << part << " " << k;
        }
      }
    }
  }
}

// Naive attention of one query row: softmax over allowed keys, in double.
std::vector<double> NaiveAttentionRow(const std::vector<float>& qkv, int hidden, int heads,
                                      int start, int length, int i, int half_window) {
  const int head_dim = hidden / heads;
  const int stride = 3 * hidden;
  std::vector<double> out(hidden, 0.0);
  for (int h = 0; h < heads; ++h) {
    std::vector<double> scores;
    std::vector<int> keys;
    for (int j = 0; j < length; ++j) {
      if (half_window >= 0 && std::abs(i - j) > half_window) continue;
      double s = 0;
      for (int d = 0; d < head_dim; ++d) {
        s += double(qkv[(start + i) * stride + h * head_dim + d]) *
             qkv[(start + j) * stride + hidden + h * head_dim + d];
      }
      scores.push_back(s / std::sqrt(double(head_dim)));
      keys.push_back(j);
    }
    const double max_score = *std::max_element(scores.begin(), scores.end());
    double sum = 0;
    for (double& s : scores) sum += (s = std::exp(s - max_score));
    for (size_t k = 0; k < keys.size(); ++k) {
      for (int d = 0; d < head_dim; ++d) {
        out[h * head_dim + d] +=
            scores[k] / sum * qkv[(start + keys[k]) * stride + 2 * hidden + h * head_dim + d];
      }
    }
  }
  return out;
}

struct Packed {
  std::vector<int32_t> cu_seqlens{0};
  int max_seqlen = 0;
  SequenceLayout Layout() {
    SequenceLayout layout;
    layout.host_cu_seqlens = cu_seqlens;
    layout.cu_seqlens = View(cu_seqlens, {static_cast<int64_t>(cu_seqlens.size())});
    layout.max_seqlen = max_seqlen;
    return layout;
  }
};

Packed PackLengths(const std::vector<int>& lengths) {
  Packed p;
  for (int l : lengths) {
    p.cu_seqlens.push_back(p.cu_seqlens.back() + l);
    p.max_seqlen = std::max(p.max_seqlen, l);
  }
  return p;
}

TEST(AttentionTest, MatchesNaiveOnLengthsAroundTheWindow) {
  std::mt19937 rng(6);
  for (int half_window : {-1, 4, 8, 64}) {
    for (int heads : {1, 2, 4}) {
      const int w = half_window < 0 ? 16 : 2 * half_window;
      const int hidden = heads * 16;
      Packed packed = PackLengths({1, w / 2, w / 2 + 1, w + 1, 3 * w, 65, 130});
      const int tokens = packed.cu_seqlens.back();
      auto qkv = RandomVector(tokens * 3 * hidden, rng);
      std::vector<float> out(tokens * hidden);
      ASSERT_TRUE(Attention(Cpu(), View(qkv, {tokens, 3 * hidden}), packed.Layout(), heads,
                            half_window, View(out, {tokens, hidden}))
                      .ok());
      double worst = 0;
      for (size_t b = 0; b + 1 < packed.cu_seqlens.size(); ++b) {
        const int start = packed.cu_seqlens[b];
        const int length = packed.cu_seqlens[b + 1] - start;
        for (int i = 0; i < length; ++i) {
          auto expected = NaiveAttentionRow(qkv, hidden, heads, start, length, i, half_window);
          std::vector<float> row(out.begin() + (start + i) * hidden,
                                 out.begin() + (start + i + 1) * hidden);
          worst = std::max(worst, MaxAbsDiff(row, expected));
        }
      }
      EXPECT_LT(worst, 1e-5) << "half_window " << half_window << " heads " << heads;
    }
  }
}

// Keys and values far outside every window are poisoned with NaN. A dense
// implementation that masks after computing every score multiplies those NaN
// values by zero weights and spreads NaN; a windowed one never reads them.
TEST(AttentionTest, SlidingWindowNeverReadsKeysOutsideTheWindow) {
  std::mt19937 rng(7);
  const int heads = 2, hidden = 32, half_window = 8, length = 2000;
  Packed packed = PackLengths({length});
  auto qkv = RandomVector(length * 3 * hidden, rng);
  const int poison_begin = 1000, poison_end = 1100;
  for (int r = poison_begin; r < poison_end; ++r) {
    for (int c = hidden; c < 3 * hidden; ++c) qkv[r * 3 * hidden + c] = std::nanf("");
  }
  std::vector<float> out(length * hidden);
  ASSERT_TRUE(Attention(Cpu(), View(qkv, {length, 3 * hidden}), packed.Layout(), heads, half_window,
                        View(out, {length, hidden}))
                  .ok());
  // Queries whose own window is clean, with a margin of one query block
  // (keys are read per block of up to 64 queries).
  const int margin = half_window + 64;
  int checked = 0;
  for (int i = 0; i < length; ++i) {
    if (i > poison_begin - margin && i < poison_end + margin) continue;
    auto expected = NaiveAttentionRow(qkv, hidden, heads, 0, length, i, half_window);
    std::vector<float> row(out.begin() + i * hidden, out.begin() + (i + 1) * hidden);
    ASSERT_LT(MaxAbsDiff(row, expected), 1e-5) << "query " << i;
    ++checked;
  }
  EXPECT_GT(checked, 1700);
}

TEST(ActivationTest, GeGluAndGeluUseExactErf) {
  std::mt19937 rng(8);
  const int rows = 7, width = 24;
  auto in = RandomVector(rows * 2 * width, rng, 3.0f);
  std::vector<float> out(rows * width);
  ASSERT_TRUE(GeGlu(Cpu(), View(in, {rows, 2 * width}), View(out, {rows, width})).ok());
  std::vector<double> expected(rows * width);
  for (int r = 0; r < rows; ++r) {
    for (int i = 0; i < width; ++i) {
      expected[r * width + i] =
          GeluReference(in[r * 2 * width + i]) * in[r * 2 * width + width + i];
    }
  }
  EXPECT_LT(MaxAbsDiff(out, expected), 1e-5);

  auto x = RandomVector(50, rng, 4.0f);
  auto original = x;
  ASSERT_TRUE(Gelu(Cpu(), View(x, {50})).ok());
  std::vector<double> gelu(50);
  for (int i = 0; i < 50; ++i) gelu[i] = GeluReference(original[i]);
  EXPECT_LT(MaxAbsDiff(x, gelu), 1e-6);
}

TEST(ActivationTest, TanhMatchesLibm) {
  std::mt19937 rng(15);
  auto x = RandomVector(3 * 16, rng, 3.0f);
  const auto original = x;
  ASSERT_TRUE(Tanh(Cpu(), View(x, {3, 16})).ok());
  std::vector<double> expected(x.size());
  for (size_t i = 0; i < x.size(); ++i) expected[i] = std::tanh(double(original[i]));
  EXPECT_LT(MaxAbsDiff(x, expected), 1e-6);
}

TEST(CpuMathTest, ExpAndErfAreAccurate) {
  double worst_exp = 0, worst_erf = 0;
  for (int i = -870000; i <= 880000; ++i) {
    const float x = i * 1e-4f;
    const double e = std::exp(double(x));
    worst_exp = std::max(worst_exp, std::abs(cpu_math::Exp(x) - e) / e);
  }
  for (int i = -100000; i <= 100000; ++i) {
    const float x = i * 1e-4f;
    worst_erf = std::max(worst_erf, std::abs(cpu_math::Erf(x) - std::erf(double(x))));
  }
  EXPECT_LT(worst_exp, 3e-7);
  EXPECT_LT(worst_erf, 5e-7);
  EXPECT_EQ(cpu_math::Exp(-200.0f), cpu_math::Exp(-87.0f));  // clamped, finite
  EXPECT_EQ(cpu_math::Erf(0.0f), 0.0f);
  EXPECT_EQ(cpu_math::Erf(9.0f), 1.0f);
}

TEST(PoolingTest, ClsMeanAndNormalize) {
  std::mt19937 rng(9);
  const int hidden = 10;
  Packed packed = PackLengths({3, 1, 5});
  auto states = RandomVector(9 * hidden, rng);
  for (bool mean : {false, true}) {
    std::vector<float> out(3 * hidden);
    ASSERT_TRUE(Pool(Cpu(), View(states, {9, hidden}), packed.Layout(), mean, Tensor(),
                     View(out, {3, hidden}))
                    .ok());
    for (int b = 0; b < 3; ++b) {
      const int start = packed.cu_seqlens[b], end = packed.cu_seqlens[b + 1];
      for (int c = 0; c < hidden; ++c) {
        double expected = states[start * hidden + c];
        if (mean) {
          expected = 0;
          for (int t = start; t < end; ++t) expected += states[t * hidden + c];
          expected /= end - start;
        }
        EXPECT_NEAR(out[b * hidden + c], expected, 1e-6);
      }
    }
    ASSERT_TRUE(L2Normalize(Cpu(), View(out, {3, hidden})).ok());
    for (int b = 0; b < 3; ++b) {
      double norm = 0;
      for (int c = 0; c < hidden; ++c) norm += double(out[b * hidden + c]) * out[b * hidden + c];
      EXPECT_NEAR(norm, 1.0, 1e-6);
    }
  }
  std::vector<float> zeros(hidden, 0.0f);
  ASSERT_TRUE(L2Normalize(Cpu(), View(zeros, {1, hidden})).ok());
  for (float z : zeros) EXPECT_EQ(z, 0.0f);
}

// mean_from[b] leaves sequence b's first tokens out of its mean: from an
// offset of 0 bitwise the plain mean, past the last token a zero vector,
// and cls pooling ignores it.
TEST(PoolingTest, MeanFromSkipsLeadingTokens) {
  std::mt19937 rng(10);
  const int hidden = 10;
  Packed packed = PackLengths({3, 1, 5, 4});
  auto states = RandomVector(13 * hidden, rng);
  std::vector<int32_t> mean_from = {0, 1, 2, 9};
  std::vector<float> plain(4 * hidden), skipped(4 * hidden);
  ASSERT_TRUE(Pool(Cpu(), View(states, {13, hidden}), packed.Layout(), true, Tensor(),
                   View(plain, {4, hidden}))
                  .ok());
  ASSERT_TRUE(Pool(Cpu(), View(states, {13, hidden}), packed.Layout(), true, View(mean_from, {4}),
                   View(skipped, {4, hidden}))
                  .ok());
  for (int b = 0; b < 4; ++b) {
    const int start = packed.cu_seqlens[b], end = packed.cu_seqlens[b + 1];
    const int first = std::min(end, start + mean_from[b]);
    for (int c = 0; c < hidden; ++c) {
      double expected = 0;
      for (int t = first; t < end; ++t) expected += states[t * hidden + c];
      if (first < end) expected /= end - first;
      EXPECT_NEAR(skipped[b * hidden + c], expected, 1e-6) << b;
    }
  }
  EXPECT_TRUE(std::equal(plain.begin(), plain.begin() + hidden, skipped.begin()))
      << "an offset of 0 changed the mean";
  EXPECT_EQ(std::vector<float>(skipped.begin() + hidden, skipped.begin() + 2 * hidden),
            std::vector<float>(hidden, 0.0f));

  std::vector<float> cls(4 * hidden), cls_skipped(4 * hidden);
  ASSERT_TRUE(Pool(Cpu(), View(states, {13, hidden}), packed.Layout(), false, Tensor(),
                   View(cls, {4, hidden}))
                  .ok());
  ASSERT_TRUE(Pool(Cpu(), View(states, {13, hidden}), packed.Layout(), false, View(mean_from, {4}),
                   View(cls_skipped, {4, hidden}))
                  .ok());
  EXPECT_EQ(cls, cls_skipped);

  const absl::Status status = Pool(Cpu(), View(states, {13, hidden}), packed.Layout(), true,
                                   View(mean_from, {3}), View(skipped, {4, hidden}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("Pool: mean_from has shape [3], expected [4]"));
}

// A copy names both devices when the tensor is not on the backend's device,
// before touching any memory.
TEST(MemoryTest, CopyThroughAnotherDevicesBackendIsAnError) {
  std::vector<float> host(4), elsewhere(4);
  const Tensor on_gpu(elsewhere.data(), DType::kF32, Device{DeviceType::kCuda, 0}, {4});
  for (const absl::Status& status : {CopyFromHost(Cpu(), host.data(), sizeof(float) * 4, on_gpu),
                                     CopyToHost(Cpu(), on_gpu, host.data(), sizeof(float) * 4)}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), "copy with a tensor on cuda:0 through the backend of cpu");
  }
}

}  // namespace
}  // namespace mbserve
