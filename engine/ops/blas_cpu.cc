#include "engine/ops/blas_cpu.h"

#include <dlfcn.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace mbserve {
namespace {

// Kernels for the widest vector ISA the CPU has. With SkylakeX kernels a
// row's GEMM result also does not depend on the rows around it once row
// counts are padded to 16 (see kRowAlignment), which batch invariance needs.
const char* CoreTypeForThisCpu() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
    return "SkylakeX";
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  return nullptr;  // let OpenBLAS decide
}

absl::StatusOr<CpuBlas> Load() {
  if (const char* core = CoreTypeForThisCpu(); core != nullptr) {
    setenv("OPENBLAS_CORETYPE", core, /*overwrite=*/0);
  }
  void* handle = dlopen(MBSERVE_OPENBLAS_LIBRARY, RTLD_NOW | RTLD_GLOBAL);
  if (handle == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot load OpenBLAS (", MBSERVE_OPENBLAS_LIBRARY, "): ", dlerror()));
  }
  CpuBlas blas;
  blas.sgemm = reinterpret_cast<decltype(blas.sgemm)>(dlsym(handle, "cblas_sgemm"));
  auto core_name = reinterpret_cast<char* (*)()>(dlsym(handle, "openblas_get_corename"));
  if (blas.sgemm == nullptr || core_name == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(MBSERVE_OPENBLAS_LIBRARY, " lacks cblas_sgemm or openblas_get_corename"));
  }
  blas.core_name = core_name();
  return blas;
}

}  // namespace

absl::StatusOr<const CpuBlas*> LoadCpuBlas() {
  static const absl::StatusOr<CpuBlas> blas = Load();
  if (!blas.ok()) return blas.status();
  return &*blas;
}

}  // namespace mbserve
