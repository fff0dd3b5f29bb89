// The CUDA backend of one device: bf16 or fp16 activations with float32
// arithmetic, GEMMs through cuBLASLt, the other ops as the kernels declared
// in kernels_cuda.h. Everything is queued on one stream per device; the
// Backend methods that return void record the first failure (a launch
// error, an unsupported dtype) and the next Synchronize, CopyToHost or
// CopyFromHost returns it.
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
#include "engine/ops/backend.h"
#include "engine/ops/kernels_cuda.h"

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

  // cuda::Gemm uses one algorithm per weight shape whatever the row count,
  // so no padding beyond the model's own is needed.

  void Linear(const Tensor& x, const LinearWeight& w, const Tensor& out, bool accumulate) override;
  void AddBias(const Tensor& x, const Tensor& bias) override;
  void EmbeddingLayerNorm(const Tensor& ids, const Tensor& table, const Tensor& gamma, float eps,
                          const Tensor& out) override;
  void LayerNorm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps,
                 const Tensor& out) override;
  void SumEmbeddings(const Tensor& ids, const Tensor& positions, const Tensor& types,
                     const Tensor& word, const Tensor& position, const Tensor& type,
                     const Tensor& out) override;
  void ApplyRope(const Tensor& qkv, const Tensor& positions, const Tensor& cos, const Tensor& sin,
                 int num_heads) override;
  void Attention(const Tensor& qkv, const SequenceLayout& layout, int num_heads, int half_window,
                 const Tensor& out) override;
  void GeGlu(const Tensor& in, const Tensor& out) override;
  void Gelu(const Tensor& x) override;
  void Tanh(const Tensor& x) override;
  void Pool(const Tensor& hidden, const SequenceLayout& layout, bool mean,
            const Tensor& out) override;
  void L2Normalize(const Tensor& x) override;

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

  explicit CudaBackend(int index) : index_(index) {}
  absl::Status Init();
  // Makes this backend's device current on the calling thread.
  absl::Status UseDevice();
  // Keeps the first failure of a void method; "" is success.
  void Record(const std::string& error);
  // Returns and clears the recorded failure, or the stream's own error.
  absl::Status TakeError();
  // A staging slot free for reuse.
  absl::StatusOr<int> AcquireSlot();

  int index_;
  std::string name_;
  cudaStream_t stream_ = nullptr;
  cuda::Gemm gemm_;
  std::mutex mutex_;  // guards error_ and the staging slots
  std::string error_;
  std::array<void*, kStagingSlots> staging_{};
  std::array<cudaEvent_t, kStagingSlots> staging_done_{};
  int next_slot_ = 0;
};

// The number of CUDA devices, or FailedPrecondition naming the reason (no
// driver, driver too old for this runtime).
absl::StatusOr<int> CudaDeviceCount();

}  // namespace mbserve
