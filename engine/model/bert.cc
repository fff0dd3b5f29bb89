#include "engine/model/bert.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/ops/activation.h"
#include "engine/ops/attention.h"
#include "engine/ops/embedding.h"
#include "engine/ops/linear.h"
#include "engine/ops/norm.h"
#include "engine/ops/pooling.h"

namespace mbserve {

absl::StatusOr<std::unique_ptr<Bert>> Bert::Load(const std::string& model_dir,
                                                 const ModelConfig& config, Device device,
                                                 DType dtype, int max_batch_tokens) {
  auto model = std::unique_ptr<Bert>(new Bert());
  model->config_ = config;
  MBSERVE_ASSIGN_OR_RETURN(model->context_, DeviceContext::Create(device, dtype, max_batch_tokens));
  MBSERVE_ASSIGN_OR_RETURN(Checkpoint checkpoint, Checkpoint::Open(model_dir));
  MBSERVE_ASSIGN_OR_RETURN(
      model->weights_,
      LoadBertWeights(checkpoint, config, device, model->context_.activation_dtype(), dtype));
  MBSERVE_RETURN_IF_ERROR(model->AllocateActivations());
  return model;
}

absl::Status Bert::AllocateActivations() {
  const int64_t h = config_.hidden_size;
  const int64_t rows = context_.capacity_rows();
  const DeviceContext& c = context_;
  MBSERVE_ASSIGN_OR_RETURN(hidden_buffer_, c.AllocateActivation(rows, h));
  MBSERVE_ASSIGN_OR_RETURN(qkv_buffer_, c.AllocateActivation(rows, 3 * h));
  MBSERVE_ASSIGN_OR_RETURN(attention_buffer_, c.AllocateActivation(rows, h));
  MBSERVE_ASSIGN_OR_RETURN(intermediate_buffer_,
                           c.AllocateActivation(rows, config_.intermediate_size));
  MBSERVE_ASSIGN_OR_RETURN(pooled_buffer_, c.AllocateActivation(rows, h));
  if (config_.head == HeadKind::kSequenceClassification) {
    MBSERVE_ASSIGN_OR_RETURN(pooler_out_buffer_, c.AllocateActivation(rows, h));
    MBSERVE_ASSIGN_OR_RETURN(logits_buffer_, c.AllocateActivation(rows, config_.num_labels()));
  }
  return absl::OkStatus();
}

absl::Status Bert::Encode(const PackedBatch& batch) {
  MBSERVE_RETURN_IF_ERROR(context_.Upload(batch));
  const int64_t rows = batch.num_tokens();
  const int64_t h = config_.hidden_size;
  const DType dtype = context_.activation_dtype();
  hidden_ = hidden_buffer_.View(dtype, {rows, h});
  qkv_ = qkv_buffer_.View(dtype, {rows, 3 * h});
  attention_ = attention_buffer_.View(dtype, {rows, h});
  intermediate_ = intermediate_buffer_.View(dtype, {rows, config_.intermediate_size});
  const BertWeights& w = weights_;
  MBSERVE_RETURN_IF_ERROR(SumEmbeddings(
      backend(), context_.ids(), context_.positions(), context_.types(), w.word_embeddings.tensor,
      w.position_embeddings.tensor, w.type_embeddings.tensor, hidden_));
  MBSERVE_RETURN_IF_ERROR(LayerNorm(backend(), hidden_, w.embedding_norm_gamma.tensor,
                                    w.embedding_norm_beta.tensor, config_.norm_eps, hidden_));
  for (int l = 0; l < config_.num_layers; ++l) MBSERVE_RETURN_IF_ERROR(RunLayer(l));
  return absl::OkStatus();
}

absl::Status Bert::RunLayer(int index) {
  const BertLayerWeights& w = weights_.layers[index];
  const float eps = config_.norm_eps;
  // Attention block: the residual is added inside the output GEMM.
  MBSERVE_RETURN_IF_ERROR(Linear(backend(), hidden_, w.qkv, qkv_));
  MBSERVE_RETURN_IF_ERROR(AddBias(backend(), qkv_, w.qkv_bias.tensor));
  MBSERVE_RETURN_IF_ERROR(Attention(backend(), qkv_, context_.layout(), config_.num_heads,
                                    /*half_window=*/-1, attention_));
  MBSERVE_RETURN_IF_ERROR(
      Linear(backend(), attention_, w.attention_out, hidden_, /*accumulate=*/true));
  MBSERVE_RETURN_IF_ERROR(AddBias(backend(), hidden_, w.attention_out_bias.tensor));
  MBSERVE_RETURN_IF_ERROR(LayerNorm(backend(), hidden_, w.attention_norm_gamma.tensor,
                                    w.attention_norm_beta.tensor, eps, hidden_));
  // MLP block.
  MBSERVE_RETURN_IF_ERROR(Linear(backend(), hidden_, w.intermediate, intermediate_));
  MBSERVE_RETURN_IF_ERROR(AddBias(backend(), intermediate_, w.intermediate_bias.tensor));
  MBSERVE_RETURN_IF_ERROR(Gelu(backend(), intermediate_));
  MBSERVE_RETURN_IF_ERROR(Linear(backend(), intermediate_, w.output, hidden_, /*accumulate=*/true));
  MBSERVE_RETURN_IF_ERROR(AddBias(backend(), hidden_, w.output_bias.tensor));
  return LayerNorm(backend(), hidden_, w.output_norm_gamma.tensor, w.output_norm_beta.tensor, eps,
                   hidden_);
}

absl::StatusOr<Tensor> Bert::PoolAll(Pooling pooling, bool normalize,
                                     std::span<const int32_t> mean_from) {
  const int64_t n = context_.layout().num_sequences();
  Tensor pooled = pooled_buffer_.View(context_.activation_dtype(), {n, config_.hidden_size});
  MBSERVE_RETURN_IF_ERROR(context_.PoolSequences(hidden_, pooling, normalize, mean_from, pooled));
  return pooled;
}

absl::StatusOr<Tensor> Bert::ClassifyAll() {
  if (config_.head != HeadKind::kSequenceClassification) {
    return absl::FailedPreconditionError(
        absl::StrCat(config_.architecture, " has no classification head"));
  }
  MBSERVE_ASSIGN_OR_RETURN(Tensor cls, PoolAll(Pooling::kCls, /*normalize=*/false, {}));
  const int64_t n = cls.rows();
  Tensor pooler_out =
      pooler_out_buffer_.View(context_.activation_dtype(), {n, config_.hidden_size});
  MBSERVE_RETURN_IF_ERROR(Linear(backend(), cls, weights_.pooler, pooler_out));
  MBSERVE_RETURN_IF_ERROR(AddBias(backend(), pooler_out, weights_.pooler_bias.tensor));
  MBSERVE_RETURN_IF_ERROR(Tanh(backend(), pooler_out));
  Tensor logits = logits_buffer_.View(context_.activation_dtype(), {n, config_.num_labels()});
  MBSERVE_RETURN_IF_ERROR(Linear(backend(), pooler_out, weights_.classifier, logits));
  MBSERVE_RETURN_IF_ERROR(AddBias(backend(), logits, weights_.classifier_bias.tensor));
  return logits;
}

absl::StatusOr<Tensor> Bert::MaskedLmLogits(int64_t, int64_t) {
  return absl::FailedPreconditionError(
      absl::StrCat(config_.architecture, " has no masked-LM head"));
}

}  // namespace mbserve
