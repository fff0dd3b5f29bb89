#pragma once

#include <vector>

#include "absl/status/status.h"
#include "engine/ops/backend.h"
#include "engine/tensor.h"

namespace mbserve {

// cos and sin of position * inv_freq for positions [0, max_positions) and
// the head_dim / 2 frequencies of one theta, computed on the host with the
// float32 rounding transformers uses (inv_freq = 1 / theta^(2k/d), the angle
// rounded to float32 before cos and sin), so long positions match it.
struct RopeTableHost {
  std::vector<float> cos;  // [max_positions, head_dim / 2]
  std::vector<float> sin;
};
RopeTableHost ComputeRopeTable(float theta, int head_dim, int max_positions);

// Rotates the Q and K parts of qkv [T, 3H] in place, GPT-NeoX style, with the
// rows of the float32 cos/sin tables [P, head_dim / 2] picked by positions
// [T]. Every position must be < P.
absl::Status ApplyRope(Backend& backend, const Tensor& qkv, const Tensor& positions,
                       const Tensor& cos, const Tensor& sin, int num_heads);

}  // namespace mbserve
