// Every CUDA op against the CPU op on the same (16-bit rounded) inputs, in
// bf16 and fp16; the flash attention kernel also against the simple CUDA
// kernel at lengths around tiles and windows up to 8192. Exits 77 (ctest:
// skipped) with a message when no CUDA device or driver is present.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/memory.h"
#include "engine/model/dtype_convert.h"
#include "engine/ops/activation.h"
#include "engine/ops/attention.h"
#include "engine/ops/attention_cuda.h"
#include "engine/ops/backend_cuda.h"
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

constexpr Device kGpu{DeviceType::kCuda, 0};

Backend& Cpu() { return *GetBackend(kCpuDevice).value(); }
Backend& Gpu() { return *GetBackend(kGpu).value(); }

std::vector<float> RandomVector(size_t n, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Rounds every value to `dtype` and back, so CPU and GPU see the same inputs.
std::vector<float> Rounded(const std::vector<float>& v, DType dtype) {
  std::vector<uint16_t> narrow(v.size());
  ConvertFromFloat32(v.data(), v.size(), dtype, narrow.data());
  std::vector<float> out(v.size());
  ConvertToFloat32(narrow.data(), dtype, narrow.size(), out.data());
  return out;
}

Tensor HostView(std::vector<float>& v, std::initializer_list<int64_t> shape) {
  return Tensor(v.data(), DType::kF32, kCpuDevice, shape);
}
// A weight prepared for Linear on its device (packed float32 on the CPU).
LinearWeight AsWeight(const Tensor& w) {
  absl::StatusOr<LinearWeight> prepared = LinearWeight::Prepare(w, Buffer(), DType::kF32);
  EXPECT_TRUE(prepared.ok()) << prepared.status();
  return *std::move(prepared);
}
Tensor HostView(std::vector<int32_t>& v, std::initializer_list<int64_t> shape) {
  return Tensor(v.data(), DType::kI32, kCpuDevice, shape);
}

// A device copy of host floats in `dtype` (F32 stays float32).
struct DeviceTensor {
  Buffer buffer;
  Tensor tensor;
};
DeviceTensor Upload(const std::vector<float>& v, DType dtype,
                    std::initializer_list<int64_t> shape) {
  DeviceTensor d;
  auto buffer = Buffer::Allocate(Gpu(), v.size() * DTypeSize(dtype));
  EXPECT_TRUE(buffer.ok()) << buffer.status();
  d.buffer = std::move(*buffer);
  d.tensor = d.buffer.View(dtype, shape);
  if (dtype == DType::kF32) {
    EXPECT_TRUE(CopyFromHost(Gpu(), v.data(), v.size() * sizeof(float), d.tensor).ok());
  } else {
    std::vector<uint16_t> narrow(v.size());
    ConvertFromFloat32(v.data(), v.size(), dtype, narrow.data());
    EXPECT_TRUE(CopyFromHost(Gpu(), narrow.data(), narrow.size() * 2, d.tensor).ok());
  }
  return d;
}
DeviceTensor UploadInts(const std::vector<int32_t>& v, std::initializer_list<int64_t> shape) {
  DeviceTensor d;
  auto buffer = Buffer::Allocate(Gpu(), v.size() * sizeof(int32_t));
  EXPECT_TRUE(buffer.ok()) << buffer.status();
  d.buffer = std::move(*buffer);
  d.tensor = d.buffer.View(DType::kI32, shape);
  EXPECT_TRUE(CopyFromHost(Gpu(), v.data(), v.size() * sizeof(int32_t), d.tensor).ok());
  return d;
}
std::vector<float> Download(const Tensor& t) {
  std::vector<uint16_t> narrow(t.numel());
  const absl::Status status = CopyToHost(Gpu(), t, narrow.data(), t.bytes());
  EXPECT_TRUE(status.ok()) << status;
  std::vector<float> out(t.numel());
  ConvertToFloat32(narrow.data(), t.dtype(), narrow.size(), out.data());
  return out;
}

// Largest |a - b| / (atol + rtol * |b|); <= 1 passes.
double WorstRatio(const std::vector<float>& got, const std::vector<float>& want, double atol,
                  double rtol) {
  EXPECT_EQ(got.size(), want.size());
  double worst = 0;
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    worst = std::max(worst, std::abs(got[i] - want[i]) / (atol + rtol * std::abs(want[i])));
  }
  return worst;
}

// Relative precision of one rounding to the dtype.
double Epsilon(DType dtype) { return dtype == DType::kBF16 ? 1.0 / 128 : 1.0 / 1024; }

class CudaOpsTest : public ::testing::TestWithParam<DType> {};

TEST_P(CudaOpsTest, LinearMatchesCpuAndAccumulates) {
  const DType dtype = GetParam();
  std::mt19937 rng(1);
  for (auto [rows, in, out_features] :
       {std::tuple{1, 8, 5}, {17, 64, 192}, {100, 96, 33}, {512, 768, 2304}, {64, 1152, 768}}) {
    auto x = Rounded(RandomVector(rows * in, rng), dtype);
    auto w = Rounded(RandomVector(out_features * in, rng, 1.0f / std::sqrt(float(in))), dtype);
    auto initial = Rounded(RandomVector(rows * out_features, rng), dtype);
    for (bool accumulate : {false, true}) {
      auto want = initial;
      ASSERT_TRUE(Linear(Cpu(), HostView(x, {rows, in}), AsWeight(HostView(w, {out_features, in})),
                         HostView(want, {rows, out_features}), accumulate)
                      .ok());
      auto dx = Upload(x, dtype, {rows, in});
      auto dw = Upload(w, dtype, {out_features, in});
      auto dout = Upload(initial, dtype, {rows, out_features});
      ASSERT_TRUE(Linear(Gpu(), dx.tensor, AsWeight(dw.tensor), dout.tensor, accumulate).ok());
      const auto got = Download(dout.tensor);
      EXPECT_LE(WorstRatio(got, want, 4 * Epsilon(dtype), 2 * Epsilon(dtype)), 1.0)
          << rows << "x" << in << "x" << out_features << " accumulate " << accumulate;
    }
  }
}

// A row's result must not depend on how many rows share the GEMM.
TEST_P(CudaOpsTest, LinearRowsDoNotDependOnRowCount) {
  const DType dtype = GetParam();
  std::mt19937 rng(2);
  const int in = 768, out_features = 2304, big = 4096;
  auto x = RandomVector(big * in, rng);
  auto w = RandomVector(out_features * in, rng, 0.03f);
  std::vector<float> zeros(big * out_features, 0.0f);
  auto dx = Upload(x, dtype, {big, in});
  auto dw = Upload(w, dtype, {out_features, in});
  auto dout = Upload(zeros, dtype, {big, out_features});
  ASSERT_TRUE(Linear(Gpu(), dx.tensor, AsWeight(dw.tensor), dout.tensor, false).ok());
  const auto all = Download(dout.tensor);
  for (int rows : {16, 48, 512, 1040}) {
    auto dsmall = Upload(zeros, dtype, {rows, out_features});
    ASSERT_TRUE(
        Linear(Gpu(), dx.tensor.RowSlice(0, rows), AsWeight(dw.tensor), dsmall.tensor, false).ok());
    const auto some = Download(dsmall.tensor);
    EXPECT_EQ(0, std::memcmp(some.data(), all.data(), some.size() * sizeof(float)))
        << "first " << rows << " rows differ from the same rows in a " << big << "-row GEMM";
  }
}

TEST_P(CudaOpsTest, AddBiasMatchesCpu) {
  const DType dtype = GetParam();
  std::mt19937 rng(3);
  auto x = Rounded(RandomVector(7 * 33, rng), dtype);
  auto bias = Rounded(RandomVector(33, rng), dtype);
  auto want = x;
  ASSERT_TRUE(AddBias(Cpu(), HostView(want, {7, 33}), HostView(bias, {33})).ok());
  auto dx = Upload(x, dtype, {7, 33});
  auto db = Upload(bias, dtype, {33});
  ASSERT_TRUE(AddBias(Gpu(), dx.tensor, db.tensor).ok());
  EXPECT_LE(WorstRatio(Download(dx.tensor), want, Epsilon(dtype), Epsilon(dtype)), 1.0);
}

TEST_P(CudaOpsTest, LayerNormsMatchCpu) {
  const DType dtype = GetParam();
  std::mt19937 rng(4);
  // 768: 16-byte vector path; 50: scalar path.
  for (int hidden : {768, 50}) {
    const int rows = 37, vocab = 101;
    auto x = Rounded(RandomVector(rows * hidden, rng, 3.0f), dtype);
    auto table = Rounded(RandomVector(vocab * hidden, rng, 2.0f), dtype);
    auto gamma = Rounded(RandomVector(hidden, rng), dtype);
    std::vector<int32_t> ids(rows);
    for (auto& id : ids) id = std::uniform_int_distribution<int>(0, vocab - 1)(rng);
    std::vector<float> want(rows * hidden), want_emb(rows * hidden);
    ASSERT_TRUE(LayerNorm(Cpu(), HostView(x, {rows, hidden}), HostView(gamma, {hidden}), 1e-5f,
                          HostView(want, {rows, hidden}))
                    .ok());
    ASSERT_TRUE(EmbeddingLayerNorm(Cpu(), HostView(ids, {rows}), HostView(table, {vocab, hidden}),
                                   HostView(gamma, {hidden}), 1e-5f,
                                   HostView(want_emb, {rows, hidden}))
                    .ok());
    auto dx = Upload(x, dtype, {rows, hidden});
    auto dtable = Upload(table, dtype, {vocab, hidden});
    auto dgamma = Upload(gamma, dtype, {hidden});
    auto dids = UploadInts(ids, {rows});
    auto dout = Upload(std::vector<float>(rows * hidden), dtype, {rows, hidden});
    ASSERT_TRUE(LayerNorm(Gpu(), dx.tensor, dgamma.tensor, 1e-5f, dout.tensor).ok());
    EXPECT_LE(WorstRatio(Download(dout.tensor), want, 2 * Epsilon(dtype), 2 * Epsilon(dtype)), 1.0)
        << "LayerNorm hidden " << hidden;
    ASSERT_TRUE(
        EmbeddingLayerNorm(Gpu(), dids.tensor, dtable.tensor, dgamma.tensor, 1e-5f, dout.tensor)
            .ok());
    EXPECT_LE(WorstRatio(Download(dout.tensor), want_emb, 2 * Epsilon(dtype), 2 * Epsilon(dtype)),
              1.0)
        << "EmbeddingLayerNorm hidden " << hidden;
  }
}

TEST_P(CudaOpsTest, BertEmbeddingsAndBiasedLayerNormMatchCpu) {
  const DType dtype = GetParam();
  std::mt19937 rng(14);
  for (int hidden : {384, 50}) {
    const int rows = 29, vocab = 101, positions = 64, types = 2;
    auto word = Rounded(RandomVector(vocab * hidden, rng), dtype);
    auto position = Rounded(RandomVector(positions * hidden, rng), dtype);
    auto type = Rounded(RandomVector(types * hidden, rng), dtype);
    auto gamma = Rounded(RandomVector(hidden, rng), dtype);
    auto beta = Rounded(RandomVector(hidden, rng), dtype);
    std::vector<int32_t> ids(rows), pos(rows), segment(rows);
    for (int r = 0; r < rows; ++r) {
      ids[r] = std::uniform_int_distribution<int>(0, vocab - 1)(rng);
      pos[r] = r % positions;
      segment[r] = r > rows / 2;
    }
    std::vector<float> want(rows * hidden);
    ASSERT_TRUE(SumEmbeddings(Cpu(), HostView(ids, {rows}), HostView(pos, {rows}),
                              HostView(segment, {rows}), HostView(word, {vocab, hidden}),
                              HostView(position, {positions, hidden}),
                              HostView(type, {types, hidden}), HostView(want, {rows, hidden}))
                    .ok());
    auto dids = UploadInts(ids, {rows});
    auto dpos = UploadInts(pos, {rows});
    auto dsegment = UploadInts(segment, {rows});
    auto dword = Upload(word, dtype, {vocab, hidden});
    auto dposition = Upload(position, dtype, {positions, hidden});
    auto dtype_table = Upload(type, dtype, {types, hidden});
    auto dout = Upload(std::vector<float>(rows * hidden), dtype, {rows, hidden});
    ASSERT_TRUE(SumEmbeddings(Gpu(), dids.tensor, dpos.tensor, dsegment.tensor, dword.tensor,
                              dposition.tensor, dtype_table.tensor, dout.tensor)
                    .ok());
    const std::vector<float> summed = Download(dout.tensor);
    EXPECT_LE(WorstRatio(summed, want, Epsilon(dtype), Epsilon(dtype)), 1.0)
        << "SumEmbeddings hidden " << hidden;

    // The biased LayerNorm in place, from the device's own sum.
    std::vector<float> want_norm = summed;
    ASSERT_TRUE(LayerNorm(Cpu(), HostView(want_norm, {rows, hidden}), HostView(gamma, {hidden}),
                          HostView(beta, {hidden}), 1e-12f, HostView(want_norm, {rows, hidden}))
                    .ok());
    auto dgamma = Upload(gamma, dtype, {hidden});
    auto dbeta = Upload(beta, dtype, {hidden});
    ASSERT_TRUE(
        LayerNorm(Gpu(), dout.tensor, dgamma.tensor, dbeta.tensor, 1e-12f, dout.tensor).ok());
    EXPECT_LE(WorstRatio(Download(dout.tensor), want_norm, 2 * Epsilon(dtype), 2 * Epsilon(dtype)),
              1.0)
        << "biased LayerNorm hidden " << hidden;
  }
}

TEST_P(CudaOpsTest, RopeMatchesCpu) {
  const DType dtype = GetParam();
  std::mt19937 rng(5);
  // head_dim 64: vector path; 24 (half 12): scalar path.
  for (auto [heads, head_dim] : {std::pair{3, 64}, {2, 24}, {2, 128}}) {
    const int rows = 40, positions_count = 8192, width = 3 * heads * head_dim;
    RopeTableHost table = ComputeRopeTable(160000.0f, head_dim, positions_count);
    auto qkv = Rounded(RandomVector(rows * width, rng), dtype);
    std::vector<int32_t> positions(rows);
    for (auto& p : positions) p = std::uniform_int_distribution<int>(0, positions_count - 1)(rng);
    positions[0] = 0;
    positions[1] = positions_count - 1;
    auto want = qkv;
    ASSERT_TRUE(ApplyRope(Cpu(), HostView(want, {rows, width}), HostView(positions, {rows}),
                          HostView(table.cos, {positions_count, head_dim / 2}),
                          HostView(table.sin, {positions_count, head_dim / 2}), heads)
                    .ok());
    auto dqkv = Upload(qkv, dtype, {rows, width});
    auto dpos = UploadInts(positions, {rows});
    auto dcos = Upload(table.cos, DType::kF32, {positions_count, head_dim / 2});
    auto dsin = Upload(table.sin, DType::kF32, {positions_count, head_dim / 2});
    ASSERT_TRUE(ApplyRope(Gpu(), dqkv.tensor, dpos.tensor, dcos.tensor, dsin.tensor, heads).ok());
    EXPECT_LE(WorstRatio(Download(dqkv.tensor), want, 2 * Epsilon(dtype), Epsilon(dtype)), 1.0)
        << "head_dim " << head_dim;
  }
}

TEST_P(CudaOpsTest, GeGluAndGeluMatchCpu) {
  const DType dtype = GetParam();
  std::mt19937 rng(6);
  for (int width : {1152, 13}) {
    const int rows = 21;
    auto in = Rounded(RandomVector(rows * 2 * width, rng, 2.0f), dtype);
    std::vector<float> want(rows * width);
    ASSERT_TRUE(GeGlu(Cpu(), HostView(in, {rows, 2 * width}), HostView(want, {rows, width})).ok());
    auto din = Upload(in, dtype, {rows, 2 * width});
    auto dout = Upload(std::vector<float>(rows * width), dtype, {rows, width});
    ASSERT_TRUE(GeGlu(Gpu(), din.tensor, dout.tensor).ok());
    EXPECT_LE(WorstRatio(Download(dout.tensor), want, Epsilon(dtype), 2 * Epsilon(dtype)), 1.0)
        << "GeGlu width " << width;

    auto gelu_want = in;
    ASSERT_TRUE(Gelu(Cpu(), HostView(gelu_want, {rows, 2 * width})).ok());
    ASSERT_TRUE(Gelu(Gpu(), din.tensor).ok());
    EXPECT_LE(WorstRatio(Download(din.tensor), gelu_want, Epsilon(dtype), Epsilon(dtype)), 1.0)
        << "Gelu width " << width;

    auto tanh_want = in;
    ASSERT_TRUE(Tanh(Cpu(), HostView(tanh_want, {rows, 2 * width})).ok());
    auto dtanh = Upload(in, dtype, {rows, 2 * width});
    ASSERT_TRUE(Tanh(Gpu(), dtanh.tensor).ok());
    EXPECT_LE(WorstRatio(Download(dtanh.tensor), tanh_want, Epsilon(dtype), Epsilon(dtype)), 1.0)
        << "Tanh width " << width;
  }
}

TEST_P(CudaOpsTest, PoolAndNormalizeMatchCpu) {
  const DType dtype = GetParam();
  std::mt19937 rng(7);
  std::vector<int32_t> cu = {0, 1, 9, 100, 1124, 1130};
  const int tokens = cu.back(), n = static_cast<int>(cu.size()) - 1;
  // Means from an offset: nothing left, a few tokens in, most of a long
  // sequence skipped, past the end.
  std::vector<int32_t> mean_from = {1, 3, 50, 1023, 7};
  auto dmean_from = UploadInts(mean_from, {n});
  for (int width : {768, 45}) {
    auto hidden = Rounded(RandomVector(tokens * width, rng), dtype);
    auto dhidden = Upload(hidden, dtype, {tokens, width});
    auto dcu = UploadInts(cu, {n + 1});
    SequenceLayout host_layout{cu, HostView(cu, {n + 1}), 1024};
    SequenceLayout device_layout{cu, dcu.tensor, 1024};
    for (bool mean : {false, true}) {
      for (bool skip : {false, true}) {
        std::vector<float> want(n * width);
        ASSERT_TRUE(Pool(Cpu(), HostView(hidden, {tokens, width}), host_layout, mean,
                         skip ? HostView(mean_from, {n}) : Tensor(), HostView(want, {n, width}))
                        .ok());
        ASSERT_TRUE(L2Normalize(Cpu(), HostView(want, {n, width})).ok());
        auto dout = Upload(std::vector<float>(n * width), dtype, {n, width});
        ASSERT_TRUE(Pool(Gpu(), dhidden.tensor, device_layout, mean,
                         skip ? dmean_from.tensor : Tensor(), dout.tensor)
                        .ok());
        ASSERT_TRUE(L2Normalize(Gpu(), dout.tensor).ok());
        EXPECT_LE(WorstRatio(Download(dout.tensor), want, Epsilon(dtype) / 8, Epsilon(dtype)), 1.0)
            << (mean ? "mean" : "cls") << (skip ? " from offsets" : "") << " width " << width;
      }
    }
  }
}

struct AttentionCase {
  std::vector<int32_t> lengths;
  int heads;
  int head_dim;
  int half_window;
};

// Packs random qkv for the lengths, runs the CPU op and the CUDA op (flash
// kernel, or whatever LaunchAttention picks) and compares; rows past the
// batch must stay untouched.
void CheckAttention(const AttentionCase& c, DType dtype, std::mt19937& rng) {
  std::vector<int32_t> cu = {0};
  for (int len : c.lengths) cu.push_back(cu.back() + len);
  const int tokens = cu.back(), n = static_cast<int>(c.lengths.size());
  const int hidden = c.heads * c.head_dim, rows = tokens + 16;
  const int max_len = *std::max_element(c.lengths.begin(), c.lengths.end());
  auto qkv = Rounded(RandomVector(rows * 3 * hidden, rng, 1.5f), dtype);
  std::vector<float> want(rows * hidden, 7.0f);
  SequenceLayout host_layout{cu, HostView(cu, {n + 1}), max_len};
  ASSERT_TRUE(Attention(Cpu(), HostView(qkv, {rows, 3 * hidden}), host_layout, c.heads,
                        c.half_window, HostView(want, {rows, hidden}))
                  .ok());
  auto dqkv = Upload(qkv, dtype, {rows, 3 * hidden});
  auto dcu = UploadInts(cu, {n + 1});
  auto dout = Upload(std::vector<float>(rows * hidden, 7.0f), dtype, {rows, hidden});
  SequenceLayout device_layout{cu, dcu.tensor, max_len};
  ASSERT_TRUE(
      Attention(Gpu(), dqkv.tensor, device_layout, c.heads, c.half_window, dout.tensor).ok());
  const auto got = Download(dout.tensor);
  std::string lengths;
  for (int len : c.lengths) lengths += std::to_string(len) + " ";
  // Outputs are convex combinations of V (|V| ~ 1.5): P is rounded to the
  // dtype for the tensor-core product, the output once more.
  EXPECT_LE(WorstRatio(got, want, 3 * Epsilon(dtype), 2 * Epsilon(dtype)), 1.0)
      << DTypeName(dtype) << " head_dim " << c.head_dim << " window " << c.half_window
      << " lengths " << lengths;
  for (size_t i = static_cast<size_t>(tokens) * hidden; i < got.size(); ++i) {
    ASSERT_EQ(got[i], 7.0f) << "padding row " << i / hidden << " was written";
  }
}

TEST_P(CudaOpsTest, AttentionMatchesCpuAroundTileAndWindowEdges) {
  const DType dtype = GetParam();
  std::mt19937 rng(8);
  const std::vector<int32_t> edges = {1, 63, 64, 65, 127, 128, 129, 2, 300, 31};
  for (int head_dim : {32, 64, 128}) {
    for (int half_window : {-1, 64, 16}) {
      CheckAttention({edges, 2, head_dim, half_window}, dtype, rng);
    }
  }
  // Head sizes the flash kernel does not take run on the simple kernel.
  CheckAttention({{5, 70, 129}, 3, 16, -1}, dtype, rng);
  CheckAttention({{5, 70, 129}, 2, 48, 8}, dtype, rng);
}

TEST_P(CudaOpsTest, AttentionMatchesCpuOnLongSequences) {
  const DType dtype = GetParam();
  std::mt19937 rng(9);
  CheckAttention({{8192}, 1, 64, -1}, dtype, rng);
  CheckAttention({{8192, 3, 4000}, 2, 64, 64}, dtype, rng);
}

// The flash kernel against the simple kernel, both on the GPU, on a batch of
// many lengths up to 8192 (too slow for the CPU at this size).
TEST_P(CudaOpsTest, FlashMatchesSimpleKernelOnManySequences) {
  const DType dtype = GetParam();
  std::mt19937 rng(10);
  std::vector<int32_t> cu = {0};
  for (int len : {8192, 1, 777, 4096, 64, 65, 5000, 129, 2048}) cu.push_back(cu.back() + len);
  const int tokens = cu.back(), n = static_cast<int>(cu.size()) - 1;
  auto& backend = static_cast<CudaBackend&>(Gpu());
  for (int head_dim : {32, 64, 128}) {
    const int heads = 256 / head_dim, hidden = heads * head_dim;
    auto qkv = RandomVector(static_cast<size_t>(tokens) * 3 * hidden, rng, 1.5f);
    auto dqkv = Upload(qkv, dtype, {tokens, 3 * hidden});
    auto dcu = UploadInts(cu, {n + 1});
    auto flash = Upload(std::vector<float>(tokens * hidden), dtype, {tokens, hidden});
    auto simple = Upload(std::vector<float>(tokens * hidden), dtype, {tokens, hidden});
    for (int half_window : {-1, 64}) {
      cuda::AttentionArgs args;
      args.dtype = dtype;
      args.qkv = dqkv.tensor.raw();
      args.cu_seqlens = dcu.tensor.data<int32_t>();
      args.num_sequences = n;
      args.num_tokens = tokens;
      args.max_seqlen = 8192;
      args.num_heads = heads;
      args.head_dim = head_dim;
      args.half_window = half_window;
      ASSERT_TRUE(cuda::FlashAttentionSupports(args));
      args.out = flash.tensor.raw();
      ASSERT_EQ(cuda::LaunchFlashAttention(args, backend.stream()), "");
      args.out = simple.tensor.raw();
      ASSERT_EQ(cuda::LaunchReferenceAttention(args, backend.stream()), "");
      EXPECT_LE(WorstRatio(Download(flash.tensor), Download(simple.tensor), 3 * Epsilon(dtype),
                           2 * Epsilon(dtype)),
                1.0)
          << "head_dim " << head_dim << " window " << half_window;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaOpsTest, ::testing::Values(DType::kBF16, DType::kF16),
                         [](const auto& info) { return std::string(DTypeName(info.param)); });

// A launch that fails is the error of the op that launched it, at once, and
// leaves nothing behind for the next op or copy.
TEST(CudaBackendTest, UnsupportedDtypeFailsTheOpItself) {
  std::vector<float> x(16 * 8, 1.0f), w(8 * 8, 1.0f);
  auto dx = Upload(x, DType::kF32, {16, 8});
  auto dw = Upload(w, DType::kF32, {8, 8});
  auto dout = Upload(std::vector<float>(16 * 8), DType::kF32, {16, 8});
  absl::Status status = Linear(Gpu(), dx.tensor, AsWeight(dw.tensor), dout.tensor);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("Linear on CUDA device 0"));
  EXPECT_THAT(status.message(), HasSubstr("bf16 or f16"));
  status = LayerNorm(Gpu(), dx.tensor, Upload(std::vector<float>(8, 1.0f), DType::kF32, {8}).tensor,
                     1e-5f, dout.tensor);
  EXPECT_THAT(status.message(), HasSubstr("LayerNorm on CUDA device 0"));
  EXPECT_TRUE(Gpu().Synchronize().ok()) << "no failure is left for later";
}

TEST(CudaBackendTest, MissingDeviceIsNamed) {
  auto backend = GetBackend(Device{DeviceType::kCuda, 999});
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(backend.status().message(), HasSubstr("no CUDA device 999 (found "));
}

TEST(CudaBackendTest, LargeCopiesRoundTripThroughStaging) {
  // Larger than one staging slot, not a multiple of it.
  std::vector<int32_t> v(5'000'003);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int32_t>(i * 2654435761u);
  auto d = UploadInts(v, {static_cast<int64_t>(v.size())});
  std::vector<int32_t> back(v.size());
  ASSERT_TRUE(CopyToHost(Gpu(), d.tensor, back.data(), back.size() * sizeof(int32_t)).ok());
  EXPECT_EQ(back, v);
}

}  // namespace
}  // namespace mbserve

int main(int argc, char** argv) {
  absl::StatusOr<int> devices = mbserve::CudaDeviceCount();
  if (!devices.ok() || *devices == 0) {
    std::printf("SKIPPED: no CUDA device (%s); the CUDA op tests need one\n",
                devices.ok() ? "0 devices found" : std::string(devices.status().message()).c_str());
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
