// Host memory for the CPU backend.
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/ops/backend_cpu.h"

namespace mbserve {
namespace {
// Cache-line alignment keeps rows of vectorized loops from straddling lines.
constexpr size_t kHostAlignment = 64;
}  // namespace

void* CpuBackend::Allocate(size_t bytes, std::string* error) {
  const size_t rounded = (bytes + kHostAlignment - 1) / kHostAlignment * kHostAlignment;
  void* data = std::aligned_alloc(kHostAlignment, rounded);
  if (data == nullptr) {
    *error = absl::StrCat("cannot allocate ", bytes, " bytes of host memory");
    return nullptr;
  }
  // Zeroed, so a new buffer never shows bytes of an earlier allocation.
  std::memset(data, 0, rounded);
  return data;
}

void CpuBackend::Free(void* data) { std::free(data); }

absl::Status CpuBackend::CopyFromHost(const void* host, void* device, size_t bytes) {
  std::memcpy(device, host, bytes);
  return absl::OkStatus();
}

absl::Status CpuBackend::CopyToHost(const void* device, void* host, size_t bytes) {
  std::memcpy(host, device, bytes);
  return absl::OkStatus();
}

}  // namespace mbserve
