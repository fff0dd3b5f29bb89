// The CPU backend: float32 activations, GEMMs on the project's own kernels
// (ops/cpu_gemm/) for the process ISA, the rest as OpenMP loops over rows.
// Each method lives in ops/<op>_cpu.cc.
#pragma once

#include "engine/ops/backend.h"
#include "engine/ops/cpu_gemm/isa.h"

namespace mbserve {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(cpu_gemm::CpuIsa isa) : isa_(isa) {}
  cpu_gemm::CpuIsa isa() const { return isa_; }

  void* Allocate(size_t bytes, std::string* error) override;
  void Free(void* data) override;
  absl::Status CopyFromHost(const void* host, void* device, size_t bytes) override;
  absl::Status CopyToHost(const void* device, void* host, size_t bytes) override;
  absl::Status Synchronize() override { return absl::OkStatus(); }

  void Linear(const Tensor& x, const LinearWeight& w, const Tensor& out, bool accumulate) override;
  void AddBias(const Tensor& x, const Tensor& bias) override;
  void EmbeddingLayerNorm(const Tensor& ids, const Tensor& table, const Tensor& gamma, float eps,
                          const Tensor& out) override;
  void LayerNorm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps,
                 const Tensor& out) override;
  void SumEmbeddings(const Tensor& ids, const Tensor& positions, const Tensor& types,
                     const Tensor& word, const Tensor& position, const Tensor& type,
                     const Tensor& out) override;
  void ApplyRope(const Tensor& qkv, const Tensor& positions, const Tensor& cos, const Tensor& sin,
                 int num_heads) override;
  void Attention(const Tensor& qkv, const SequenceLayout& layout, int num_heads, int half_window,
                 const Tensor& out) override;
  void GeGlu(const Tensor& in, const Tensor& out) override;
  void Gelu(const Tensor& x) override;
  void Tanh(const Tensor& x) override;
  void Pool(const Tensor& hidden, const SequenceLayout& layout, bool mean,
            const Tensor& out) override;
  void L2Normalize(const Tensor& x) override;

 private:
  const cpu_gemm::CpuIsa isa_;
};

}  // namespace mbserve
