#include "engine/model/bert_weights.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace mbserve {
namespace {

absl::StatusOr<BertLayerWeights> LoadLayer(const WeightLoader& load, const ModelConfig& config,
                                           int index) {
  const int64_t h = config.hidden_size;
  const int64_t i = config.intermediate_size;
  const std::string prefix = absl::StrCat("encoder.layer.", index, ".");
  const std::string self = prefix + "attention.self.";
  BertLayerWeights layer;
  MBSERVE_ASSIGN_OR_RETURN(
      layer.qkv, load.StackedLinear(
                     {self + "query.weight", self + "key.weight", self + "value.weight"}, h, h));
  MBSERVE_ASSIGN_OR_RETURN(
      layer.qkv_bias,
      load.Concatenated({self + "query.bias", self + "key.bias", self + "value.bias"}, h));
  const std::string attention_out = prefix + "attention.output.";
  MBSERVE_ASSIGN_OR_RETURN(layer.attention_out, load.Linear(attention_out + "dense.weight", h, h));
  MBSERVE_ASSIGN_OR_RETURN(layer.attention_out_bias, load(attention_out + "dense.bias", {h}));
  MBSERVE_ASSIGN_OR_RETURN(layer.attention_norm_gamma,
                           load(attention_out + "LayerNorm.weight", {h}));
  MBSERVE_ASSIGN_OR_RETURN(layer.attention_norm_beta, load(attention_out + "LayerNorm.bias", {h}));
  MBSERVE_ASSIGN_OR_RETURN(layer.intermediate,
                           load.Linear(prefix + "intermediate.dense.weight", i, h));
  MBSERVE_ASSIGN_OR_RETURN(layer.intermediate_bias, load(prefix + "intermediate.dense.bias", {i}));
  MBSERVE_ASSIGN_OR_RETURN(layer.output, load.Linear(prefix + "output.dense.weight", h, i));
  MBSERVE_ASSIGN_OR_RETURN(layer.output_bias, load(prefix + "output.dense.bias", {h}));
  MBSERVE_ASSIGN_OR_RETURN(layer.output_norm_gamma, load(prefix + "output.LayerNorm.weight", {h}));
  MBSERVE_ASSIGN_OR_RETURN(layer.output_norm_beta, load(prefix + "output.LayerNorm.bias", {h}));
  return layer;
}

}  // namespace

absl::StatusOr<BertWeights> LoadBertWeights(const Checkpoint& checkpoint, const ModelConfig& config,
                                            Device device, DType dtype, DType cpu_gemm_dtype) {
  const WeightLoader load(checkpoint, device, dtype, cpu_gemm_dtype);
  const int64_t h = config.hidden_size;
  BertWeights w;
  MBSERVE_ASSIGN_OR_RETURN(w.word_embeddings,
                           load("embeddings.word_embeddings.weight", {config.vocab_size, h}));
  MBSERVE_ASSIGN_OR_RETURN(w.position_embeddings, load("embeddings.position_embeddings.weight",
                                                       {config.max_position_embeddings, h}));
  MBSERVE_ASSIGN_OR_RETURN(w.type_embeddings, load("embeddings.token_type_embeddings.weight",
                                                   {config.type_vocab_size, h}));
  MBSERVE_ASSIGN_OR_RETURN(w.embedding_norm_gamma, load("embeddings.LayerNorm.weight", {h}));
  MBSERVE_ASSIGN_OR_RETURN(w.embedding_norm_beta, load("embeddings.LayerNorm.bias", {h}));
  for (int l = 0; l < config.num_layers; ++l) {
    MBSERVE_ASSIGN_OR_RETURN(BertLayerWeights layer, LoadLayer(load, config, l));
    w.layers.push_back(std::move(layer));
  }
  // BertModel checkpoints carry a pooler too, but embedders pool the states
  // themselves; only the classifier reads it.
  if (config.head != HeadKind::kSequenceClassification) return w;
  MBSERVE_ASSIGN_OR_RETURN(w.pooler, load.Linear("pooler.dense.weight", h, h));
  MBSERVE_ASSIGN_OR_RETURN(w.pooler_bias, load("pooler.dense.bias", {h}));
  const int64_t n = config.num_labels();
  MBSERVE_ASSIGN_OR_RETURN(w.classifier, load.Linear("classifier.weight", n, h));
  MBSERVE_ASSIGN_OR_RETURN(w.classifier_bias, load("classifier.bias", {n}));
  return w;
}

}  // namespace mbserve
