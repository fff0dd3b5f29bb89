// The CUDA backend of one device: its memory, its one stream (every kernel
// and copy is queued on it, so they run in order) and its cuBLASLt handle.
// The kernels, in ops/<op>_cuda.cu, compute on bf16 or fp16 activations
// with float32 arithmetic; Dispatch (dispatch.h) runs them and returns a
// failed launch as the op's error.
//
// Host copies go through pinned staging slots: CopyFromHost returns once the
// host bytes are staged (the caller may free them), CopyToHost waits for the
// stream, so its result is valid on return.
#pragma once

#include <cuda_runtime_api.h>

#include <array>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/ops/backend.h"
#include "engine/ops/cuda_gemm.h"

namespace mbserve {

class CudaBackend final : public Backend {
 public:
  // The backend of device `index`, or FailedPrecondition when there is no
  // driver or no such device.
  static absl::StatusOr<std::unique_ptr<CudaBackend>> Create(int index);
  ~CudaBackend() override;

  void* Allocate(size_t bytes, std::string* error) override;
  void Free(void* data) override;
  absl::Status CopyFromHost(const void* host, void* device, size_t bytes) override;
  absl::Status CopyToHost(const void* device, void* host, size_t bytes) override;
  absl::Status Synchronize() override;

  // Makes this backend's device current on the calling thread.
  absl::Status UseDevice();
  // The status of op `op` whose launcher returned `error` ("" is success).
  absl::Status LaunchStatus(absl::string_view op, const std::string& error) const;

  int device_index() const { return index_; }
  cudaStream_t stream() const { return stream_; }
  const std::string& device_name() const { return name_; }
  cuda::Gemm& gemm() { return gemm_; }

 private:
  // Pinned host memory for copies, in slots used round-robin; a slot is
  // reused only after the copy that last used it has finished.
  static constexpr int kStagingSlots = 4;
  static constexpr size_t kStagingSlotBytes = 8 << 20;
  static constexpr size_t kGemmWorkspaceBytes = 32 << 20;

  explicit CudaBackend(int index) : Backend(Device{DeviceType::kCuda, index}), index_(index) {}
  absl::Status Init();
  // A staging slot free for reuse.
  absl::StatusOr<int> AcquireSlot();

  int index_;
  std::string name_;
  cudaStream_t stream_ = nullptr;
  cuda::Gemm gemm_;
  std::mutex mutex_;  // guards the staging slots
  std::array<void*, kStagingSlots> staging_{};
  std::array<cudaEvent_t, kStagingSlots> staging_done_{};
  int next_slot_ = 0;
};

// The number of CUDA devices, or FailedPrecondition naming the reason (no
// driver, driver too old for this runtime).
absl::StatusOr<int> CudaDeviceCount();

}  // namespace mbserve
