#include "engine/ops/cpu_gemm/packed_matrix.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "absl/strings/str_cat.h"
#include "engine/ops/cpu_gemm/kernels.h"

namespace mbserve::cpu_gemm {
namespace {

using kernels::kPanelWidth;
constexpr size_t kAlignment = 64;

}  // namespace

bool PackedMatrix::TryReshape(int64_t n, int64_t k, GemmDType dtype) {
  n_ = n;
  k_ = k;
  dtype_ = dtype;
  padded_k_ = dtype == GemmDType::kBFloat16 ? (k + kernels::kBFloat16Depth - 1) /
                                                  kernels::kBFloat16Depth * kernels::kBFloat16Depth
                                            : k;
  panels_ = (n + kPanelWidth - 1) / kPanelWidth;
  const size_t element = dtype == GemmDType::kBFloat16 ? sizeof(uint16_t) : sizeof(float);
  bytes_ = static_cast<size_t>(panels_ * kPanelWidth * padded_k_) * element;
  if (bytes_ > capacity_) {
    const size_t rounded = (bytes_ + kAlignment - 1) / kAlignment * kAlignment;
    data_.reset(std::aligned_alloc(kAlignment, rounded));
    capacity_ = data_ == nullptr ? 0 : rounded;
    if (data_ == nullptr) return false;
  }
  // Columns past n and the depth pad stay zero.
  std::memset(data_.get(), 0, bytes_);
  return true;
}

void PackedMatrix::Reshape(int64_t n, int64_t k, GemmDType dtype) {
  if (!TryReshape(n, k, dtype)) throw std::bad_alloc();
}

absl::StatusOr<PackedMatrix> PackedMatrix::FromRows(const float* src, int64_t n, int64_t k,
                                                    int64_t ld, GemmDType dtype) {
  PackedMatrix packed;
  if (!packed.TryReshape(n, k, dtype)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "cannot allocate ", packed.bytes_, " bytes for a packed ", n, "x", k, " GEMM operand"));
  }
  if (dtype == GemmDType::kFloat32) {
    packed.RepackFromRows(src, n, k, ld);
    return packed;
  }
  auto* out = static_cast<uint16_t*>(packed.data_.get());
  const int64_t panel_values = packed.padded_k_ * kPanelWidth;
  for (int64_t j = 0; j < n; ++j) {
    uint16_t* column = out + (j / kPanelWidth) * panel_values + 2 * (j % kPanelWidth);
    for (int64_t i = 0; i < k; ++i) {
      // Pair i / 2 of this column, value i % 2 of the pair.
      column[(i / 2) * 2 * kPanelWidth + i % 2] = ToBFloat16(src[j * ld + i]);
    }
  }
  return packed;
}

void PackedMatrix::RepackFromRows(const float* src, int64_t n, int64_t k, int64_t ld) {
  Reshape(n, k, GemmDType::kFloat32);
  auto* out = static_cast<float*>(data_.get());
  for (int64_t p = 0; p < panels_; ++p) {
    float* panel = out + p * k * kPanelWidth;
    const int64_t columns = std::min<int64_t>(kPanelWidth, n - p * kPanelWidth);
    for (int64_t c = 0; c < columns; ++c) {
      const float* row = src + (p * kPanelWidth + c) * ld;
      for (int64_t i = 0; i < k; ++i) panel[i * kPanelWidth + c] = row[i];
    }
  }
}

void PackedMatrix::RepackFromColumns(const float* src, int64_t n, int64_t k, int64_t ld) {
  Reshape(n, k, GemmDType::kFloat32);
  auto* out = static_cast<float*>(data_.get());
  for (int64_t p = 0; p < panels_; ++p) {
    float* panel = out + p * k * kPanelWidth;
    const int64_t columns = std::min<int64_t>(kPanelWidth, n - p * kPanelWidth);
    for (int64_t i = 0; i < k; ++i) {
      std::memcpy(panel + i * kPanelWidth, src + i * ld + p * kPanelWidth,
                  static_cast<size_t>(columns) * sizeof(float));
    }
  }
}

}  // namespace mbserve::cpu_gemm
