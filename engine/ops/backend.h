// What is really per device: memory, host copies, waiting for queued work,
// and (in the subclasses) the state the kernels of that device need: the
// CPU's GEMM ISA, a CUDA device's stream and cuBLASLt handle. A model looks
// its backend up once at load (GetBackend) and hands it to every op; the ops
// pick their kernel with Dispatch (dispatch.h).
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "engine/tensor.h"

namespace mbserve {

class Backend {
 public:
  virtual ~Backend() = default;

  Device device() const { return device_; }

  // Memory. Allocation failures return nullptr and fill *error.
  virtual void* Allocate(size_t bytes, std::string* error) = 0;
  virtual void Free(void* data) = 0;
  virtual absl::Status CopyFromHost(const void* host, void* device, size_t bytes) = 0;
  virtual absl::Status CopyToHost(const void* device, void* host, size_t bytes) = 0;
  // Waits for queued work; results copied to the host are valid afterwards.
  virtual absl::Status Synchronize() = 0;

 protected:
  explicit Backend(Device device) : device_(device) {}

 private:
  const Device device_;
};

// The backend of a device, or an error naming the device when that backend
// is not compiled in or the device does not exist. Each device has one
// backend for the life of the process.
absl::StatusOr<Backend*> GetBackend(Device device);

}  // namespace mbserve
