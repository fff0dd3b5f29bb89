// What the engine needs from a model architecture: encode a packed batch,
// then read its final states, pooled vectors and head outputs. Each
// architecture (ModernBERT, BERT) implements it in its own files and is
// listed once in registry.cc, which picks it from config.json.
#pragma once

#include <cstdint>
#include <span>

#include "absl/status/statusor.h"
#include "engine/batch.h"
#include "engine/model/config.h"
#include "engine/ops/backend.h"
#include "engine/tensor.h"

namespace mbserve {

class Model {
 public:
  // The most rows MaskedLmLogits computes at once (bounds its buffer).
  static constexpr int64_t kHeadChunkRows = 256;

  virtual ~Model() = default;

  virtual const ModelConfig& config() const = 0;
  // The backend of the model's device, for the ops and the copies of its
  // results to the host.
  virtual Backend& backend() const = 0;

  // Runs the encoder on a batch the engine has validated (ids, type ids and
  // lengths in range). Afterwards hidden() holds the final states [T, H].
  virtual absl::Status Encode(const PackedBatch& batch) = 0;
  virtual const Tensor& hidden() const = 0;

  // Pooled final states of every sequence of the last batch, [n, H]. With
  // mean pooling, a non-empty mean_from (one entry >= 0 per sequence) leaves
  // the first mean_from[b] tokens of sequence b out of its mean; a sequence
  // with none left pools to zeros.
  virtual absl::StatusOr<Tensor> PoolAll(Pooling pooling, bool normalize,
                                         std::span<const int32_t> mean_from) = 0;
  // Classification logits of every sequence of the last batch,
  // [n, num_labels]; FailedPrecondition without a classification head.
  virtual absl::StatusOr<Tensor> ClassifyAll() = 0;
  // Masked-LM logits of rows [first, first + count) of hidden(), count <=
  // kHeadChunkRows, as [count, vocab]; FailedPrecondition without that head.
  virtual absl::StatusOr<Tensor> MaskedLmLogits(int64_t first, int64_t count) = 0;
};

}  // namespace mbserve
