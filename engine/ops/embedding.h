#pragma once

#include "absl/status/status.h"
#include "engine/ops/backend.h"
#include "engine/tensor.h"

namespace mbserve {

// out [T, H] = word [V, H][ids] + position [P, H][positions] + type [Y, H][types],
// BERT's embedding sum; ids, positions and types are int32 [T] and must index
// rows of their tables (the engine validates them).
absl::Status SumEmbeddings(Backend& backend, const Tensor& ids, const Tensor& positions,
                           const Tensor& types, const Tensor& word, const Tensor& position,
                           const Tensor& type, const Tensor& out);

}  // namespace mbserve
