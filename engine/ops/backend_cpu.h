// The CPU backend: float32 activations in 64-byte aligned host memory
// (memory_cpu.cc), GEMMs on the project's own kernels (ops/cpu_gemm/) for
// the process ISA; the kernels live in ops/<op>_cpu.cc.
#pragma once

#include "engine/ops/backend.h"
#include "engine/ops/cpu_gemm/isa.h"

namespace mbserve {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(cpu_gemm::CpuIsa isa) : Backend(kCpuDevice), isa_(isa) {}
  cpu_gemm::CpuIsa isa() const { return isa_; }

  void* Allocate(size_t bytes, std::string* error) override;
  void Free(void* data) override;
  absl::Status CopyFromHost(const void* host, void* device, size_t bytes) override;
  absl::Status CopyToHost(const void* device, void* host, size_t bytes) override;
  absl::Status Synchronize() override { return absl::OkStatus(); }

 private:
  const cpu_gemm::CpuIsa isa_;
};

}  // namespace mbserve
