#include "engine/model/weights.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace mbserve {

absl::StatusOr<ModernBertWeights> LoadWeights(const Checkpoint& checkpoint,
                                              const ModelConfig& config, Device device, DType dtype,
                                              DType cpu_gemm_dtype) {
  const WeightLoader load(checkpoint, device, dtype, cpu_gemm_dtype);
  const int64_t h = config.hidden_size;
  const int64_t i = config.intermediate_size;
  const int64_t v = config.vocab_size;
  ModernBertWeights w;
  MBSERVE_ASSIGN_OR_RETURN(w.tok_embeddings, load("embeddings.tok_embeddings.weight", {v, h}));
  MBSERVE_ASSIGN_OR_RETURN(w.embedding_norm, load("embeddings.norm.weight", {h}));
  for (int l = 0; l < config.num_layers; ++l) {
    const std::string prefix = absl::StrCat("layers.", l, ".");
    LayerWeights layer;
    if (l > 0) {
      MBSERVE_ASSIGN_OR_RETURN(layer.attn_norm, load(prefix + "attn_norm.weight", {h}));
    }
    MBSERVE_ASSIGN_OR_RETURN(layer.wqkv, load.Linear(prefix + "attn.Wqkv.weight", 3 * h, h));
    MBSERVE_ASSIGN_OR_RETURN(layer.wo, load.Linear(prefix + "attn.Wo.weight", h, h));
    MBSERVE_ASSIGN_OR_RETURN(layer.mlp_norm, load(prefix + "mlp_norm.weight", {h}));
    MBSERVE_ASSIGN_OR_RETURN(layer.wi, load.Linear(prefix + "mlp.Wi.weight", 2 * i, h));
    MBSERVE_ASSIGN_OR_RETURN(layer.mlp_wo, load.Linear(prefix + "mlp.Wo.weight", h, i));
    w.layers.push_back(std::move(layer));
  }
  MBSERVE_ASSIGN_OR_RETURN(w.final_norm, load("final_norm.weight", {h}));

  if (config.head == HeadKind::kNone) return w;
  MBSERVE_ASSIGN_OR_RETURN(w.head_dense, load.Linear("head.dense.weight", h, h));
  MBSERVE_ASSIGN_OR_RETURN(w.head_norm, load("head.norm.weight", {h}));
  if (config.head == HeadKind::kMaskedLm) {
    // Hub checkpoints drop the tied decoder.weight; use it only when stored.
    if (checkpoint.Find("decoder.weight") != nullptr) {
      MBSERVE_ASSIGN_OR_RETURN(w.decoder, load.Linear("decoder.weight", v, h));
    } else {
      MBSERVE_ASSIGN_OR_RETURN(w.decoder, load.TiedLinear(w.tok_embeddings));
    }
    MBSERVE_ASSIGN_OR_RETURN(w.decoder_bias, load("decoder.bias", {v}));
  } else {
    const int64_t n = config.num_labels();
    MBSERVE_ASSIGN_OR_RETURN(w.classifier_weight, load.Linear("classifier.weight", n, h));
    MBSERVE_ASSIGN_OR_RETURN(w.classifier_bias, load("classifier.bias", {n}));
  }
  return w;
}

}  // namespace mbserve
