#pragma once

#include "absl/status/status.h"
#include "engine/ops/backend.h"
#include "engine/tensor.h"

namespace mbserve {

// out [T, H] = LayerNorm(x [T, H]) * gamma [H]; no bias (ModernBERT has none).
// out may be x.
absl::Status LayerNorm(Backend& backend, const Tensor& x, const Tensor& gamma, float eps,
                       const Tensor& out);

// out [T, H] = LayerNorm(x [T, H]) * gamma [H] + beta [H] (BERT). out may be x.
absl::Status LayerNorm(Backend& backend, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                       float eps, const Tensor& out);

// out [T, H] = LayerNorm(table [V, H][ids [T]]) * gamma: the embedding gather
// and its norm in one pass.
absl::Status EmbeddingLayerNorm(Backend& backend, const Tensor& ids, const Tensor& table,
                                const Tensor& gamma, float eps, const Tensor& out);

}  // namespace mbserve
