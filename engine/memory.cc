#include "engine/memory.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/ops/backend.h"

namespace mbserve {

absl::StatusOr<Buffer> Buffer::Allocate(Device device, size_t bytes) {
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(device));
  Buffer buffer;
  buffer.device_ = device;
  buffer.bytes_ = bytes;
  if (bytes == 0) return buffer;
  std::string error;
  buffer.data_ = backend->Allocate(bytes, &error);
  if (buffer.data_ == nullptr) return absl::ResourceExhaustedError(error);
  return buffer;
}

Buffer::~Buffer() { Release(); }

Buffer::Buffer(Buffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      device_(other.device_) {}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    device_ = other.device_;
  }
  return *this;
}

void Buffer::Release() {
  if (data_ == nullptr) return;
  // A buffer exists only if its device's backend did, so this cannot fail.
  GetBackend(device_).value()->Free(data_);
  data_ = nullptr;
}

Tensor Buffer::View(DType dtype, std::initializer_list<int64_t> shape) const {
  return Tensor(data_, dtype, device_, shape);
}

absl::Status CopyFromHost(const void* host, size_t bytes, const Tensor& dst) {
  if (bytes > dst.bytes()) {
    return absl::InvalidArgumentError(
        absl::StrCat("copy of ", bytes, " bytes into a tensor of ", dst.bytes()));
  }
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(dst.device()));
  return backend->CopyFromHost(host, dst.raw(), bytes);
}

absl::Status CopyToHost(const Tensor& src, void* host, size_t bytes) {
  if (bytes > src.bytes()) {
    return absl::InvalidArgumentError(
        absl::StrCat("copy of ", bytes, " bytes out of a tensor of ", src.bytes()));
  }
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(src.device()));
  return backend->CopyToHost(src.raw(), host, bytes);
}

}  // namespace mbserve
