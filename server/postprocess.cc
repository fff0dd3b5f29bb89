#include "server/postprocess.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/ops/pooling.h"

namespace mbserve::server {

std::vector<float> ShapeEmbedding(std::span<const float> pooled, int dimensions, bool normalize) {
  const size_t size =
      dimensions == 0 ? pooled.size() : std::min(pooled.size(), static_cast<size_t>(dimensions));
  std::vector<float> out(pooled.begin(), pooled.begin() + static_cast<ptrdiff_t>(size));
  if (normalize && !out.empty()) {
    // The engine's own normalization, on a host view of the kept components
    // (the CPU backend exists whenever an engine does).
    const Tensor row(out.data(), DType::kF32, kCpuDevice, {1, static_cast<int64_t>(out.size())});
    if (absl::StatusOr<Backend*> cpu = GetBackend(kCpuDevice); cpu.ok()) {
      L2Normalize(**cpu, row).IgnoreError();  // a host row of float32 cannot fail
    }
  }
  return out;
}

std::vector<float> ClassScores(std::span<const float> logits, bool raw) {
  std::vector<float> scores(logits.begin(), logits.end());
  if (raw || scores.empty()) return scores;
  if (scores.size() == 1) {
    scores[0] = 1.0f / (1.0f + std::exp(-scores[0]));
    return scores;
  }
  const float max = *std::max_element(scores.begin(), scores.end());
  double sum = 0;
  for (float& s : scores) {
    s = std::exp(s - max);
    sum += s;
  }
  for (float& s : scores) s = static_cast<float>(s / sum);
  return scores;
}

std::vector<int> TopK(std::span<const float> scores, int k) {
  std::vector<int> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
  if (k > 0 && static_cast<size_t>(k) < order.size()) order.resize(k);
  return order;
}

}  // namespace mbserve::server
