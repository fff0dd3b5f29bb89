// Device memory and host copies of the CUDA backend. Copies run on the
// backend's stream through pinned staging slots, so they are true async DMA
// and ordered with the kernels; CopyFromHost returns once the host bytes are
// staged, CopyToHost once the bytes are on the host.
#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/ops/backend_cuda.h"
#include "engine/ops/cuda_check.h"

namespace mbserve {

void* CudaBackend::Allocate(size_t bytes, std::string* error) {
  void* data = nullptr;
  std::string failure =
      cuda::CheckResult(cudaSetDevice(index_), "cudaSetDevice", __FILE__, __LINE__);
  if (failure.empty()) {
    failure = cuda::CheckResult(cudaMalloc(&data, bytes), "cudaMalloc", __FILE__, __LINE__);
  }
  // Zeroed, as on the CPU, so rows no op writes (GEMM row padding, rows
  // attention leaves alone) hold finite values. Queued on the stream, so it
  // is ordered before any kernel that reads the buffer.
  if (failure.empty()) {
    failure = cuda::CheckResult(cudaMemsetAsync(data, 0, bytes, stream_), "cudaMemsetAsync",
                                __FILE__, __LINE__);
  }
  if (!failure.empty()) {
    if (data != nullptr) cudaFree(data);
    *error =
        absl::StrCat("cannot allocate ", bytes, " bytes on CUDA device ", index_, ": ", failure);
    return nullptr;
  }
  return data;
}

void CudaBackend::Free(void* data) {
  cudaSetDevice(index_);
  // cudaFree waits for the device, so no queued kernel still uses the memory.
  cudaFree(data);
}

absl::StatusOr<int> CudaBackend::AcquireSlot() {
  const int slot = next_slot_;
  next_slot_ = (next_slot_ + 1) % kStagingSlots;
  const std::string error = cuda::CheckResult(cudaEventSynchronize(staging_done_[slot]),
                                              "cudaEventSynchronize", __FILE__, __LINE__);
  if (!error.empty()) return absl::InternalError(error);
  return slot;
}

absl::Status CudaBackend::CopyFromHost(const void* host, void* device, size_t bytes) {
  if (absl::Status status = UseDevice(); !status.ok()) return status;
  std::lock_guard<std::mutex> lock(mutex_);
  std::string error;
  for (size_t offset = 0; offset < bytes && error.empty(); offset += kStagingSlotBytes) {
    const size_t n = std::min(kStagingSlotBytes, bytes - offset);
    absl::StatusOr<int> slot = AcquireSlot();
    if (!slot.ok()) return slot.status();
    std::memcpy(staging_[*slot], static_cast<const char*>(host) + offset, n);
    error = cuda::CheckResult(cudaMemcpyAsync(static_cast<char*>(device) + offset, staging_[*slot],
                                              n, cudaMemcpyHostToDevice, stream_),
                              "cudaMemcpyAsync(host to device)", __FILE__, __LINE__);
    if (error.empty()) {
      error = cuda::CheckResult(cudaEventRecord(staging_done_[*slot], stream_), "cudaEventRecord",
                                __FILE__, __LINE__);
    }
  }
  if (!error.empty()) return absl::InternalError(absl::StrCat("CUDA device ", index_, ": ", error));
  return absl::OkStatus();
}

absl::Status CudaBackend::CopyToHost(const void* device, void* host, size_t bytes) {
  if (absl::Status status = UseDevice(); !status.ok()) return status;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string error;
    for (size_t offset = 0; offset < bytes && error.empty(); offset += kStagingSlotBytes) {
      const size_t n = std::min(kStagingSlotBytes, bytes - offset);
      absl::StatusOr<int> slot = AcquireSlot();
      if (!slot.ok()) return slot.status();
      error = cuda::CheckResult(
          cudaMemcpyAsync(staging_[*slot], static_cast<const char*>(device) + offset, n,
                          cudaMemcpyDeviceToHost, stream_),
          "cudaMemcpyAsync(device to host)", __FILE__, __LINE__);
      // The stream's wait also surfaces any kernel fault queued before.
      if (error.empty()) {
        error = cuda::CheckResult(cudaStreamSynchronize(stream_), "cudaStreamSynchronize", __FILE__,
                                  __LINE__);
      }
      if (error.empty()) std::memcpy(static_cast<char*>(host) + offset, staging_[*slot], n);
    }
    if (!error.empty()) {
      return absl::InternalError(absl::StrCat("CUDA device ", index_, ": ", error));
    }
  }
  return absl::OkStatus();
}

absl::Status CudaBackend::Synchronize() {
  if (absl::Status status = UseDevice(); !status.ok()) return status;
  const std::string error = cuda::CheckResult(cudaStreamSynchronize(stream_),
                                              "cudaStreamSynchronize", __FILE__, __LINE__);
  if (!error.empty()) return absl::InternalError(absl::StrCat("CUDA device ", index_, ": ", error));
  return absl::OkStatus();
}

}  // namespace mbserve
