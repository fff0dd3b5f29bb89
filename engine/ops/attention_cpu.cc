// Varlen attention on the CPU as blocks of GEMMs on the project's kernels:
// for each sequence, head and block of queries, scores = Q K^T over only the
// keys the block can see, a masked softmax, then P V. On sliding-window
// layers a block sees at most kQueryBlock + 2 * half_window keys, so the cost
// grows as n * w. Global layers pack a head's keys and values once for all
// of its query blocks.
//
// Blocks are cut relative to the start of their own sequence and every GEMM
// runs single-threaded inside the OpenMP region, so a sequence's result never
// depends on what else is in the batch.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "engine/ops/cpu_gemm/gemm.h"
#include "engine/ops/cpu_math.h"
#include "engine/ops/sequence_layout.h"

namespace mbserve::cpu {
namespace {

constexpr int kQueryBlock = 64;

// A unit of work: query blocks [block_begin, block_end) of one head of one
// sequence, whose keys and values are packed once.
struct AttentionTask {
  int sequence;
  int head;
  int block_begin;
  int block_end;
};

// Softmax of scale * row[begin, end) in place; the rest of the row becomes 0.
MBSERVE_VECTOR_CLONES void MaskedSoftmaxRow(float* row, int begin, int end, int cols, float scale) {
  float max_score = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : max_score)
  for (int j = begin; j < end; ++j) max_score = std::max(max_score, row[j]);
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int j = begin; j < end; ++j) {
    row[j] = cpu_math::Exp((row[j] - max_score) * scale);
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
void MaskedSoftmaxRows(float* scores, int rows, int cols, float scale, AllowedRange allowed) {
  for (int i = 0; i < rows; ++i) {
    const auto [begin, end] = allowed(i);
    MaskedSoftmaxRow(scores + static_cast<int64_t>(i) * cols, begin, end, cols, scale);
  }
}

}  // namespace

void Attention(cpu_gemm::CpuIsa isa, const Tensor& qkv, const SequenceLayout& layout, int num_heads,
               int half_window, const Tensor& out) {
  const int stride = static_cast<int>(qkv.cols());  // 3H
  const int hidden = stride / 3;
  const int head_dim = hidden / num_heads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  const bool global = half_window < 0;

  std::vector<AttentionTask> tasks;
  for (int b = 0; b < layout.num_sequences(); ++b) {
    const int length = layout.host_cu_seqlens[b + 1] - layout.host_cu_seqlens[b];
    const int blocks = (length + kQueryBlock - 1) / kQueryBlock;
    for (int h = 0; h < num_heads; ++h) {
      if (global) {
        tasks.push_back({b, h, 0, blocks});
      } else {
        for (int q = 0; q < blocks; ++q) tasks.push_back({b, h, q, q + 1});
      }
    }
  }
  const int max_keys = global ? layout.max_seqlen : kQueryBlock + 2 * half_window;

#pragma omp parallel
  {
    std::vector<float> scores(static_cast<size_t>(kQueryBlock) * max_keys);
    cpu_gemm::PackedMatrix keys, values;
#pragma omp for schedule(dynamic)
    for (size_t i = 0; i < tasks.size(); ++i) {
      const AttentionTask& task = tasks[i];
      const int start = layout.host_cu_seqlens[task.sequence];
      const int length = layout.host_cu_seqlens[task.sequence + 1] - start;
      const int64_t head_offset = static_cast<int64_t>(task.head) * head_dim;
      // The keys every block of the task can see: the whole sequence on
      // global layers, the block's window otherwise.
      const int first_query = task.block_begin * kQueryBlock;
      const int last_query = std::min(length, task.block_end * kQueryBlock);
      const int k0 = global ? 0 : std::max(0, first_query - half_window);
      const int k1 = global ? length : std::min(length, last_query + half_window);
      const int cols = k1 - k0;
      const float* k =
          qkv.data<float>() + static_cast<int64_t>(start + k0) * stride + hidden + head_offset;
      keys.RepackFromRows(k, cols, head_dim, stride);
      values.RepackFromColumns(k + hidden, head_dim, cols, stride);

      for (int block = task.block_begin; block < task.block_end; ++block) {
        const int q0 = block * kQueryBlock;
        const int q1 = std::min(length, q0 + kQueryBlock);
        const int rows = q1 - q0;
        cpu_gemm::GemmOperands qk;
        qk.a = qkv.data<float>() + static_cast<int64_t>(start + q0) * stride + head_offset;
        qk.lda = stride;
        qk.m = rows;
        qk.c = scores.data();
        qk.ldc = cols;
        cpu_gemm::Gemm(isa, qk, keys, /*parallel=*/false);
        MaskedSoftmaxRows(scores.data(), rows, cols, scale, [&](int r) {
          if (global) return std::pair<int, int>(0, cols);
          const int query = q0 + r;
          return std::pair<int, int>(std::max(k0, query - half_window) - k0,
                                     std::min(k1, query + half_window + 1) - k0);
        });
        cpu_gemm::GemmOperands pv;
        pv.a = scores.data();
        pv.lda = cols;
        pv.m = rows;
        pv.c = out.data<float>() + static_cast<int64_t>(start + q0) * hidden + head_offset;
        pv.ldc = hidden;
        cpu_gemm::Gemm(isa, pv, values, /*parallel=*/false);
      }
    }
  }
}

}  // namespace mbserve::cpu
