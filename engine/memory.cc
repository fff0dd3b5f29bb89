#include "engine/memory.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace mbserve {
namespace {

absl::Status CheckOnDevice(const Backend& backend, const Tensor& t) {
  if (t.device() == backend.device()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("copy with a tensor on ", t.device().ToString(),
                                                 " through the backend of ",
                                                 backend.device().ToString()));
}

}  // namespace

absl::StatusOr<Buffer> Buffer::Allocate(Backend& backend, size_t bytes) {
  Buffer buffer;
  buffer.backend_ = &backend;
  buffer.bytes_ = bytes;
  if (bytes == 0) return buffer;
  std::string error;
  buffer.data_ = backend.Allocate(bytes, &error);
  if (buffer.data_ == nullptr) return absl::ResourceExhaustedError(error);
  return buffer;
}

Buffer::~Buffer() { Release(); }

Buffer::Buffer(Buffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      backend_(other.backend_) {}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    backend_ = other.backend_;
  }
  return *this;
}

void Buffer::Release() {
  if (data_ == nullptr) return;
  backend_->Free(data_);
  data_ = nullptr;
}

Tensor Buffer::View(DType dtype, std::initializer_list<int64_t> shape) const {
  return Tensor(data_, dtype, device(), shape);
}

absl::Status CopyFromHost(Backend& backend, const void* host, size_t bytes, const Tensor& dst) {
  if (bytes > dst.bytes()) {
    return absl::InvalidArgumentError(
        absl::StrCat("copy of ", bytes, " bytes into a tensor of ", dst.bytes()));
  }
  MBSERVE_RETURN_IF_ERROR(CheckOnDevice(backend, dst));
  return backend.CopyFromHost(host, dst.raw(), bytes);
}

absl::Status CopyToHost(Backend& backend, const Tensor& src, void* host, size_t bytes) {
  if (bytes > src.bytes()) {
    return absl::InvalidArgumentError(
        absl::StrCat("copy of ", bytes, " bytes out of a tensor of ", src.bytes()));
  }
  MBSERVE_RETURN_IF_ERROR(CheckOnDevice(backend, src));
  return backend.CopyToHost(src.raw(), host, bytes);
}

}  // namespace mbserve
