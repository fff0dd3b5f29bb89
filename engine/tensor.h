// A non-owning, device-tagged view of a dense row-major tensor. Ops take and
// return these; ownership lives in Buffer (memory.h) or in the weight store.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace mbserve {

// kI64 only describes checkpoint entries (index buffers such as BERT's
// position_ids); no op reads it.
enum class DType : uint8_t { kF32, kF16, kBF16, kI32, kI64 };

size_t DTypeSize(DType dtype);
const char* DTypeName(DType dtype);

enum class DeviceType : uint8_t { kCpu, kCuda };

struct Device {
  DeviceType type = DeviceType::kCpu;
  int index = 0;

  bool is_cpu() const { return type == DeviceType::kCpu; }
  bool is_cuda() const { return type == DeviceType::kCuda; }
  bool operator==(const Device&) const = default;
  std::string ToString() const;
};

inline constexpr Device kCpuDevice{};

class Tensor {
 public:
  static constexpr int kMaxRank = 4;

  Tensor() = default;
  Tensor(void* data, DType dtype, Device device, std::initializer_list<int64_t> shape);

  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  int rank() const { return rank_; }
  int64_t dim(int i) const { return shape_[i]; }
  int64_t numel() const;
  size_t bytes() const { return static_cast<size_t>(numel()) * DTypeSize(dtype_); }
  bool empty() const { return data_ == nullptr; }
  // Rows and columns of the tensor seen as a matrix: the last dimension is
  // the columns, everything before it is rows.
  int64_t rows() const { return numel() / cols(); }
  int64_t cols() const { return rank_ == 0 ? 1 : shape_[rank_ - 1]; }
  std::string ShapeString() const;

  void* raw() const { return data_; }
  template <typename T>
  T* data() const {
    return static_cast<T*>(data_);
  }

  // Rows [begin, begin + count) of the matrix view, as a 2-D tensor.
  Tensor RowSlice(int64_t begin, int64_t count) const;

 private:
  void* data_ = nullptr;
  DType dtype_ = DType::kF32;
  Device device_{};
  int rank_ = 0;
  std::array<int64_t, kMaxRank> shape_{};
};

}  // namespace mbserve
