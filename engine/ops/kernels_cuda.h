// The CUDA kernels behind CudaBackend, declared in plain C++ so that the
// backend (compiled by g++ with abseil) and the kernels (compiled by nvcc,
// which must not see abseil, spdlog or fmt) meet here. Every launcher checks
// its own launch limits and returns "" on success or a message naming what
// failed; work is queued on `stream` and runs asynchronously.
//
// Activations are bf16 or fp16 (DType::kBF16 / kF16) with float32 arithmetic
// inside every kernel; RoPE tables stay float32.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/tensor.h"

namespace mbserve::cuda {

// ---- GEMM (linear_cuda.cu) ----

// A cuBLASLt handle, its workspace and the algorithm chosen per shape. The
// algorithm for a weight shape (N, K) is chosen once, for a large
// representative row count, and reused for every row count M, without
// split-K: a row's result then never depends on how many rows the batch has
// (batch invariance), which a per-M choice would break.
class Gemm {
 public:
  Gemm();
  ~Gemm();
  Gemm(const Gemm&) = delete;
  Gemm& operator=(const Gemm&) = delete;

  // Creates the handle and a workspace of `workspace_bytes` on the current device.
  std::string Init(size_t workspace_bytes);
  // out[M, N] = x[M, K] @ w[N, K]^T, plus out's old value when accumulate
  // (beta = 1: the residual add fused into the GEMM). fp32 accumulation.
  std::string Run(DType dtype, const void* x, const void* w, void* out, int64_t m, int64_t n,
                  int64_t k, bool accumulate, cudaStream_t stream);
  // How many distinct shapes have a cached plan (for tests).
  size_t cached_plans() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// x[r, :] += bias (linear_cuda.cu).
std::string LaunchAddBias(DType dtype, void* x, const void* bias, int64_t rows, int64_t cols,
                          cudaStream_t stream);

// ---- Norms (norm_cuda.cu): LayerNorm, biased variance ----

// out[r, :] = LayerNorm(table[ids[r], :]) * gamma.
std::string LaunchEmbeddingLayerNorm(DType dtype, const int32_t* ids, const void* table,
                                     const void* gamma, float eps, int64_t rows, int64_t hidden,
                                     void* out, cudaStream_t stream);
// out[r, :] = LayerNorm(x[r, :]) * gamma (+ beta unless beta is null); out
// may equal x.
std::string LaunchLayerNorm(DType dtype, const void* x, const void* gamma, const void* beta,
                            float eps, int64_t rows, int64_t hidden, void* out,
                            cudaStream_t stream);

// ---- Embeddings (embedding_cuda.cu) ----

// out[r, :] = word[ids[r], :] + type[types[r], :] + position[positions[r], :].
std::string LaunchSumEmbeddings(DType dtype, const int32_t* ids, const int32_t* positions,
                                const int32_t* types, const void* word, const void* position,
                                const void* type, int64_t rows, int64_t hidden, void* out,
                                cudaStream_t stream);

// ---- RoPE (rope_cuda.cu) ----

// Rotates the Q and K thirds of qkv [rows, 3 * num_heads * head_dim] in
// place, GPT-NeoX "rotate_half", with float32 cos/sin [max_positions,
// head_dim / 2] rows picked by positions[r]. Rows whose position is outside
// [0, max_positions) are left alone.
std::string LaunchRope(DType dtype, void* qkv, const int32_t* positions, const float* cos,
                       const float* sin, int64_t rows, int num_heads, int head_dim,
                       int64_t max_positions, cudaStream_t stream);

// ---- Activations (activation_cuda.cu): exact erf GELU ----

// out[r, i] = GELU(in[r, i]) * in[r, width + i]; in [rows, 2 * width].
std::string LaunchGeGlu(DType dtype, const void* in, void* out, int64_t rows, int64_t width,
                        cudaStream_t stream);
// x[i] = GELU(x[i]) for count elements.
std::string LaunchGelu(DType dtype, void* x, int64_t count, cudaStream_t stream);
// x[i] = tanh(x[i]) for count elements.
std::string LaunchTanh(DType dtype, void* x, int64_t count, cudaStream_t stream);

// ---- Pooling (pooling_cuda.cu) ----

// out[b, :] = hidden[cu_seqlens[b], :] (cls) or the mean of rows
// [cu_seqlens[b], cu_seqlens[b + 1]) (mean), summed in float32.
std::string LaunchPool(DType dtype, const void* hidden, const int32_t* cu_seqlens,
                       int num_sequences, int64_t width, bool mean, void* out, cudaStream_t stream);
// x[r, :] /= max(||x[r, :]||_2, 1e-12).
std::string LaunchL2Normalize(DType dtype, void* x, int64_t rows, int64_t width,
                              cudaStream_t stream);

// ---- Attention (attention_cuda.cu, attention_reference_cuda.cu) ----

struct AttentionArgs {
  DType dtype = DType::kBF16;
  const void* qkv = nullptr;            // [>= num_tokens, 3 * hidden]: Q | K | V
  const int32_t* cu_seqlens = nullptr;  // device, [num_sequences + 1]
  int num_sequences = 0;
  int num_tokens = 0;  // cu_seqlens[num_sequences], known on the host
  int max_seqlen = 0;
  int num_heads = 0;
  int head_dim = 0;
  int half_window = -1;  // < 0: every key; else keys with |i - j| <= half_window
  void* out = nullptr;   // [>= num_tokens, hidden]; only real rows are written
};

// True when the tensor-core flash kernel takes these arguments (head_dim 32,
// 64 or 128 and 16-byte aligned rows); otherwise LaunchAttention uses the
// simple kernel below.
bool FlashAttentionSupports(const AttentionArgs& args);
// Varlen flash-style attention: the flash kernel where supported, else the
// reference kernel.
std::string LaunchAttention(const AttentionArgs& args, cudaStream_t stream);
// The flash kernel alone; an error if it does not support the arguments.
std::string LaunchFlashAttention(const AttentionArgs& args, cudaStream_t stream);
// One warp per (query, head), float32 online softmax over the allowed keys:
// slow, simple, any head_dim up to 256. The fallback, and the reference the
// flash kernel is tested against.
std::string LaunchReferenceAttention(const AttentionArgs& args, cudaStream_t stream);

}  // namespace mbserve::cuda
