// Loads the tensors of one checkpoint onto one device in one dtype, each
// checked against the shape the config implies; the weight loaders of every
// architecture (weights.cc, bert_weights.cc) build on it.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/memory.h"
#include "engine/model/checkpoint.h"
#include "engine/ops/linear.h"

namespace mbserve {

// A buffer and the shaped view of it the ops take.
struct Weight {
  Buffer buffer;
  Tensor tensor;

  bool loaded() const { return !tensor.empty(); }
};

class WeightLoader {
 public:
  // Weights are converted to `dtype`, the activation dtype of the backend;
  // Linear weights are prepared for the device's GEMM, on the CPU in
  // `cpu_gemm_dtype` (float32 or bfloat16).
  WeightLoader(const Checkpoint& checkpoint, Device device, DType dtype, DType cpu_gemm_dtype)
      : checkpoint_(checkpoint), device_(device), dtype_(dtype), cpu_gemm_dtype_(cpu_gemm_dtype) {}

  // The tensor `name` of exactly `shape` (one or two dimensions).
  absl::StatusOr<Weight> operator()(const std::string& name, std::vector<int64_t> shape) const;

  // The 1-D tensors `names`, each [cols], end to end as one [names.size() * cols]:
  // the biases of projections fused into one GEMM.
  absl::StatusOr<Weight> Concatenated(const std::vector<std::string>& names, int64_t cols) const;

  // A [rows, cols] matrix that a Linear reads.
  absl::StatusOr<LinearWeight> Linear(const std::string& name, int64_t rows, int64_t cols) const;

  // The [rows, cols] matrices `names` stacked into one [names.size() * rows,
  // cols] Linear, so projections of the same input run as one GEMM.
  absl::StatusOr<LinearWeight> StackedLinear(const std::vector<std::string>& names, int64_t rows,
                                             int64_t cols) const;

  // A Linear over a matrix kept alive elsewhere (a decoder tied to the
  // embedding table).
  absl::StatusOr<LinearWeight> TiedLinear(const Weight& weight) const;

 private:
  // The tensors `names`, each of `part_shape`, back to back in one buffer.
  absl::StatusOr<Buffer> LoadConcatenated(const std::vector<std::string>& names,
                                          const std::vector<int64_t>& part_shape) const;

  const Checkpoint& checkpoint_;
  Device device_;
  DType dtype_;
  DType cpu_gemm_dtype_;
};

}  // namespace mbserve
