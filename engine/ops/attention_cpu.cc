// Varlen attention on the CPU as blocks of BLAS calls: for each sequence,
// head and block of queries, scores = Q K^T over only the keys the block can
// see, a masked softmax, then P V. On sliding-window layers a block sees at
// most kQueryBlock + 2 * half_window keys, so the cost grows as n * w.
//
// Blocks are cut relative to the start of their own sequence and each BLAS
// call runs single-threaded inside the OpenMP region, so a sequence's result
// never depends on what else is in the batch.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "engine/ops/backend_cpu.h"
#include "engine/ops/cpu_math.h"

namespace mbserve {
namespace {

constexpr int kQueryBlock = 64;

struct AttentionBlock {
  int sequence;
  int head;
  int query_begin;  // relative to the sequence start
};

// Softmax of row[begin, end) in place; the rest of the row becomes 0.
MBSERVE_VECTOR_CLONES void MaskedSoftmaxRow(float* row, int begin, int end, int cols) {
  float max_score = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : max_score)
  for (int j = begin; j < end; ++j) max_score = std::max(max_score, row[j]);
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int j = begin; j < end; ++j) {
    row[j] = cpu_math::Exp(row[j] - max_score);
    sum += row[j];
  }
  const float inv = 1.0f / sum;
#pragma omp simd
  for (int j = begin; j < end; ++j) row[j] *= inv;
  std::fill(row, row + begin, 0.0f);
  std::fill(row + end, row + cols, 0.0f);
}

// Softmax of each row of scores [rows, cols], where row i may only see
// columns allowed(i) = [begin, end).
template <typename AllowedRange>
void MaskedSoftmaxRows(float* scores, int rows, int cols, AllowedRange allowed) {
  for (int i = 0; i < rows; ++i) {
    const auto [begin, end] = allowed(i);
    MaskedSoftmaxRow(scores + static_cast<int64_t>(i) * cols, begin, end, cols);
  }
}

}  // namespace

void CpuBackend::Attention(const Tensor& qkv, const SequenceLayout& layout, int num_heads,
                           int half_window, const Tensor& out) {
  const int stride = static_cast<int>(qkv.cols());  // 3H
  const int hidden = stride / 3;
  const int head_dim = hidden / num_heads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  const bool global = half_window < 0;

  std::vector<AttentionBlock> blocks;
  for (int b = 0; b < layout.num_sequences(); ++b) {
    const int length = layout.host_cu_seqlens[b + 1] - layout.host_cu_seqlens[b];
    for (int h = 0; h < num_heads; ++h) {
      for (int q = 0; q < length; q += kQueryBlock) blocks.push_back({b, h, q});
    }
  }
  const int max_keys = global ? layout.max_seqlen : kQueryBlock + 2 * half_window;

#pragma omp parallel
  {
    std::vector<float> scores(static_cast<size_t>(kQueryBlock) * max_keys);
#pragma omp for schedule(dynamic)
    for (size_t i = 0; i < blocks.size(); ++i) {
      const AttentionBlock& block = blocks[i];
      const int start = layout.host_cu_seqlens[block.sequence];
      const int length = layout.host_cu_seqlens[block.sequence + 1] - start;
      const int q0 = block.query_begin;
      const int q1 = std::min(length, q0 + kQueryBlock);
      const int k0 = global ? 0 : std::max(0, q0 - half_window);
      const int k1 = global ? length : std::min(length, q1 + half_window);
      const int rows = q1 - q0;
      const int cols = k1 - k0;
      const int64_t head_offset = static_cast<int64_t>(block.head) * head_dim;
      const float* q = qkv.data<float>() + static_cast<int64_t>(start + q0) * stride + head_offset;
      const float* k =
          qkv.data<float>() + static_cast<int64_t>(start + k0) * stride + hidden + head_offset;
      const float* v = k + hidden;
      float* o = out.data<float>() + static_cast<int64_t>(start + q0) * hidden + head_offset;

      blas_.sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, head_dim, scale, q, stride,
                  k, stride, 0.0f, scores.data(), cols);
      MaskedSoftmaxRows(scores.data(), rows, cols, [&](int r) {
        if (global) return std::pair<int, int>(0, cols);
        const int query = q0 + r;
        return std::pair<int, int>(std::max(k0, query - half_window) - k0,
                                   std::min(k1, query + half_window + 1) - k0);
      });
      blas_.sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, head_dim, cols, 1.0f,
                  scores.data(), cols, v, stride, 0.0f, o, hidden);
    }
  }
}

}  // namespace mbserve
