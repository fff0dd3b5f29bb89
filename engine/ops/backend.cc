#include "engine/ops/backend.h"

#include "absl/strings/str_cat.h"
#include "engine/ops/backend_cpu.h"

namespace mbserve {

absl::StatusOr<Backend*> GetBackend(Device device) {
  if (device.is_cpu()) {
    static const absl::StatusOr<const CpuBlas*> blas = LoadCpuBlas();
    if (!blas.ok()) return blas.status();
    static CpuBackend cpu(**blas);
    return &cpu;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "device ", device.ToString(), " requested, but this build of mbserve has no CUDA backend "
      "(configure with -DMBSERVE_WITH_CUDA=ON)"));
}

}  // namespace mbserve
