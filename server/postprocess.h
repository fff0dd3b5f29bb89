// What the server does to engine outputs before they reach the client:
// Matryoshka truncation and normalization of embeddings, and class scores.
#pragma once

#include <span>
#include <vector>

namespace mbserve::server {

// The first `dimensions` components (all when 0), L2-normalized if asked
// (after truncation, as Matryoshka embeddings need) by the engine's
// L2Normalize, the one normalization in the code base. A zero vector stays
// zero.
std::vector<float> ShapeEmbedding(std::span<const float> pooled, int dimensions, bool normalize);

// Logits as they are (raw), else softmax over several classes or the
// sigmoid of a single one.
std::vector<float> ClassScores(std::span<const float> logits, bool raw);

// Indices of the k largest scores, best first, ties by lower index; k = 0 or
// k > size means all.
std::vector<int> TopK(std::span<const float> scores, int k);

}  // namespace mbserve::server
