#include "engine/model/bert.h"

#include "absl/strings/str_cat.h"
#include "engine/ops/activation.h"
#include "engine/ops/attention.h"
#include "engine/ops/embedding.h"
#include "engine/ops/linear.h"
#include "engine/ops/norm.h"
#include "engine/ops/pooling.h"
#include "common/status_macros.h"

namespace mbserve {

absl::StatusOr<std::unique_ptr<Bert>> Bert::Load(const std::string& model_dir,
                                                 const ModelConfig& config, Device device,
                                                 DType dtype, int max_batch_tokens) {
  auto model = std::unique_ptr<Bert>(new Bert());
  model->config_ = config;
  model->device_ = device;
  // The CPU keeps activations in float32 and runs its GEMMs in `dtype`.
  model->dtype_ = device.is_cpu() ? DType::kF32 : dtype;
  MBSERVE_ASSIGN_OR_RETURN(Checkpoint checkpoint, Checkpoint::Open(model_dir));
  MBSERVE_ASSIGN_OR_RETURN(model->weights_,
                           LoadBertWeights(checkpoint, config, device, model->dtype_, dtype));
  MBSERVE_RETURN_IF_ERROR(model->AllocateActivations(max_batch_tokens));
  return model;
}

absl::StatusOr<Buffer> Bert::AllocateActivation(int64_t rows, int64_t cols) const {
  return Buffer::Allocate(device_, static_cast<size_t>(rows * cols) * DTypeSize(dtype_));
}

absl::Status Bert::AllocateActivations(int max_batch_tokens) {
  const int64_t h = config_.hidden_size;
  capacity_rows_ = max_batch_tokens;
  const int64_t rows = capacity_rows_;
  for (Buffer* ints : {&ids_buffer_, &positions_buffer_, &types_buffer_}) {
    MBSERVE_ASSIGN_OR_RETURN(*ints, Buffer::Allocate(device_, rows * sizeof(int32_t)));
  }
  MBSERVE_ASSIGN_OR_RETURN(cu_seqlens_buffer_,
                           Buffer::Allocate(device_, (rows + 1) * sizeof(int32_t)));
  MBSERVE_ASSIGN_OR_RETURN(hidden_buffer_, AllocateActivation(rows, h));
  MBSERVE_ASSIGN_OR_RETURN(qkv_buffer_, AllocateActivation(rows, 3 * h));
  MBSERVE_ASSIGN_OR_RETURN(attention_buffer_, AllocateActivation(rows, h));
  MBSERVE_ASSIGN_OR_RETURN(intermediate_buffer_,
                           AllocateActivation(rows, config_.intermediate_size));
  MBSERVE_ASSIGN_OR_RETURN(pooled_buffer_, AllocateActivation(rows, h));
  if (config_.head == HeadKind::kSequenceClassification) {
    MBSERVE_ASSIGN_OR_RETURN(pooler_out_buffer_, AllocateActivation(rows, h));
    MBSERVE_ASSIGN_OR_RETURN(logits_buffer_, AllocateActivation(rows, config_.num_labels()));
  }
  return absl::OkStatus();
}

absl::Status Bert::UploadBatch(const PackedBatch& batch) {
  const int64_t rows = batch.num_tokens();
  if (rows > capacity_rows_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch of ", rows, " tokens exceeds the engine's buffers of ", capacity_rows_, " rows"));
  }
  const size_t int_bytes = rows * sizeof(int32_t);
  ids_ = ids_buffer_.View(DType::kI32, {rows});
  positions_ = positions_buffer_.View(DType::kI32, {rows});
  types_ = types_buffer_.View(DType::kI32, {rows});
  MBSERVE_RETURN_IF_ERROR(CopyFromHost(batch.token_ids.data(), int_bytes, ids_));
  MBSERVE_RETURN_IF_ERROR(CopyFromHost(batch.positions.data(), int_bytes, positions_));
  MBSERVE_RETURN_IF_ERROR(CopyFromHost(batch.token_type_ids.data(), int_bytes, types_));

  host_cu_seqlens_ = batch.cu_seqlens;
  const int64_t boundaries = static_cast<int64_t>(host_cu_seqlens_.size());
  layout_.host_cu_seqlens = host_cu_seqlens_;
  layout_.cu_seqlens = cu_seqlens_buffer_.View(DType::kI32, {boundaries});
  layout_.max_seqlen = batch.max_seqlen;
  MBSERVE_RETURN_IF_ERROR(
      CopyFromHost(host_cu_seqlens_.data(), boundaries * sizeof(int32_t), layout_.cu_seqlens));

  const int64_t h = config_.hidden_size;
  hidden_ = hidden_buffer_.View(dtype_, {rows, h});
  qkv_ = qkv_buffer_.View(dtype_, {rows, 3 * h});
  attention_ = attention_buffer_.View(dtype_, {rows, h});
  intermediate_ = intermediate_buffer_.View(dtype_, {rows, config_.intermediate_size});
  return absl::OkStatus();
}

absl::Status Bert::Encode(const PackedBatch& batch) {
  MBSERVE_RETURN_IF_ERROR(UploadBatch(batch));
  const BertWeights& w = weights_;
  MBSERVE_RETURN_IF_ERROR(SumEmbeddings(ids_, positions_, types_, w.word_embeddings.tensor,
                                        w.position_embeddings.tensor, w.type_embeddings.tensor,
                                        hidden_));
  MBSERVE_RETURN_IF_ERROR(LayerNorm(hidden_, w.embedding_norm_gamma.tensor,
                                    w.embedding_norm_beta.tensor, config_.norm_eps, hidden_));
  for (int l = 0; l < config_.num_layers; ++l) MBSERVE_RETURN_IF_ERROR(RunLayer(l));
  return absl::OkStatus();
}

absl::Status Bert::RunLayer(int index) {
  const BertLayerWeights& w = weights_.layers[index];
  const float eps = config_.norm_eps;
  // Attention block: the residual is added inside the output GEMM.
  MBSERVE_RETURN_IF_ERROR(Linear(hidden_, w.qkv, qkv_));
  MBSERVE_RETURN_IF_ERROR(AddBias(qkv_, w.qkv_bias.tensor));
  MBSERVE_RETURN_IF_ERROR(
      Attention(qkv_, layout_, config_.num_heads, /*half_window=*/-1, attention_));
  MBSERVE_RETURN_IF_ERROR(Linear(attention_, w.attention_out, hidden_, /*accumulate=*/true));
  MBSERVE_RETURN_IF_ERROR(AddBias(hidden_, w.attention_out_bias.tensor));
  MBSERVE_RETURN_IF_ERROR(LayerNorm(hidden_, w.attention_norm_gamma.tensor,
                                    w.attention_norm_beta.tensor, eps, hidden_));
  // MLP block.
  MBSERVE_RETURN_IF_ERROR(Linear(hidden_, w.intermediate, intermediate_));
  MBSERVE_RETURN_IF_ERROR(AddBias(intermediate_, w.intermediate_bias.tensor));
  MBSERVE_RETURN_IF_ERROR(Gelu(intermediate_));
  MBSERVE_RETURN_IF_ERROR(Linear(intermediate_, w.output, hidden_, /*accumulate=*/true));
  MBSERVE_RETURN_IF_ERROR(AddBias(hidden_, w.output_bias.tensor));
  return LayerNorm(hidden_, w.output_norm_gamma.tensor, w.output_norm_beta.tensor, eps, hidden_);
}

absl::StatusOr<Tensor> Bert::PoolAll(Pooling pooling, bool normalize) {
  const int64_t n = layout_.num_sequences();
  Tensor pooled = pooled_buffer_.View(dtype_, {n, config_.hidden_size});
  MBSERVE_RETURN_IF_ERROR(Pool(hidden_, layout_, pooling == Pooling::kMean, pooled));
  if (normalize) MBSERVE_RETURN_IF_ERROR(L2Normalize(pooled));
  return pooled;
}

absl::StatusOr<Tensor> Bert::ClassifyAll() {
  if (config_.head != HeadKind::kSequenceClassification) {
    return absl::FailedPreconditionError(
        absl::StrCat(config_.architecture, " has no classification head"));
  }
  MBSERVE_ASSIGN_OR_RETURN(Tensor cls, PoolAll(Pooling::kCls, /*normalize=*/false));
  const int64_t n = cls.rows();
  Tensor pooler_out = pooler_out_buffer_.View(dtype_, {n, config_.hidden_size});
  MBSERVE_RETURN_IF_ERROR(Linear(cls, weights_.pooler, pooler_out));
  MBSERVE_RETURN_IF_ERROR(AddBias(pooler_out, weights_.pooler_bias.tensor));
  MBSERVE_RETURN_IF_ERROR(Tanh(pooler_out));
  Tensor logits = logits_buffer_.View(dtype_, {n, config_.num_labels()});
  MBSERVE_RETURN_IF_ERROR(Linear(pooler_out, weights_.classifier, logits));
  MBSERVE_RETURN_IF_ERROR(AddBias(logits, weights_.classifier_bias.tensor));
  return logits;
}

absl::StatusOr<Tensor> Bert::MaskedLmLogits(int64_t, int64_t) {
  return absl::FailedPreconditionError(
      absl::StrCat(config_.architecture, " has no masked-LM head"));
}

}  // namespace mbserve
