// The engine: one loaded checkpoint, of any architecture model/registry.h
// knows, on one device, and the calls the server makes on packed batches.
// Not thread-safe: one engine thread drives it (the batcher's).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/batch.h"
#include "engine/model/config.h"
#include "engine/model/sentence_transformers.h"
#include "engine/tensor.h"

namespace mbserve {

struct EngineOptions {
  Device device = kCpuDevice;
  // Compute dtype. CUDA: bf16 or f16 activations (float32 accumulation).
  // CPU: float32, or bf16 GEMM operands with float32 accumulation where the
  // CPU has avx512_bf16 or AMX-BF16 (activations between GEMMs stay float32).
  DType dtype = DType::kF32;
  // Threads for the CPU backend; 0 keeps the OpenMP default (all cores).
  int num_threads = 0;
  // The largest batch (real tokens) the engine must accept; buffers are sized
  // for it at start so the hot path does not allocate. Longer sequences are
  // rejected by Run, so callers cap input lengths at it.
  int max_batch_tokens = 16384;
};

// What one sequence of a batch asks for. A batch may mix tasks.
enum class OutputKind {
  kPooledEmbedding,  // [H] pooled (and optionally L2-normalized) vector
  kTokenEmbeddings,  // [L, H] final hidden states
  kClassLogits,      // [num_labels] from the classification head
  kMaskedLmLogits,   // [L, vocab] from the MLM head
};

struct SequenceTask {
  OutputKind kind = OutputKind::kPooledEmbedding;
  Pooling pooling = Pooling::kMean;  // kPooledEmbedding only
  bool normalize = true;             // kPooledEmbedding only
  // Mean pooling only: the first pool_from tokens are left out of the mean,
  // as sentence-transformers leaves out the prompt when its Pooling sets
  // include_prompt=false. From pool_from at or past the sequence's end the
  // mean is a zero vector, as there.
  int pool_from = 0;
};

// Results of one batch, per sequence: statuses[b] is OK and outputs[b]
// holds sequence b's floats (row-major), or statuses[b] says why sequence b
// alone failed (it was invalid, or its output was not finite) and
// outputs[b] is empty. A failed sequence never fails the others.
struct BatchOutput {
  std::vector<absl::Status> statuses;
  std::vector<std::vector<float>> outputs;
};

class Engine {
 public:
  static absl::StatusOr<std::unique_ptr<Engine>> Create(const std::string& model_dir,
                                                        const EngineOptions& options);
  virtual ~Engine() = default;

  virtual const ModelConfig& config() const = 0;
  virtual const SentenceTransformersConfig& sentence_transformers() const = 0;
  virtual const EngineOptions& options() const = 0;
  // The kernels that run, for logs and GetInfo: device, ISA path, dtype and
  // threads, e.g. "cpu avx512 float32, 2 threads".
  virtual const std::string& kernel_summary() const = 0;

  // Runs the batch. An error for the whole call means the batch itself is
  // malformed (tasks.size() differs from batch.num_sequences(), inconsistent
  // cu_seqlens, more than max_batch_tokens tokens) or the device failed.
  // A sequence that is empty, longer than max_position_embeddings, holds an
  // id outside the vocabulary or asks for a head the model lacks gets its
  // own status in BatchOutput, with a message about it alone, and the other
  // sequences run as if it were not there.
  virtual absl::StatusOr<BatchOutput> Run(const PackedBatch& batch,
                                          std::span<const SequenceTask> tasks) = 0;
};

}  // namespace mbserve
