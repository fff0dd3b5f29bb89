#include <algorithm>
#include <cmath>

#include "engine/ops/sequence_layout.h"

namespace mbserve::cpu {

void Pool(const Tensor& hidden, const SequenceLayout& layout, bool mean, const Tensor& mean_from,
          const Tensor& out) {
  const int64_t width = hidden.cols();
  const int num_sequences = layout.num_sequences();
  const int32_t* skip = mean && !mean_from.empty() ? mean_from.data<int32_t>() : nullptr;
#pragma omp parallel for schedule(static)
  for (int b = 0; b < num_sequences; ++b) {
    const int64_t end = layout.host_cu_seqlens[b + 1];
    const int64_t begin =
        std::min(end, layout.host_cu_seqlens[b] + (skip != nullptr ? int64_t{skip[b]} : 0));
    float* o = out.data<float>() + b * width;
    if (begin == end) {  // every token skipped: zeros, as sentence-transformers
      std::fill(o, o + width, 0.0f);
      continue;
    }
    const float* first = hidden.data<float>() + begin * width;
    std::copy(first, first + width, o);
    if (!mean) continue;
    for (int64_t t = begin + 1; t < end; ++t) {
      const float* row = hidden.data<float>() + t * width;
      for (int64_t c = 0; c < width; ++c) o[c] += row[c];
    }
    const float count = static_cast<float>(end - begin);
    for (int64_t c = 0; c < width; ++c) o[c] /= count;
  }
}

void L2Normalize(const Tensor& x) {
  const int64_t rows = x.rows();
  const int64_t width = x.cols();
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x.data<float>() + r * width;
    float sq = 0.0f;
    for (int64_t c = 0; c < width; ++c) sq += row[c] * row[c];
    // torch.nn.functional.normalize's eps, so zero vectors stay zero.
    const float inv = 1.0f / std::max(std::sqrt(sq), 1e-12f);
    for (int64_t c = 0; c < width; ++c) row[c] *= inv;
  }
}

}  // namespace mbserve::cpu
