#include "engine/engine.h"

#include <omp.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "engine/model/dtype_convert.h"
#include "engine/model/modernbert.h"
#include "engine/ops/cpu_gemm/isa.h"
#include "engine/status_macros.h"

namespace mbserve {
namespace {

class EngineImpl final : public Engine {
 public:
  EngineImpl(EngineOptions options, SentenceTransformersConfig st,
             std::unique_ptr<ModernBert> model, std::string kernel_summary)
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
    MBSERVE_RETURN_IF_ERROR(Validate(batch, tasks));
    if (options_.num_threads > 0) {
      // Per call: OpenMP's thread count belongs to the calling thread, and
      // the engine may be created on one thread and driven from another.
      omp_set_num_threads(options_.num_threads);
    }
    MBSERVE_RETURN_IF_ERROR(model_->Encode(batch));
    BatchOutput result;
    result.outputs.resize(tasks.size());
    MBSERVE_RETURN_IF_ERROR(CollectPooled(tasks, result));
    MBSERVE_RETURN_IF_ERROR(CollectClassLogits(tasks, result));
    MBSERVE_RETURN_IF_ERROR(CollectTokenOutputs(batch, tasks, result));
    return result;
  }

 private:
  absl::Status Validate(const PackedBatch& batch, std::span<const SequenceTask> tasks) const {
    const ModelConfig& config = model_->config();
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
        batch.positions.size() != batch.token_ids.size()) {
      return absl::InvalidArgumentError("cu_seqlens or positions do not match the token ids");
    }
    int max_seqlen = 0;
    for (int b = 0; b < n; ++b) {
      const int length = batch.sequence_length(b);
      if (length <= 0) return absl::InvalidArgumentError(absl::StrCat("sequence ", b, " is empty"));
      if (length > config.max_position_embeddings) {
        return absl::InvalidArgumentError(absl::StrCat("sequence ", b, " has ", length,
                                                       " tokens; the model accepts at most ",
                                                       config.max_position_embeddings));
      }
      max_seqlen = std::max(max_seqlen, length);
      for (int t = 0; t < length; ++t) {
        if (batch.positions[batch.cu_seqlens[b] + t] != t) {
          return absl::InvalidArgumentError(
              absl::StrCat("sequence ", b, " position ", t, " is not ", t));
        }
      }
      MBSERVE_RETURN_IF_ERROR(CheckTaskSupported(b, tasks[b]));
    }
    if (max_seqlen != batch.max_seqlen) {
      return absl::InvalidArgumentError(absl::StrCat("max_seqlen is ", batch.max_seqlen,
                                                     " but the longest sequence has ", max_seqlen));
    }
    for (int t = 0; t < batch.num_tokens(); ++t) {
      const int32_t id = batch.token_ids[t];
      if (id < 0 || id >= config.vocab_size) {
        return absl::InvalidArgumentError(absl::StrCat(
            "token ", t, " has id ", id, "; the vocabulary has ids [0, ", config.vocab_size, ")"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckTaskSupported(int b, const SequenceTask& task) const {
    const ModelConfig& config = model_->config();
    if (task.kind == OutputKind::kClassLogits && config.head != HeadKind::kSequenceClassification) {
      return absl::FailedPreconditionError(
          absl::StrCat("sequence ", b, " asks for class logits but ", config.architecture,
                       " has no classification head"));
    }
    if (task.kind == OutputKind::kMaskedLmLogits && config.head != HeadKind::kMaskedLm) {
      return absl::FailedPreconditionError(
          absl::StrCat("sequence ", b, " asks for masked-LM logits but ", config.architecture,
                       " has no masked-LM head"));
    }
    return absl::OkStatus();
  }

  // Copies rows [first, first + count) of a device tensor of any float dtype
  // into out + offset as float32.
  static absl::Status ReadRows(const Tensor& t, int64_t first, int64_t count,
                               std::vector<float>& out, size_t offset = 0) {
    const Tensor rows = t.RowSlice(first, count);
    out.resize(std::max(out.size(), offset + rows.numel()));
    if (t.dtype() == DType::kF32) return CopyToHost(rows, out.data() + offset, rows.bytes());
    std::vector<uint16_t> narrow(rows.numel());
    MBSERVE_RETURN_IF_ERROR(CopyToHost(rows, narrow.data(), rows.bytes()));
    ConvertToFloat32(narrow.data(), t.dtype(), narrow.size(), out.data() + offset);
    return absl::OkStatus();
  }

  absl::Status CollectPooled(std::span<const SequenceTask> tasks, BatchOutput& result) {
    for (Pooling pooling : {Pooling::kCls, Pooling::kMean}) {
      for (bool normalize : {false, true}) {
        bool wanted = false;
        for (const SequenceTask& task : tasks) {
          wanted |= task.kind == OutputKind::kPooledEmbedding && task.pooling == pooling &&
                    task.normalize == normalize;
        }
        if (!wanted) continue;
        MBSERVE_ASSIGN_OR_RETURN(Tensor pooled, model_->PoolAll(pooling, normalize));
        MBSERVE_RETURN_IF_ERROR(ScatterRows(pooled, tasks, result, [&](const SequenceTask& task) {
          return task.kind == OutputKind::kPooledEmbedding && task.pooling == pooling &&
                 task.normalize == normalize;
        }));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CollectClassLogits(std::span<const SequenceTask> tasks, BatchOutput& result) {
    bool wanted = false;
    for (const SequenceTask& task : tasks) wanted |= task.kind == OutputKind::kClassLogits;
    if (!wanted) return absl::OkStatus();
    MBSERVE_ASSIGN_OR_RETURN(Tensor logits, model_->ClassifyAll());
    return ScatterRows(logits, tasks, result, [](const SequenceTask& task) {
      return task.kind == OutputKind::kClassLogits;
    });
  }

  // Row b of a per-sequence tensor [>= n, cols] to outputs[b] for each
  // sequence whose task `wants` it, with one copy from the device per batch.
  template <typename Wants>
  static absl::Status ScatterRows(const Tensor& t, std::span<const SequenceTask> tasks,
                                  BatchOutput& result, Wants wants) {
    const int64_t cols = t.cols();
    std::vector<float> all;
    MBSERVE_RETURN_IF_ERROR(ReadRows(t, 0, static_cast<int64_t>(tasks.size()), all));
    for (size_t b = 0; b < tasks.size(); ++b) {
      if (!wants(tasks[b])) continue;
      result.outputs[b].assign(all.begin() + b * cols, all.begin() + (b + 1) * cols);
    }
    return absl::OkStatus();
  }

  absl::Status CollectTokenOutputs(const PackedBatch& batch, std::span<const SequenceTask> tasks,
                                   BatchOutput& result) {
    for (size_t b = 0; b < tasks.size(); ++b) {
      const int64_t begin = batch.cu_seqlens[b];
      const int64_t length = batch.sequence_length(static_cast<int>(b));
      std::vector<float>& out = result.outputs[b];
      if (tasks[b].kind == OutputKind::kTokenEmbeddings) {
        MBSERVE_RETURN_IF_ERROR(ReadRows(model_->hidden(), begin, length, out));
      } else if (tasks[b].kind == OutputKind::kMaskedLmLogits) {
        const int64_t vocab = model_->config().vocab_size;
        out.resize(length * vocab);
        // In chunks cut relative to the sequence, so results do not depend on
        // the rest of the batch and the logits buffer stays bounded.
        for (int64_t first = 0; first < length; first += ModernBert::kHeadChunkRows) {
          const int64_t count = std::min(ModernBert::kHeadChunkRows, length - first);
          MBSERVE_ASSIGN_OR_RETURN(Tensor logits, model_->MaskedLmLogits(begin + first, count));
          MBSERVE_RETURN_IF_ERROR(ReadRows(logits, 0, count, out, first * vocab));
        }
      }
    }
    return absl::OkStatus();
  }

  EngineOptions options_;
  SentenceTransformersConfig st_;
  std::unique_ptr<ModernBert> model_;
  std::string kernel_summary_;
};

std::string DescribeKernels(const EngineOptions& options) {
  if (!options.device.is_cpu()) {
    return absl::StrCat(options.device.ToString(), " cuBLASLt + own kernels ",
                        DTypeName(options.dtype));
  }
  const absl::StatusOr<cpu_gemm::CpuIsa> isa = cpu_gemm::ProcessCpuIsa();
  const int threads = options.num_threads > 0 ? options.num_threads : omp_get_max_threads();
  return absl::StrCat("cpu ", isa.ok() ? cpu_gemm::CpuIsaName(*isa) : "unavailable", " ",
                      DTypeName(options.dtype), ", ", threads,
                      threads == 1 ? " thread" : " threads");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(const std::string& model_dir,
                                                       const EngineOptions& options) {
  const std::filesystem::path dir(model_dir);
  if (!std::filesystem::is_directory(dir)) {
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
                           LoadSentenceTransformersConfig(model_dir));
  MBSERVE_ASSIGN_OR_RETURN(auto model, ModernBert::Load(model_dir, config, options.device,
                                                        options.dtype, options.max_batch_tokens));
  return std::unique_ptr<Engine>(
      new EngineImpl(options, std::move(st), std::move(model), DescribeKernels(options)));
}

}  // namespace mbserve
