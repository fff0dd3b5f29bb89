#include "engine/ops/cpu_math.h"
#include "engine/tensor.h"

namespace mbserve::cpu {
namespace {

// Summed in the order transformers' BertEmbeddings adds them.
MBSERVE_VECTOR_CLONES void SumRow(const float* word, const float* type, const float* position,
                                  int64_t width, float* out) {
#pragma omp simd
  for (int64_t i = 0; i < width; ++i) out[i] = (word[i] + type[i]) + position[i];
}

}  // namespace

void SumEmbeddings(const Tensor& ids, const Tensor& positions, const Tensor& types,
                   const Tensor& word, const Tensor& position, const Tensor& type,
                   const Tensor& out) {
  const int64_t rows = out.rows();
  const int64_t width = out.cols();
  const int32_t* id = ids.data<int32_t>();
  const int32_t* pos = positions.data<int32_t>();
  const int32_t* segment = types.data<int32_t>();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    SumRow(word.data<float>() + static_cast<int64_t>(id[r]) * width,
           type.data<float>() + static_cast<int64_t>(segment[r]) * width,
           position.data<float>() + static_cast<int64_t>(pos[r]) * width, width,
           out.data<float>() + r * width);
  }
}

}  // namespace mbserve::cpu
