// The CPU backend: float32 everywhere, GEMMs through OpenBLAS, the rest as
// OpenMP loops over rows. Each method lives in ops/<op>_cpu.cc.
#pragma once

#include "engine/ops/backend.h"
#include "engine/ops/blas_cpu.h"

namespace mbserve {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(const CpuBlas& blas) : blas_(blas) {}
  const CpuBlas& blas() const { return blas_; }

  void* Allocate(size_t bytes, std::string* error) override;
  void Free(void* data) override;
  absl::Status CopyFromHost(const void* host, void* device, size_t bytes) override;
  absl::Status CopyToHost(const void* device, void* host, size_t bytes) override;
  absl::Status Synchronize() override { return absl::OkStatus(); }

  int64_t GemmRowFloor(int64_t n, int64_t k) const override;
  void Linear(const Tensor& x, const Tensor& w, const Tensor& out, bool accumulate) override;
  void AddBias(const Tensor& x, const Tensor& bias) override;
  void EmbeddingLayerNorm(const Tensor& ids, const Tensor& table, const Tensor& gamma, float eps,
                          const Tensor& out) override;
  void LayerNorm(const Tensor& x, const Tensor& gamma, float eps, const Tensor& out) override;
  void ApplyRope(const Tensor& qkv, const Tensor& positions, const Tensor& cos, const Tensor& sin,
                 int num_heads) override;
  void Attention(const Tensor& qkv, const SequenceLayout& layout, int num_heads, int half_window,
                 const Tensor& out) override;
  void GeGlu(const Tensor& in, const Tensor& out) override;
  void Gelu(const Tensor& x) override;
  void Pool(const Tensor& hidden, const SequenceLayout& layout, bool mean,
            const Tensor& out) override;
  void L2Normalize(const Tensor& x) override;

 private:
  const CpuBlas& blas_;
};

}  // namespace mbserve
