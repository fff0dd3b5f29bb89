// The per-device half of every op. ops/<op>.cc checks shapes and devices and
// then calls the Backend of the tensors' device; each device implements this
// interface once (backend_cpu.cc with the <op>_cpu.cc kernels; a CUDA backend
// adds its own files and a line in backend.cc). The model never sees it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "engine/ops/linear.h"
#include "engine/tensor.h"

namespace mbserve {

// Where the sequences of a packed batch start and end, on the host (for
// planning) and on the device (for kernels). On the CPU both are the same.
struct SequenceLayout {
  std::span<const int32_t> host_cu_seqlens;  // [n + 1]
  Tensor cu_seqlens;                         // int32 [n + 1] on the device
  int max_seqlen = 0;

  int num_sequences() const { return static_cast<int>(host_cu_seqlens.size()) - 1; }
  int num_tokens() const { return host_cu_seqlens.back(); }
};

class Backend {
 public:
  virtual ~Backend() = default;

  // Memory. Allocation failures return nullptr and fill *error.
  virtual void* Allocate(size_t bytes, std::string* error) = 0;
  virtual void Free(void* data) = 0;
  virtual absl::Status CopyFromHost(const void* host, void* device, size_t bytes) = 0;
  virtual absl::Status CopyToHost(const void* device, void* host, size_t bytes) = 0;
  // Waits for queued work; results copied to the host are valid afterwards.
  virtual absl::Status Synchronize() = 0;

  // out[r, :] = x[r, :] @ w^T (+ out[r, :] when accumulate). Row r of out
  // must depend on row r of x alone, bitwise, whatever the row count.
  virtual void Linear(const Tensor& x, const LinearWeight& w, const Tensor& out,
                      bool accumulate) = 0;
  // out[r, :] += bias.
  virtual void AddBias(const Tensor& x, const Tensor& bias) = 0;
  // out[r, :] = LayerNorm(table[ids[r], :]) * gamma.
  virtual void EmbeddingLayerNorm(const Tensor& ids, const Tensor& table, const Tensor& gamma,
                                  float eps, const Tensor& out) = 0;
  // out[r, :] = LayerNorm(x[r, :]) * gamma (+ beta unless beta is empty),
  // biased variance; out may be x.
  virtual void LayerNorm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps,
                         const Tensor& out) = 0;
  // out[r, :] = word[ids[r], :] + position[positions[r], :] + type[types[r], :].
  virtual void SumEmbeddings(const Tensor& ids, const Tensor& positions, const Tensor& types,
                             const Tensor& word, const Tensor& position, const Tensor& type,
                             const Tensor& out) = 0;
  // Rotates the Q and K thirds of qkv [T, 3H] in place; cos/sin are
  // [max_positions, head_dim / 2] tables of one theta.
  virtual void ApplyRope(const Tensor& qkv, const Tensor& positions, const Tensor& cos,
                         const Tensor& sin, int num_heads) = 0;
  // Softmax attention of each sequence over itself, out [T, H]. half_window
  // < 0 attends to every key; otherwise only keys with |i - j| <= half_window.
  virtual void Attention(const Tensor& qkv, const SequenceLayout& layout, int num_heads,
                         int half_window, const Tensor& out) = 0;
  // out = GELU(in[:, :I]) * in[:, I:], in [T, 2I], out [T, I]; exact erf GELU.
  virtual void GeGlu(const Tensor& in, const Tensor& out) = 0;
  // x = GELU(x), exact erf form.
  virtual void Gelu(const Tensor& x) = 0;
  // x = tanh(x).
  virtual void Tanh(const Tensor& x) = 0;
  // out[b, :] = cls or mean pooling of sequence b of hidden [T, H].
  virtual void Pool(const Tensor& hidden, const SequenceLayout& layout, bool mean,
                    const Tensor& out) = 0;
  // x[r, :] /= max(||x[r, :]||_2, 1e-12).
  virtual void L2Normalize(const Tensor& x) = 0;
};

// The backend of a device, or an error naming the device when that backend
// is not compiled in or the device does not exist.
absl::StatusOr<Backend*> GetBackend(Device device);

}  // namespace mbserve
