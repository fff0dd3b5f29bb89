#include "engine/model/weights.h"

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace mbserve {
namespace {

// Loads tensors of one checkpoint onto one device in one dtype.
class WeightLoader {
 public:
  WeightLoader(const Checkpoint& checkpoint, Device device, DType dtype, DType cpu_gemm_dtype)
      : checkpoint_(checkpoint), device_(device), dtype_(dtype), cpu_gemm_dtype_(cpu_gemm_dtype) {}

  absl::StatusOr<Weight> operator()(const std::string& name, std::vector<int64_t> shape) const {
    MBSERVE_ASSIGN_OR_RETURN(Buffer buffer, checkpoint_.Load(name, shape, device_, dtype_));
    Weight weight{std::move(buffer), Tensor()};
    weight.tensor = shape.size() == 1 ? weight.buffer.View(dtype_, {shape[0]})
                                      : weight.buffer.View(dtype_, {shape[0], shape[1]});
    return weight;
  }

  // A [rows, cols] matrix that a Linear reads.
  absl::StatusOr<LinearWeight> Linear(const std::string& name, int64_t rows, int64_t cols) const {
    MBSERVE_ASSIGN_OR_RETURN(Weight weight, (*this)(name, {rows, cols}));
    return LinearWeight::Prepare(weight.tensor, std::move(weight.buffer), cpu_gemm_dtype_);
  }
  // A Linear over a matrix kept alive elsewhere (a decoder tied to the
  // embedding table).
  absl::StatusOr<LinearWeight> TiedLinear(const Weight& weight) const {
    return LinearWeight::Prepare(weight.tensor, Buffer(), cpu_gemm_dtype_);
  }

 private:
  const Checkpoint& checkpoint_;
  Device device_;
  DType dtype_;
  DType cpu_gemm_dtype_;
};

}  // namespace

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
