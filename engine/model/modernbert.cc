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
absl::StatusOr<std::unique_ptr<ModernBert>> ModernBert::Load(const std::string& model_dir,
                                                             const ModelConfig& config,
                                                             Device device, DType dtype,
                                                             int max_batch_tokens) {
  auto model = std::unique_ptr<ModernBert>(new ModernBert());
  model->config_ = config;
  MBSERVE_ASSIGN_OR_RETURN(model->context_, DeviceContext::Create(device, dtype, max_batch_tokens));
  const DType activation_dtype = model->context_.activation_dtype();
  MBSERVE_ASSIGN_OR_RETURN(Checkpoint checkpoint, Checkpoint::Open(model_dir));
  MBSERVE_ASSIGN_OR_RETURN(model->weights_,
                           LoadWeights(checkpoint, config, device, activation_dtype, dtype));

  // No position reaches max_batch_tokens (Engine::Run rejects longer
  // batches), so the tables stop there when it is below the model's limit.
  Backend& backend = model->backend();
  const int positions = std::min(config.max_position_embeddings, max_batch_tokens);
  const int64_t half = config.head_dim / 2;
  const size_t table_bytes = static_cast<size_t>(positions * half) * sizeof(float);
  for (const LayerSpec& layer : config.layers) {
    if (model->rope_tables_.count(layer.rope_theta)) continue;
    RopeTableHost host = ComputeRopeTable(layer.rope_theta, config.head_dim, positions);
    RopeTable table;
    MBSERVE_ASSIGN_OR_RETURN(table.cos_buffer, Buffer::Allocate(backend, table_bytes));
    MBSERVE_ASSIGN_OR_RETURN(table.sin_buffer, Buffer::Allocate(backend, table_bytes));
    table.cos = table.cos_buffer.View(DType::kF32, {positions, half});
    table.sin = table.sin_buffer.View(DType::kF32, {positions, half});
    MBSERVE_RETURN_IF_ERROR(
        CopyFromHost(backend, host.cos.data(), host.cos.size() * sizeof(float), table.cos));
    MBSERVE_RETURN_IF_ERROR(
        CopyFromHost(backend, host.sin.data(), host.sin.size() * sizeof(float), table.sin));
    model->rope_tables_.emplace(layer.rope_theta, std::move(table));
  }
  MBSERVE_RETURN_IF_ERROR(model->AllocateActivations());
  return model;
}

absl::Status ModernBert::AllocateActivations() {
  const int64_t h = config_.hidden_size;
  const int64_t i = config_.intermediate_size;
  const int64_t rows = context_.capacity_rows();
  const DeviceContext& c = context_;
  MBSERVE_ASSIGN_OR_RETURN(residual_buffer_, c.AllocateActivation(rows, h));
  MBSERVE_ASSIGN_OR_RETURN(normed_buffer_, c.AllocateActivation(rows, h));
  MBSERVE_ASSIGN_OR_RETURN(qkv_buffer_, c.AllocateActivation(rows, 3 * h));
  MBSERVE_ASSIGN_OR_RETURN(attention_buffer_, c.AllocateActivation(rows, h));
  MBSERVE_ASSIGN_OR_RETURN(mlp_in_buffer_, c.AllocateActivation(rows, 2 * i));
  MBSERVE_ASSIGN_OR_RETURN(mlp_out_buffer_, c.AllocateActivation(rows, i));
  MBSERVE_ASSIGN_OR_RETURN(pooled_buffer_, c.AllocateActivation(rows, h));
  MBSERVE_ASSIGN_OR_RETURN(head_buffer_, c.AllocateActivation(2 * rows, h));
  int64_t logits_floats = 0;
  if (config_.head == HeadKind::kMaskedLm) {
    logits_floats = kHeadChunkRows * config_.vocab_size;
  } else if (config_.head == HeadKind::kSequenceClassification) {
    logits_floats = rows * config_.num_labels();
  }
  MBSERVE_ASSIGN_OR_RETURN(logits_buffer_, c.AllocateActivation(logits_floats, 1));
  return absl::OkStatus();
}

absl::Status ModernBert::Encode(const PackedBatch& batch) {
  MBSERVE_RETURN_IF_ERROR(context_.Upload(batch));
  const int64_t rows = batch.num_tokens();
  const int64_t h = config_.hidden_size;
  const int64_t i = config_.intermediate_size;
  const DType dtype = this->dtype();
  residual_ = residual_buffer_.View(dtype, {rows, h});
  normed_ = normed_buffer_.View(dtype, {rows, h});
  qkv_ = qkv_buffer_.View(dtype, {rows, 3 * h});
  attention_ = attention_buffer_.View(dtype, {rows, h});
  mlp_in_ = mlp_in_buffer_.View(dtype, {rows, 2 * i});
  mlp_out_ = mlp_out_buffer_.View(dtype, {rows, i});
  MBSERVE_RETURN_IF_ERROR(
      EmbeddingLayerNorm(backend(), context_.ids(), weights_.tok_embeddings.tensor,
                         weights_.embedding_norm.tensor, config_.norm_eps, residual_));
  for (int l = 0; l < config_.num_layers; ++l) MBSERVE_RETURN_IF_ERROR(RunLayer(l));
  return LayerNorm(backend(), residual_, weights_.final_norm.tensor, config_.norm_eps, normed_);
}

absl::Status ModernBert::RunLayer(int index) {
  const LayerWeights& w = weights_.layers[index];
  const LayerSpec& spec = config_.layers[index];
  // Layer 0's attention norm is the identity: the embedding is already normed.
  const Tensor* attention_input = &residual_;
  if (w.attn_norm.loaded()) {
    MBSERVE_RETURN_IF_ERROR(
        LayerNorm(backend(), residual_, w.attn_norm.tensor, config_.norm_eps, normed_));
    attention_input = &normed_;
  }
  MBSERVE_RETURN_IF_ERROR(Linear(backend(), *attention_input, w.wqkv, qkv_));
  const RopeTable& rope = rope_tables_.at(spec.rope_theta);
  MBSERVE_RETURN_IF_ERROR(
      ApplyRope(backend(), qkv_, context_.positions(), rope.cos, rope.sin, config_.num_heads));
  MBSERVE_RETURN_IF_ERROR(Attention(backend(), qkv_, context_.layout(), config_.num_heads,
                                    spec.global ? -1 : config_.half_window, attention_));
  MBSERVE_RETURN_IF_ERROR(Linear(backend(), attention_, w.wo, residual_, /*accumulate=*/true));

  MBSERVE_RETURN_IF_ERROR(
      LayerNorm(backend(), residual_, w.mlp_norm.tensor, config_.norm_eps, normed_));
  MBSERVE_RETURN_IF_ERROR(Linear(backend(), normed_, w.wi, mlp_in_));
  MBSERVE_RETURN_IF_ERROR(GeGlu(backend(), mlp_in_, mlp_out_));
  return Linear(backend(), mlp_out_, w.mlp_wo, residual_, /*accumulate=*/true);
}

absl::StatusOr<Tensor> ModernBert::PoolAll(Pooling pooling, bool normalize,
                                           std::span<const int32_t> mean_from) {
  const int64_t n = context_.layout().num_sequences();
  Tensor pooled = pooled_buffer_.View(context_.activation_dtype(), {n, config_.hidden_size});
  MBSERVE_RETURN_IF_ERROR(context_.PoolSequences(normed_, pooling, normalize, mean_from, pooled));
  return pooled;
}

absl::Status ModernBert::PredictionHead(const Tensor& in, const Tensor& scratch,
                                        const Tensor& out) {
  MBSERVE_RETURN_IF_ERROR(Linear(backend(), in, weights_.head_dense, scratch));
  MBSERVE_RETURN_IF_ERROR(Gelu(backend(), scratch));
  return LayerNorm(backend(), scratch, weights_.head_norm.tensor, config_.norm_eps, out);
}

absl::StatusOr<Tensor> ModernBert::ClassifyAll() {
  if (config_.head != HeadKind::kSequenceClassification) {
    return absl::FailedPreconditionError(
        absl::StrCat(config_.architecture, " has no classification head"));
  }
  MBSERVE_ASSIGN_OR_RETURN(Tensor pooled, PoolAll(config_.classifier_pooling, false, {}));
  const int64_t rows = pooled.rows();
  const int64_t h = config_.hidden_size;
  Tensor scratch = head_buffer_.View(dtype(), {rows, h});
  Tensor headed = head_buffer_.View(dtype(), {2 * rows, h}).RowSlice(rows, rows);
  MBSERVE_RETURN_IF_ERROR(PredictionHead(pooled, scratch, headed));
  Tensor logits = logits_buffer_.View(dtype(), {rows, config_.num_labels()});
  MBSERVE_RETURN_IF_ERROR(Linear(backend(), headed, weights_.classifier_weight, logits));
  MBSERVE_RETURN_IF_ERROR(AddBias(backend(), logits, weights_.classifier_bias.tensor));
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
  Tensor scratch = head_buffer_.View(dtype(), {rows, h});
  Tensor headed = head_buffer_.View(dtype(), {2 * rows, h}).RowSlice(rows, rows);
  MBSERVE_RETURN_IF_ERROR(PredictionHead(in, scratch, headed));
  Tensor logits = logits_buffer_.View(dtype(), {rows, config_.vocab_size});
  MBSERVE_RETURN_IF_ERROR(Linear(backend(), headed, weights_.decoder, logits));
  MBSERVE_RETURN_IF_ERROR(AddBias(backend(), logits, weights_.decoder_bias.tensor));
  return logits;
}

}  // namespace mbserve
