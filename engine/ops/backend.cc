#include "engine/ops/backend.h"

#include "absl/strings/str_cat.h"
#include "engine/ops/backend_cpu.h"

#if MBSERVE_WITH_CUDA
#include <map>
#include <memory>
#include <mutex>

#include "engine/ops/backend_cuda.h"
#endif

namespace mbserve {

absl::StatusOr<Backend*> GetBackend(Device device) {
  if (device.is_cpu()) {
    const absl::StatusOr<cpu_gemm::CpuIsa> isa = cpu_gemm::ProcessCpuIsa();
    if (!isa.ok()) return isa.status();
    static CpuBackend cpu(*isa);
    return &cpu;
  }
#if MBSERVE_WITH_CUDA
  if (device.is_cuda()) {
    // One backend (stream, cuBLASLt handle, staging buffers) per device,
    // created on first use. Never destroyed: the CUDA runtime may already be
    // torn down when static destructors run at exit.
    static std::mutex mutex;
    static auto* backends = new std::map<int, CudaBackend*>();
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = backends->find(device.index); it != backends->end()) return it->second;
    absl::StatusOr<std::unique_ptr<CudaBackend>> created = CudaBackend::Create(device.index);
    if (!created.ok()) return created.status();
    CudaBackend* backend = created->release();
    backends->emplace(device.index, backend);
    return backend;
  }
#endif
  return absl::FailedPreconditionError(
      absl::StrCat("device ", device.ToString(),
                   " requested, but this build of mbserve has no CUDA backend "
                   "(configure with -DMBSERVE_WITH_CUDA=ON)"));
}

}  // namespace mbserve
