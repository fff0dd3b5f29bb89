#include "engine/engine.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/memory.h"
#include "engine/model/dtype_convert.h"
#include "engine/model/files.h"
#include "engine/model/registry.h"
#include "engine/ops/cpu_gemm/isa.h"

namespace mbserve {
namespace {

class EngineImpl final : public Engine {
 public:
  EngineImpl(EngineOptions options, SentenceTransformersConfig st, std::unique_ptr<Model> model,
             std::string kernel_summary)
      : options_(options),
        st_(std::move(st)),
        model_(std::move(model)),
        kernel_summary_(std::move(kernel_summary)) {}

  const ModelConfig& config() const override { return model_->config(); }
  const SentenceTransformersConfig& sentence_transformers() const override { return st_; }
  const EngineOptions& options() const override { return options_; }
  const std::string& kernel_summary() const override { return kernel_summary_; }

  absl::StatusOr<BatchOutput> Run(const PackedBatch& batch,
                                  std::span<const SequenceTask> tasks) override {
    MBSERVE_RETURN_IF_ERROR(ValidateBatch(batch, tasks));
    const int n = batch.num_sequences();
    BatchOutput result;
    result.statuses.resize(n);
    result.outputs.resize(n);
    std::vector<int> valid;  // batch indices of the sequences that run
    for (int b = 0; b < n; ++b) {
      result.statuses[b] = ValidateSequence(batch, b, tasks[b]);
      if (result.statuses[b].ok()) valid.push_back(b);
    }
    if (valid.empty()) return result;
    std::vector<std::vector<float>> outputs;
    if (static_cast<int>(valid.size()) == n) {
      MBSERVE_ASSIGN_OR_RETURN(outputs, Compute(batch, tasks));
    } else {
      PackedBatch subset;
      std::vector<SequenceTask> subset_tasks;
      for (int b : valid) {
        subset.AppendSequence(batch, b);
        subset_tasks.push_back(tasks[b]);
      }
      MBSERVE_ASSIGN_OR_RETURN(outputs, Compute(subset, subset_tasks));
    }
    for (size_t k = 0; k < valid.size(); ++k) {
      result.statuses[valid[k]] = CheckFinite(outputs[k]);
      if (result.statuses[valid[k]].ok()) result.outputs[valid[k]] = std::move(outputs[k]);
    }
    return result;
  }

 private:
  // The outputs of a batch whose every sequence is valid, by sequence.
  absl::StatusOr<std::vector<std::vector<float>>> Compute(const PackedBatch& batch,
                                                          std::span<const SequenceTask> tasks) {
    if (options_.num_threads > 0) {
      // Per call: OpenMP's thread count belongs to the calling thread, and
      // the engine may be created on one thread and driven from another.
      omp_set_num_threads(options_.num_threads);
    }
    MBSERVE_RETURN_IF_ERROR(model_->Encode(batch));
    std::vector<std::vector<float>> outputs(tasks.size());
    MBSERVE_RETURN_IF_ERROR(CollectPooled(tasks, outputs));
    MBSERVE_RETURN_IF_ERROR(CollectClassLogits(tasks, outputs));
    MBSERVE_RETURN_IF_ERROR(CollectTokenOutputs(batch, tasks, outputs));
    return outputs;
  }

  // A NaN or an infinity is never returned as a result: a model whose
  // weights or settings overflow fails the sequence instead.
  static absl::Status CheckFinite(const std::vector<float>& output) {
    for (size_t i = 0; i < output.size(); ++i) {
      if (!std::isfinite(output[i])) {
        return absl::InternalError(absl::StrCat("the model computed a non-finite value (",
                                                output[i], ") at output index ", i));
      }
    }
    return absl::OkStatus();
  }

  // What makes the batch as a whole unusable: the caller broke the
  // PackedBatch contract or exceeded the buffers sized at start.
  absl::Status ValidateBatch(const PackedBatch& batch, std::span<const SequenceTask> tasks) const {
    const int n = batch.num_sequences();
    if (n <= 0) return absl::InvalidArgumentError("batch has no sequences");
    if (static_cast<int>(tasks.size()) != n) {
      return absl::InvalidArgumentError(
          absl::StrCat("batch has ", n, " sequences but ", tasks.size(), " tasks"));
    }
    if (batch.num_tokens() > options_.max_batch_tokens) {
      return absl::InvalidArgumentError(absl::StrCat("batch has ", batch.num_tokens(),
                                                     " tokens; max_batch_tokens is ",
                                                     options_.max_batch_tokens));
    }
    if (batch.cu_seqlens.front() != 0 || batch.cu_seqlens.back() != batch.num_tokens() ||
        !std::is_sorted(batch.cu_seqlens.begin(), batch.cu_seqlens.end()) ||
        batch.positions.size() != batch.token_ids.size() ||
        batch.token_type_ids.size() != batch.token_ids.size()) {
      return absl::InvalidArgumentError(
          "cu_seqlens, positions or token_type_ids do not match the token ids");
    }
    int max_seqlen = 0;
    for (int b = 0; b < n; ++b) max_seqlen = std::max(max_seqlen, batch.sequence_length(b));
    if (max_seqlen != batch.max_seqlen) {
      return absl::InvalidArgumentError(absl::StrCat("max_seqlen is ", batch.max_seqlen,
                                                     " but the longest sequence has ", max_seqlen));
    }
    return absl::OkStatus();
  }

  // Why sequence b cannot run, in words about it alone (the batch index
  // and the other sequences mean nothing to its caller).
  absl::Status ValidateSequence(const PackedBatch& batch, int b, const SequenceTask& task) const {
    const ModelConfig& config = model_->config();
    const int length = batch.sequence_length(b);
    if (length <= 0) return absl::InvalidArgumentError("the sequence is empty");
    if (task.pool_from < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("pool_from is ", task.pool_from, "; it must be at least 0"));
    }
    if (length > config.max_position_embeddings) {
      return absl::InvalidArgumentError(absl::StrCat("the sequence has ", length,
                                                     " tokens; the model accepts at most ",
                                                     config.max_position_embeddings));
    }
    const int begin = batch.cu_seqlens[b];
    for (int t = 0; t < length; ++t) {
      if (batch.positions[begin + t] != t) {
        return absl::InvalidArgumentError(
            absl::StrCat("position ", t, " of the sequence is ", batch.positions[begin + t]));
      }
      const int32_t id = batch.token_ids[begin + t];
      if (id < 0 || id >= config.vocab_size) {
        return absl::InvalidArgumentError(absl::StrCat(
            "token ", t, " has id ", id, "; the vocabulary has ids [0, ", config.vocab_size, ")"));
      }
      // Models without token types ignore them; the others embed them, so
      // each must be a row of their token type table.
      const int32_t type = batch.token_type_ids[begin + t];
      if (config.type_vocab_size > 0 && (type < 0 || type >= config.type_vocab_size)) {
        return absl::InvalidArgumentError(absl::StrCat("token ", t, " has token_type_id ", type,
                                                       "; the model has types [0, ",
                                                       config.type_vocab_size, ")"));
      }
    }
    return CheckTaskSupported(task);
  }

  absl::Status CheckTaskSupported(const SequenceTask& task) const {
    const ModelConfig& config = model_->config();
    if (task.kind == OutputKind::kClassLogits && config.head != HeadKind::kSequenceClassification) {
      return absl::FailedPreconditionError(absl::StrCat("the sequence asks for class logits but ",
                                                        config.architecture,
                                                        " has no classification head"));
    }
    if (task.kind == OutputKind::kMaskedLmLogits && config.head != HeadKind::kMaskedLm) {
      return absl::FailedPreconditionError(
          absl::StrCat("the sequence asks for masked-LM logits but ", config.architecture,
                       " has no masked-LM head"));
    }
    return absl::OkStatus();
  }

  // Copies rows [first, first + count) of a device tensor of any float dtype
  // into out + offset as float32.
  absl::Status ReadRows(const Tensor& t, int64_t first, int64_t count, std::vector<float>& out,
                        size_t offset = 0) const {
    Backend& backend = model_->backend();
    const Tensor rows = t.RowSlice(first, count);
    out.resize(std::max(out.size(), offset + rows.numel()));
    if (t.dtype() == DType::kF32) {
      return CopyToHost(backend, rows, out.data() + offset, rows.bytes());
    }
    std::vector<uint16_t> narrow(rows.numel());
    MBSERVE_RETURN_IF_ERROR(CopyToHost(backend, rows, narrow.data(), rows.bytes()));
    ConvertToFloat32(narrow.data(), t.dtype(), narrow.size(), out.data() + offset);
    return absl::OkStatus();
  }

  absl::Status CollectPooled(std::span<const SequenceTask> tasks,
                             std::vector<std::vector<float>>& outputs) {
    for (Pooling pooling : {Pooling::kCls, Pooling::kMean}) {
      for (bool normalize : {false, true}) {
        const auto wants = [&](const SequenceTask& task) {
          return task.kind == OutputKind::kPooledEmbedding && task.pooling == pooling &&
                 task.normalize == normalize;
        };
        if (std::none_of(tasks.begin(), tasks.end(), wants)) continue;
        // Means that leave the prompt out start pool_from tokens in.
        std::vector<int32_t> mean_from;
        const auto skips = [&](const SequenceTask& task) {
          return wants(task) && pooling == Pooling::kMean && task.pool_from > 0;
        };
        if (std::any_of(tasks.begin(), tasks.end(), skips)) {
          mean_from.resize(tasks.size(), 0);
          for (size_t b = 0; b < tasks.size(); ++b) {
            if (skips(tasks[b])) mean_from[b] = tasks[b].pool_from;
          }
        }
        MBSERVE_ASSIGN_OR_RETURN(Tensor pooled, model_->PoolAll(pooling, normalize, mean_from));
        MBSERVE_RETURN_IF_ERROR(ScatterRows(pooled, tasks, outputs, wants));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CollectClassLogits(std::span<const SequenceTask> tasks,
                                  std::vector<std::vector<float>>& outputs) {
    bool wanted = false;
    for (const SequenceTask& task : tasks) wanted |= task.kind == OutputKind::kClassLogits;
    if (!wanted) return absl::OkStatus();
    MBSERVE_ASSIGN_OR_RETURN(Tensor logits, model_->ClassifyAll());
    return ScatterRows(logits, tasks, outputs, [](const SequenceTask& task) {
      return task.kind == OutputKind::kClassLogits;
    });
  }

  // Row b of a per-sequence tensor [>= n, cols] to outputs[b] for each
  // sequence whose task `wants` it, with one copy from the device per batch.
  template <typename Wants>
  absl::Status ScatterRows(const Tensor& t, std::span<const SequenceTask> tasks,
                           std::vector<std::vector<float>>& outputs, Wants wants) const {
    const int64_t cols = t.cols();
    std::vector<float> all;
    MBSERVE_RETURN_IF_ERROR(ReadRows(t, 0, static_cast<int64_t>(tasks.size()), all));
    for (size_t b = 0; b < tasks.size(); ++b) {
      if (!wants(tasks[b])) continue;
      outputs[b].assign(all.begin() + b * cols, all.begin() + (b + 1) * cols);
    }
    return absl::OkStatus();
  }

  absl::Status CollectTokenOutputs(const PackedBatch& batch, std::span<const SequenceTask> tasks,
                                   std::vector<std::vector<float>>& outputs) {
    for (size_t b = 0; b < tasks.size(); ++b) {
      const int64_t begin = batch.cu_seqlens[b];
      const int64_t length = batch.sequence_length(static_cast<int>(b));
      std::vector<float>& out = outputs[b];
      if (tasks[b].kind == OutputKind::kTokenEmbeddings) {
        MBSERVE_RETURN_IF_ERROR(ReadRows(model_->hidden(), begin, length, out));
      } else if (tasks[b].kind == OutputKind::kMaskedLmLogits) {
        const int64_t vocab = model_->config().vocab_size;
        out.resize(length * vocab);
        // In chunks cut relative to the sequence, so results do not depend on
        // the rest of the batch and the logits buffer stays bounded.
        for (int64_t first = 0; first < length; first += Model::kHeadChunkRows) {
          const int64_t count = std::min(Model::kHeadChunkRows, length - first);
          MBSERVE_ASSIGN_OR_RETURN(Tensor logits, model_->MaskedLmLogits(begin + first, count));
          MBSERVE_RETURN_IF_ERROR(ReadRows(logits, 0, count, out, first * vocab));
        }
      }
    }
    return absl::OkStatus();
  }

  EngineOptions options_;
  SentenceTransformersConfig st_;
  std::unique_ptr<Model> model_;
  std::string kernel_summary_;
};

std::string DescribeKernels(const EngineOptions& options) {
  if (!options.device.is_cpu()) {
    return absl::StrCat(options.device.ToString(), " cuBLASLt + own kernels ",
                        DTypeName(options.dtype));
  }
  const absl::StatusOr<cpu_gemm::CpuIsa> isa = cpu_gemm::ProcessCpuIsa();
  const int threads = options.num_threads > 0 ? options.num_threads : omp_get_max_threads();
  const cpu_gemm::GemmDType gemm_dtype = options.dtype == DType::kBF16
                                             ? cpu_gemm::GemmDType::kBFloat16
                                             : cpu_gemm::GemmDType::kFloat32;
  return absl::StrCat("cpu ", isa.ok() ? cpu_gemm::GemmIsaName(*isa, gemm_dtype) : "unavailable",
                      " ", DTypeName(options.dtype), ", ", threads,
                      threads == 1 ? " thread" : " threads");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(const std::string& model_dir,
                                                       const EngineOptions& options) {
  const std::filesystem::path dir(model_dir);
  MBSERVE_ASSIGN_OR_RETURN(bool is_directory, files::IsDirectory(model_dir));
  if (!is_directory) {
    return absl::NotFoundError(absl::StrCat("model directory ", model_dir, " does not exist"));
  }
  MBSERVE_ASSIGN_OR_RETURN(ModelConfig config, LoadModelConfig((dir / "config.json").string()));
  if (options.device.is_cpu() && options.dtype != DType::kF32 && options.dtype != DType::kBF16) {
    return absl::InvalidArgumentError(absl::StrCat("dtype ", DTypeName(options.dtype),
                                                   " requested; the CPU backend computes in "
                                                   "float32 or bf16"));
  }
  // The CUDA kernels compute on 16-bit activations (float32 inside).
  if (options.device.is_cuda() && options.dtype != DType::kBF16 && options.dtype != DType::kF16) {
    return absl::InvalidArgumentError(absl::StrCat("dtype ", DTypeName(options.dtype),
                                                   " requested; the CUDA backend computes in bf16 "
                                                   "or f16 (float32 accumulation)"));
  }
  // The caller keeps every sequence within max_batch_tokens (the server caps
  // input lengths at it); Run rejects a batch that does not fit.
  if (options.max_batch_tokens < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_batch_tokens is ", options.max_batch_tokens, "; it must be positive"));
  }
  MBSERVE_ASSIGN_OR_RETURN(SentenceTransformersConfig st,
                           LoadSentenceTransformersConfig(model_dir, config));
  MBSERVE_ASSIGN_OR_RETURN(auto model, LoadModel(model_dir, config, options.device, options.dtype,
                                                 options.max_batch_tokens));
  return std::unique_ptr<Engine>(
      new EngineImpl(options, std::move(st), std::move(model), DescribeKernels(options)));
}

}  // namespace mbserve
