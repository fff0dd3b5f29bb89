#pragma once

#include "absl/status/status.h"
#include "engine/ops/backend.h"
#include "engine/ops/sequence_layout.h"
#include "engine/tensor.h"

namespace mbserve {

// Bidirectional softmax attention of each packed sequence over itself.
// qkv [T', 3H] holds Q, K and V side by side (T' >= T; extra rows are
// padding and ignored); out [T', H] gets the heads concatenated; its padding
// rows are not written. half_window < 0: every key of the sequence; otherwise
// only keys j with |i - j| <= half_window, and the others cost nothing.
absl::Status Attention(Backend& backend, const Tensor& qkv, const SequenceLayout& layout,
                       int num_heads, int half_window, const Tensor& out);

}  // namespace mbserve
