// SequenceLayout, as the ops that work per sequence (attention, pooling)
// take it.
#pragma once

#include <cstdint>
#include <span>

#include "engine/tensor.h"

namespace mbserve {

// Where the sequences of a packed batch start and end, on the host (for
// planning) and on the device (for kernels). On the CPU both are the same.
struct SequenceLayout {
  std::span<const int32_t> host_cu_seqlens;  // [n + 1]
  Tensor cu_seqlens;                         // int32 [n + 1] on the device
  int max_seqlen = 0;

  int num_sequences() const { return static_cast<int>(host_cu_seqlens.size()) - 1; }
  int num_tokens() const { return host_cu_seqlens.back(); }
};

}  // namespace mbserve
