#include "engine/model/modernbert.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/ops/activation.h"
#include "engine/ops/attention.h"
#include "engine/ops/linear.h"
#include "engine/ops/norm.h"
#include "engine/ops/pooling.h"
#include "engine/ops/rope.h"

namespace mbserve {
namespace {

absl::StatusOr<Buffer> AllocateFloat32(Device device, int64_t rows, int64_t cols) {
  return Buffer::Allocate(device, static_cast<size_t>(rows * cols) * sizeof(float));
}

}  // namespace

absl::StatusOr<std::unique_ptr<ModernBert>> ModernBert::Load(const std::string& model_dir,
                                                             const ModelConfig& config,
                                                             Device device, DType dtype,
                                                             int max_batch_tokens) {
  auto model = std::unique_ptr<ModernBert>(new ModernBert());
  model->config_ = config;
  model->device_ = device;
  // The CPU keeps activations in float32 and runs its GEMMs in `dtype`.
  model->dtype_ = device.is_cpu() ? DType::kF32 : dtype;
  MBSERVE_ASSIGN_OR_RETURN(Checkpoint checkpoint, Checkpoint::Open(model_dir));
  MBSERVE_ASSIGN_OR_RETURN(model->weights_,
                           LoadWeights(checkpoint, config, device, model->dtype_, dtype));

  // No position reaches max_batch_tokens (Engine::Run rejects longer
  // batches), so the tables stop there when it is below the model's limit.
  const int positions = std::min(config.max_position_embeddings, max_batch_tokens);
  for (const LayerSpec& layer : config.layers) {
    if (model->rope_tables_.count(layer.rope_theta)) continue;
    RopeTableHost host = ComputeRopeTable(layer.rope_theta, config.head_dim, positions);
    RopeTable table;
    const int64_t half = config.head_dim / 2;
    MBSERVE_ASSIGN_OR_RETURN(table.cos_buffer, AllocateFloat32(device, positions, half));
    MBSERVE_ASSIGN_OR_RETURN(table.sin_buffer, AllocateFloat32(device, positions, half));
    table.cos = table.cos_buffer.View(DType::kF32, {positions, half});
    table.sin = table.sin_buffer.View(DType::kF32, {positions, half});
    MBSERVE_RETURN_IF_ERROR(
        CopyFromHost(host.cos.data(), host.cos.size() * sizeof(float), table.cos));
    MBSERVE_RETURN_IF_ERROR(
        CopyFromHost(host.sin.data(), host.sin.size() * sizeof(float), table.sin));
    model->rope_tables_.emplace(layer.rope_theta, std::move(table));
  }
  MBSERVE_RETURN_IF_ERROR(model->AllocateActivations(max_batch_tokens));
  return model;
}

absl::StatusOr<Buffer> ModernBert::AllocateActivation(int64_t rows, int64_t cols) const {
  return Buffer::Allocate(device_, static_cast<size_t>(rows * cols) * DTypeSize(dtype_));
}

absl::Status ModernBert::AllocateActivations(int max_batch_tokens) {
  const int64_t h = config_.hidden_size;
  const int64_t i = config_.intermediate_size;
  capacity_rows_ = max_batch_tokens;
  const int64_t rows = capacity_rows_;
  MBSERVE_ASSIGN_OR_RETURN(ids_buffer_, Buffer::Allocate(device_, rows * sizeof(int32_t)));
  MBSERVE_ASSIGN_OR_RETURN(positions_buffer_, Buffer::Allocate(device_, rows * sizeof(int32_t)));
  MBSERVE_ASSIGN_OR_RETURN(cu_seqlens_buffer_,
                           Buffer::Allocate(device_, (rows + 1) * sizeof(int32_t)));
  MBSERVE_ASSIGN_OR_RETURN(residual_buffer_, AllocateActivation(rows, h));
  MBSERVE_ASSIGN_OR_RETURN(normed_buffer_, AllocateActivation(rows, h));
  MBSERVE_ASSIGN_OR_RETURN(qkv_buffer_, AllocateActivation(rows, 3 * h));
  MBSERVE_ASSIGN_OR_RETURN(attention_buffer_, AllocateActivation(rows, h));
  MBSERVE_ASSIGN_OR_RETURN(mlp_in_buffer_, AllocateActivation(rows, 2 * i));
  MBSERVE_ASSIGN_OR_RETURN(mlp_out_buffer_, AllocateActivation(rows, i));
  MBSERVE_ASSIGN_OR_RETURN(pooled_buffer_, AllocateActivation(rows, h));
  MBSERVE_ASSIGN_OR_RETURN(head_buffer_, AllocateActivation(2 * rows, h));
  int64_t logits_floats = 0;
  if (config_.head == HeadKind::kMaskedLm) {
    logits_floats = kHeadChunkRows * config_.vocab_size;
  } else if (config_.head == HeadKind::kSequenceClassification) {
    logits_floats = rows * config_.num_labels();
  }
  MBSERVE_ASSIGN_OR_RETURN(logits_buffer_, AllocateActivation(logits_floats, 1));
  return absl::OkStatus();
}

absl::Status ModernBert::UploadBatch(const PackedBatch& batch) {
  const int64_t rows = batch.num_tokens();
  if (rows > capacity_rows_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch of ", rows, " tokens exceeds the engine's buffers of ", capacity_rows_, " rows"));
  }
  ids_ = ids_buffer_.View(DType::kI32, {rows});
  positions_ = positions_buffer_.View(DType::kI32, {rows});
  MBSERVE_RETURN_IF_ERROR(CopyFromHost(batch.token_ids.data(), rows * sizeof(int32_t), ids_));
  MBSERVE_RETURN_IF_ERROR(CopyFromHost(batch.positions.data(), rows * sizeof(int32_t), positions_));

  host_cu_seqlens_ = batch.cu_seqlens;
  const int64_t boundaries = static_cast<int64_t>(host_cu_seqlens_.size());
  layout_.host_cu_seqlens = host_cu_seqlens_;
  layout_.cu_seqlens = cu_seqlens_buffer_.View(DType::kI32, {boundaries});
  layout_.max_seqlen = batch.max_seqlen;
  MBSERVE_RETURN_IF_ERROR(
      CopyFromHost(host_cu_seqlens_.data(), boundaries * sizeof(int32_t), layout_.cu_seqlens));

  const int64_t h = config_.hidden_size;
  const int64_t i = config_.intermediate_size;
  residual_ = residual_buffer_.View(dtype_, {rows, h});
  normed_ = normed_buffer_.View(dtype_, {rows, h});
  qkv_ = qkv_buffer_.View(dtype_, {rows, 3 * h});
  attention_ = attention_buffer_.View(dtype_, {rows, h});
  mlp_in_ = mlp_in_buffer_.View(dtype_, {rows, 2 * i});
  mlp_out_ = mlp_out_buffer_.View(dtype_, {rows, i});
  return absl::OkStatus();
}

absl::Status ModernBert::Encode(const PackedBatch& batch) {
  MBSERVE_RETURN_IF_ERROR(UploadBatch(batch));
  MBSERVE_RETURN_IF_ERROR(EmbeddingLayerNorm(ids_, weights_.tok_embeddings.tensor,
                                             weights_.embedding_norm.tensor, config_.norm_eps,
                                             residual_));
  for (int l = 0; l < config_.num_layers; ++l) MBSERVE_RETURN_IF_ERROR(RunLayer(l));
  return LayerNorm(residual_, weights_.final_norm.tensor, config_.norm_eps, normed_);
}

absl::Status ModernBert::RunLayer(int index) {
  const LayerWeights& w = weights_.layers[index];
  const LayerSpec& spec = config_.layers[index];
  // Layer 0's attention norm is the identity: the embedding is already normed.
  const Tensor* attention_input = &residual_;
  if (w.attn_norm.loaded()) {
    MBSERVE_RETURN_IF_ERROR(LayerNorm(residual_, w.attn_norm.tensor, config_.norm_eps, normed_));
    attention_input = &normed_;
  }
  MBSERVE_RETURN_IF_ERROR(Linear(*attention_input, w.wqkv, qkv_));
  const RopeTable& rope = rope_tables_.at(spec.rope_theta);
  MBSERVE_RETURN_IF_ERROR(ApplyRope(qkv_, positions_, rope.cos, rope.sin, config_.num_heads));
  MBSERVE_RETURN_IF_ERROR(Attention(qkv_, layout_, config_.num_heads,
                                    spec.global ? -1 : config_.half_window, attention_));
  MBSERVE_RETURN_IF_ERROR(Linear(attention_, w.wo, residual_, /*accumulate=*/true));

  MBSERVE_RETURN_IF_ERROR(LayerNorm(residual_, w.mlp_norm.tensor, config_.norm_eps, normed_));
  MBSERVE_RETURN_IF_ERROR(Linear(normed_, w.wi, mlp_in_));
  MBSERVE_RETURN_IF_ERROR(GeGlu(mlp_in_, mlp_out_));
  return Linear(mlp_out_, w.mlp_wo, residual_, /*accumulate=*/true);
}

absl::StatusOr<Tensor> ModernBert::PoolAll(Pooling pooling, bool normalize) {
  const int64_t n = layout_.num_sequences();
  const int64_t h = config_.hidden_size;
  Tensor pooled = pooled_buffer_.View(dtype_, {n, h});
  MBSERVE_RETURN_IF_ERROR(Pool(normed_, layout_, pooling == Pooling::kMean, pooled));
  if (normalize) MBSERVE_RETURN_IF_ERROR(L2Normalize(pooled));
  return pooled;
}

absl::Status ModernBert::PredictionHead(const Tensor& in, const Tensor& scratch,
                                        const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(Linear(in, weights_.head_dense, scratch));
  MBSERVE_RETURN_IF_ERROR(Gelu(scratch));
  return LayerNorm(scratch, weights_.head_norm.tensor, config_.norm_eps, out);
}

absl::StatusOr<Tensor> ModernBert::ClassifyAll() {
  if (config_.head != HeadKind::kSequenceClassification) {
    return absl::FailedPreconditionError(
        absl::StrCat(config_.architecture, " has no classification head"));
  }
  MBSERVE_ASSIGN_OR_RETURN(Tensor pooled, PoolAll(config_.classifier_pooling, false));
  const int64_t rows = pooled.rows();
  const int64_t h = config_.hidden_size;
  Tensor scratch = head_buffer_.View(dtype_, {rows, h});
  Tensor headed = head_buffer_.View(dtype_, {2 * rows, h}).RowSlice(rows, rows);
  MBSERVE_RETURN_IF_ERROR(PredictionHead(pooled, scratch, headed));
  Tensor logits = logits_buffer_.View(dtype_, {rows, config_.num_labels()});
  MBSERVE_RETURN_IF_ERROR(Linear(headed, weights_.classifier_weight, logits));
  MBSERVE_RETURN_IF_ERROR(AddBias(logits, weights_.classifier_bias.tensor));
  return logits;
}

absl::StatusOr<Tensor> ModernBert::MaskedLmLogits(int64_t first, int64_t count) {
  if (config_.head != HeadKind::kMaskedLm) {
    return absl::FailedPreconditionError(
        absl::StrCat(config_.architecture, " has no masked-LM head"));
  }
  if (count > kHeadChunkRows) {
    return absl::InvalidArgumentError(
        absl::StrCat("MaskedLmLogits: ", count, " rows, at most ", kHeadChunkRows));
  }
  const int64_t rows = count;
  const int64_t h = config_.hidden_size;
  Tensor in = normed_.RowSlice(first, rows);
  Tensor scratch = head_buffer_.View(dtype_, {rows, h});
  Tensor headed = head_buffer_.View(dtype_, {2 * rows, h}).RowSlice(rows, rows);
  MBSERVE_RETURN_IF_ERROR(PredictionHead(in, scratch, headed));
  Tensor logits = logits_buffer_.View(dtype_, {rows, config_.vocab_size});
  MBSERVE_RETURN_IF_ERROR(Linear(headed, weights_.decoder, logits));
  MBSERVE_RETURN_IF_ERROR(AddBias(logits, weights_.decoder_bias.tensor));
  return logits;
}

}  // namespace mbserve
