// One way to check CUDA runtime and cuBLASLt calls, usable from g++ and nvcc
// translation units alike (no abseil here: .cu files must not include it).
// A failed call becomes a message naming the call, the error and the place;
// an empty string means success.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include <string>

namespace mbserve::cuda {

// "" on success, otherwise "<call> failed: <error name>: <description> (file:line)".
inline std::string CheckResult(cudaError_t result, const char* call, const char* file, int line) {
  if (result == cudaSuccess) return std::string();
  return std::string(call) + " failed: " + cudaGetErrorName(result) + ": " +
         cudaGetErrorString(result) + " (" + file + ":" + std::to_string(line) + ")";
}
inline std::string CheckResult(cublasStatus_t result, const char* call, const char* file,
                               int line) {
  if (result == CUBLAS_STATUS_SUCCESS) return std::string();
  return std::string(call) + " failed: " + cublasLtGetStatusName(result) + ": " +
         cublasLtGetStatusString(result) + " (" + file + ":" + std::to_string(line) + ")";
}

}  // namespace mbserve::cuda

// Evaluates a CUDA or cuBLASLt call; on failure returns the message from the
// enclosing function, which must return std::string.
#define MBSERVE_CUDA_CHECK(call)                                             \
  do {                                                                       \
    if (std::string mbserve_cuda_error_ =                                    \
            ::mbserve::cuda::CheckResult((call), #call, __FILE__, __LINE__); \
        !mbserve_cuda_error_.empty()) {                                      \
      return mbserve_cuda_error_;                                            \
    }                                                                        \
  } while (0)

// Propagates a non-empty error string from a helper that returns one.
#define MBSERVE_CUDA_RETURN_IF_ERROR(expr)                                        \
  do {                                                                            \
    if (std::string mbserve_cuda_error_ = (expr); !mbserve_cuda_error_.empty()) { \
      return mbserve_cuda_error_;                                                 \
    }                                                                             \
  } while (0)
