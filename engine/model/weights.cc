#include "engine/model/weights.h"

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace mbserve {
namespace {

absl::StatusOr<Weight> LoadWeight(const Checkpoint& checkpoint, const std::string& name,
                                  std::vector<int64_t> shape, Device device) {
  MBSERVE_ASSIGN_OR_RETURN(Buffer buffer, checkpoint.Load(name, shape, device));
  Weight weight{std::move(buffer), Tensor()};
  weight.tensor = shape.size() == 1 ? weight.buffer.View(DType::kF32, {shape[0]})
                                    : weight.buffer.View(DType::kF32, {shape[0], shape[1]});
  return weight;
}

}  // namespace

absl::StatusOr<ModernBertWeights> LoadWeights(const Checkpoint& checkpoint,
                                              const ModelConfig& config, Device device) {
  const int64_t h = config.hidden_size;
  const int64_t i = config.intermediate_size;
  const int64_t v = config.vocab_size;
  ModernBertWeights w;
  MBSERVE_ASSIGN_OR_RETURN(
      w.tok_embeddings, LoadWeight(checkpoint, "embeddings.tok_embeddings.weight", {v, h}, device));
  MBSERVE_ASSIGN_OR_RETURN(w.embedding_norm,
                           LoadWeight(checkpoint, "embeddings.norm.weight", {h}, device));
  for (int l = 0; l < config.num_layers; ++l) {
    const std::string prefix = absl::StrCat("layers.", l, ".");
    LayerWeights layer;
    if (l > 0) {
      MBSERVE_ASSIGN_OR_RETURN(layer.attn_norm,
                               LoadWeight(checkpoint, prefix + "attn_norm.weight", {h}, device));
    }
    MBSERVE_ASSIGN_OR_RETURN(layer.wqkv,
                             LoadWeight(checkpoint, prefix + "attn.Wqkv.weight", {3 * h, h}, device));
    MBSERVE_ASSIGN_OR_RETURN(layer.wo,
                             LoadWeight(checkpoint, prefix + "attn.Wo.weight", {h, h}, device));
    MBSERVE_ASSIGN_OR_RETURN(layer.mlp_norm,
                             LoadWeight(checkpoint, prefix + "mlp_norm.weight", {h}, device));
    MBSERVE_ASSIGN_OR_RETURN(layer.wi,
                             LoadWeight(checkpoint, prefix + "mlp.Wi.weight", {2 * i, h}, device));
    MBSERVE_ASSIGN_OR_RETURN(layer.mlp_wo,
                             LoadWeight(checkpoint, prefix + "mlp.Wo.weight", {h, i}, device));
    w.layers.push_back(std::move(layer));
  }
  MBSERVE_ASSIGN_OR_RETURN(w.final_norm, LoadWeight(checkpoint, "final_norm.weight", {h}, device));

  if (config.head == HeadKind::kNone) return w;
  MBSERVE_ASSIGN_OR_RETURN(w.head_dense, LoadWeight(checkpoint, "head.dense.weight", {h, h}, device));
  MBSERVE_ASSIGN_OR_RETURN(w.head_norm, LoadWeight(checkpoint, "head.norm.weight", {h}, device));
  if (config.head == HeadKind::kMaskedLm) {
    // Hub checkpoints drop the tied decoder.weight; use it only when stored.
    if (checkpoint.Find("decoder.weight") != nullptr) {
      MBSERVE_ASSIGN_OR_RETURN(w.decoder_weight,
                               LoadWeight(checkpoint, "decoder.weight", {v, h}, device));
    }
    MBSERVE_ASSIGN_OR_RETURN(w.decoder_bias, LoadWeight(checkpoint, "decoder.bias", {v}, device));
  } else {
    const int64_t n = config.num_labels();
    MBSERVE_ASSIGN_OR_RETURN(w.classifier_weight,
                             LoadWeight(checkpoint, "classifier.weight", {n, h}, device));
    MBSERVE_ASSIGN_OR_RETURN(w.classifier_bias,
                             LoadWeight(checkpoint, "classifier.bias", {n}, device));
  }
  return w;
}

}  // namespace mbserve
