// Owning device memory, from the backend of its device (ops/memory_cpu.cc,
// ops/memory_cuda.cc), and copies between the host and a device.
#pragma once

#include <cstddef>
#include <initializer_list>

#include "absl/status/statusor.h"
#include "engine/ops/backend.h"
#include "engine/tensor.h"

namespace mbserve {

class Buffer {
 public:
  Buffer() = default;
  static absl::StatusOr<Buffer> Allocate(Backend& backend, size_t bytes);
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return backend_ == nullptr ? Device() : backend_->device(); }

  // A tensor view over the start of the buffer.
  Tensor View(DType dtype, std::initializer_list<int64_t> shape) const;

 private:
  void Release();

  void* data_ = nullptr;
  size_t bytes_ = 0;
  Backend* backend_ = nullptr;
};

// Copies between host memory and a tensor on the backend's device.
absl::Status CopyFromHost(Backend& backend, const void* host, size_t bytes, const Tensor& dst);
absl::Status CopyToHost(Backend& backend, const Tensor& src, void* host, size_t bytes);

}  // namespace mbserve
