// OpenBLAS, loaded at run time so that its kernels can be chosen first.
//
// OpenBLAS picks its kernels from the CPU model number when it is loaded.
// Versions that do not know a CPU (0.3.21 on current virtualized Xeons) fall
// back to generic SSE3 kernels, ten times slower than its AVX-512 ones. The
// choice cannot be changed once the library is loaded, so the engine loads it
// itself after naming the kernels from the CPU's features in
// OPENBLAS_CORETYPE (unless the user has set it).
#pragma once

#include <cblas.h>

#include "absl/status/statusor.h"

namespace mbserve {

struct CpuBlas {
  decltype(&cblas_sgemm) sgemm = nullptr;
  const char* core_name = "";  // the kernels OpenBLAS uses, e.g. "SkylakeX"
};

// Loads OpenBLAS once; later calls return the same table or the same error.
absl::StatusOr<const CpuBlas*> LoadCpuBlas();

}  // namespace mbserve
