// CudaBackend: device setup and the status of a launch. Memory and copies
// are in memory_cuda.cc.
#include "engine/ops/backend_cuda.h"

#include "absl/strings/str_cat.h"
#include "engine/ops/cuda_check.h"

namespace mbserve {

absl::StatusOr<int> CudaDeviceCount() {
  int count = 0;
  const cudaError_t result = cudaGetDeviceCount(&count);
  if (result == cudaErrorNoDevice) return 0;
  if (result == cudaErrorInsufficientDriver) {
    return absl::FailedPreconditionError(
        absl::StrCat("no CUDA driver: ", cudaGetErrorString(result),
                     " (install the NVIDIA driver, or run with --device cpu)"));
  }
  if (result != cudaSuccess) {
    return absl::FailedPreconditionError(absl::StrCat(
        "CUDA is unavailable: ", cudaGetErrorName(result), ": ", cudaGetErrorString(result)));
  }
  return count;
}

absl::StatusOr<std::unique_ptr<CudaBackend>> CudaBackend::Create(int index) {
  int count = 0;
  if (absl::StatusOr<int> found = CudaDeviceCount(); found.ok()) {
    count = *found;
  } else {
    return found.status();
  }
  if (index < 0 || index >= count) {
    return absl::FailedPreconditionError(
        absl::StrCat("no CUDA device ", index, " (found ", count, ")"));
  }
  std::unique_ptr<CudaBackend> backend(new CudaBackend(index));
  if (absl::Status status = backend->Init(); !status.ok()) return status;
  return backend;
}

absl::Status CudaBackend::Init() {
  cudaDeviceProp props{};
  std::string error = cuda::CheckResult(cudaSetDevice(index_), "cudaSetDevice", __FILE__, __LINE__);
  if (error.empty()) {
    error = cuda::CheckResult(cudaGetDeviceProperties(&props, index_), "cudaGetDeviceProperties",
                              __FILE__, __LINE__);
  }
  if (!error.empty()) return absl::FailedPreconditionError(error);
  name_ = props.name;
  // mma.sync on bf16, ldmatrix and cp.async need Ampere (sm_80) or newer.
  if (props.major < 8) {
    return absl::FailedPreconditionError(absl::StrCat("CUDA device ", index_, " (", name_,
                                                      ") has compute capability ", props.major, ".",
                                                      props.minor, "; mbserve needs 8.0 or newer"));
  }
  const auto check = [&](cudaError_t result, const char* call) {
    if (error.empty()) error = cuda::CheckResult(result, call, __FILE__, __LINE__);
  };
  check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  for (int i = 0; i < kStagingSlots; ++i) {
    check(cudaHostAlloc(&staging_[i], kStagingSlotBytes, cudaHostAllocDefault), "cudaHostAlloc");
    check(cudaEventCreateWithFlags(&staging_done_[i], cudaEventDisableTiming),
          "cudaEventCreateWithFlags");
  }
  if (error.empty()) error = gemm_.Init(kGemmWorkspaceBytes);
  if (!error.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("CUDA device ", index_, " (", name_, "): ", error));
  }
  return absl::OkStatus();
}

CudaBackend::~CudaBackend() {
  cudaSetDevice(index_);
  if (stream_ != nullptr) cudaStreamSynchronize(stream_);
  for (int i = 0; i < kStagingSlots; ++i) {
    if (staging_done_[i] != nullptr) cudaEventDestroy(staging_done_[i]);
    if (staging_[i] != nullptr) cudaFreeHost(staging_[i]);
  }
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

absl::Status CudaBackend::UseDevice() {
  const std::string error =
      cuda::CheckResult(cudaSetDevice(index_), "cudaSetDevice", __FILE__, __LINE__);
  if (!error.empty()) return absl::InternalError(error);
  return absl::OkStatus();
}

absl::Status CudaBackend::LaunchStatus(absl::string_view op, const std::string& error) const {
  if (error.empty()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(op, " on CUDA device ", index_, ": ", error));
}

}  // namespace mbserve
