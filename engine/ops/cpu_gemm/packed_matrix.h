// The B operand of the CPU GEMM, packed once: C [m, n] = A [m, k] B^T where B
// is n x k. Columns of C are grouped in panels of kernels::kPanelWidth; a
// panel stores, for each k, its kPanelWidth values of B side by side, so the
// kernels read B with aligned vector loads in the order they use it. Columns
// past n are zero. In bfloat16 a panel stores, per pair of k, each column's
// two values together, the operand layout of VDPBF16PS and of an AMX B tile
// (16 pairs of k make one 16 x 64-byte tile); k is padded with zeros to a
// multiple of kernels::kBFloat16Depth.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>

#include "absl/status/statusor.h"

namespace mbserve::cpu_gemm {

enum class GemmDType { kFloat32, kBFloat16 };

class PackedMatrix {
 public:
  PackedMatrix() = default;

  // B [n, k] from a row-major matrix whose row j (column j of C) starts at
  // src + j * ld: weights as stored ([out_features, in_features]), or keys.
  static absl::StatusOr<PackedMatrix> FromRows(const float* src, int64_t n, int64_t k, int64_t ld,
                                               GemmDType dtype);
  // Repacks this matrix (keeping its storage when large enough) from a
  // row-major matrix whose row i (step i of k) starts at src + i * ld, i.e.
  // B = src^T: values in attention's P V. float32 only.
  void RepackFromColumns(const float* src, int64_t n, int64_t k, int64_t ld);
  // As FromRows, reusing this matrix's storage when large enough.
  void RepackFromRows(const float* src, int64_t n, int64_t k, int64_t ld);

  int64_t n() const { return n_; }
  int64_t k() const { return k_; }
  // The depth the kernels run over: k, rounded up to kernels::kBFloat16Depth
  // in bfloat16.
  int64_t padded_k() const { return padded_k_; }
  int64_t panels() const { return panels_; }
  GemmDType dtype() const { return dtype_; }
  const void* data() const { return data_.get(); }
  size_t bytes() const { return bytes_; }

 private:
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  // Sizes the storage for n x k in dtype, keeping it when large enough, and
  // zeroes it; false when it cannot be allocated. Reshape throws bad_alloc
  // instead, as a growing std::vector would (attention's scratch).
  bool TryReshape(int64_t n, int64_t k, GemmDType dtype);
  void Reshape(int64_t n, int64_t k, GemmDType dtype);

  int64_t n_ = 0, k_ = 0, padded_k_ = 0, panels_ = 0;
  GemmDType dtype_ = GemmDType::kFloat32;
  std::unique_ptr<void, Free> data_;
  size_t bytes_ = 0;
  size_t capacity_ = 0;
};

// float32 -> bfloat16, round to nearest even (NaN stays NaN): the one
// conversion used for both GEMM operands.
inline uint16_t ToBFloat16(float value) {
  uint32_t bits;
  __builtin_memcpy(&bits, &value, sizeof(bits));
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

}  // namespace mbserve::cpu_gemm
