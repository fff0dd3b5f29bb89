// Owning device memory. The CPU allocates 64-byte aligned host memory; the
// CUDA backend (memory_cuda.cc) allocates device memory.
#pragma once

#include <cstddef>
#include <initializer_list>

#include "absl/status/statusor.h"
#include "engine/tensor.h"

namespace mbserve {

class Buffer {
 public:
  Buffer() = default;
  static absl::StatusOr<Buffer> Allocate(Device device, size_t bytes);
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

  // A tensor view over the start of the buffer.
  Tensor View(DType dtype, std::initializer_list<int64_t> shape) const;

 private:
  void Release();

  void* data_ = nullptr;
  size_t bytes_ = 0;
  Device device_{};
};

// Copies between host memory and a tensor on any device.
absl::Status CopyFromHost(const void* host, size_t bytes, const Tensor& dst);
absl::Status CopyToHost(const Tensor& src, void* host, size_t bytes);

}  // namespace mbserve
