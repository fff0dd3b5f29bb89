#include "engine/model/weight_loader.h"

#include <cstring>

#include "common/status_macros.h"

namespace mbserve {

absl::StatusOr<Weight> WeightLoader::operator()(const std::string& name,
                                                std::vector<int64_t> shape) const {
  MBSERVE_ASSIGN_OR_RETURN(Buffer buffer, checkpoint_.Load(name, shape, device_, dtype_));
  Weight weight{std::move(buffer), Tensor()};
  weight.tensor = shape.size() == 1 ? weight.buffer.View(dtype_, {shape[0]})
                                    : weight.buffer.View(dtype_, {shape[0], shape[1]});
  return weight;
}

absl::StatusOr<Buffer> WeightLoader::LoadConcatenated(
    const std::vector<std::string>& names, const std::vector<int64_t>& part_shape) const {
  int64_t part_numel = 1;
  for (int64_t d : part_shape) part_numel *= d;
  const size_t part_bytes = static_cast<size_t>(part_numel) * DTypeSize(dtype_);
  // Each part is read on the host, then the whole goes to the device at once.
  std::vector<uint8_t> host(part_bytes * names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    MBSERVE_ASSIGN_OR_RETURN(Buffer part,
                             checkpoint_.Load(names[i], part_shape, kCpuDevice, dtype_));
    std::memcpy(host.data() + i * part_bytes, part.data(), part_bytes);
  }
  MBSERVE_ASSIGN_OR_RETURN(Backend * backend, GetBackend(device_));
  MBSERVE_ASSIGN_OR_RETURN(Buffer buffer, Buffer::Allocate(*backend, host.size()));
  MBSERVE_RETURN_IF_ERROR(
      CopyFromHost(*backend, host.data(), host.size(),
                   buffer.View(dtype_, {static_cast<int64_t>(part_numel * names.size())})));
  return buffer;
}

absl::StatusOr<Weight> WeightLoader::Concatenated(const std::vector<std::string>& names,
                                                  int64_t cols) const {
  MBSERVE_ASSIGN_OR_RETURN(Buffer buffer, LoadConcatenated(names, {cols}));
  Weight weight{std::move(buffer), Tensor()};
  weight.tensor = weight.buffer.View(dtype_, {static_cast<int64_t>(names.size()) * cols});
  return weight;
}

absl::StatusOr<LinearWeight> WeightLoader::Linear(const std::string& name, int64_t rows,
                                                  int64_t cols) const {
  MBSERVE_ASSIGN_OR_RETURN(Weight weight, (*this)(name, {rows, cols}));
  return LinearWeight::Prepare(weight.tensor, std::move(weight.buffer), cpu_gemm_dtype_);
}

absl::StatusOr<LinearWeight> WeightLoader::StackedLinear(const std::vector<std::string>& names,
                                                         int64_t rows, int64_t cols) const {
  MBSERVE_ASSIGN_OR_RETURN(Buffer buffer, LoadConcatenated(names, {rows, cols}));
  const Tensor dense = buffer.View(dtype_, {static_cast<int64_t>(names.size()) * rows, cols});
  return LinearWeight::Prepare(dense, std::move(buffer), cpu_gemm_dtype_);
}

absl::StatusOr<LinearWeight> WeightLoader::TiedLinear(const Weight& weight) const {
  return LinearWeight::Prepare(weight.tensor, Buffer(), cpu_gemm_dtype_);
}

}  // namespace mbserve
