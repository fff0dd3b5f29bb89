#include "engine/tensor.h"

#include <cassert>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mbserve {

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kF32:
    case DType::kI32:
      return 4;
    case DType::kF16:
    case DType::kBF16:
      return 2;
    case DType::kI64:
      return 8;
  }
  return 0;
}

const char* DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "float32";
    case DType::kF16:
      return "float16";
    case DType::kBF16:
      return "bfloat16";
    case DType::kI32:
      return "int32";
    case DType::kI64:
      return "int64";
  }
  return "unknown";
}

std::string Device::ToString() const {
  return is_cpu() ? std::string("cpu") : absl::StrCat("cuda:", index);
}

Tensor::Tensor(void* data, DType dtype, Device device, std::initializer_list<int64_t> shape)
    : data_(data), dtype_(dtype), device_(device), rank_(static_cast<int>(shape.size())) {
  assert(shape.size() <= kMaxRank);
  int i = 0;
  for (int64_t d : shape) shape_[i++] = d;
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int i = 0; i < rank_; ++i) n *= shape_[i];
  return n;
}

std::string Tensor::ShapeString() const {
  return absl::StrCat("[", absl::StrJoin(shape_.begin(), shape_.begin() + rank_, ", "), "]");
}

Tensor Tensor::RowSlice(int64_t begin, int64_t count) const {
  assert(begin >= 0 && begin + count <= rows());
  char* base = static_cast<char*>(data_) + begin * cols() * DTypeSize(dtype_);
  return Tensor(base, dtype_, device_, {count, cols()});
}

}  // namespace mbserve
