#include "engine/model/config.h"

#include <cfloat>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/model/config_parsing.h"
#include "engine/model/json_util.h"

namespace mbserve {
using json_util::Get;
using json_util::GetFloat;
using json_util::GetInt;
using nlohmann::json;

namespace {

using config_internal::kMaxHeadDim;
using config_internal::kMaxLayers;
using config_internal::kMaxLocalAttention;
using config_internal::kSource;
using config_internal::ParseLabels;
using config_internal::Unsupported;
using json_util::Get;
using nlohmann::json;

absl::StatusOr<HeadKind> ParseArchitecture(const json& config, std::string* name) {
  MBSERVE_ASSIGN_OR_RETURN(std::string model_type,
                           Get<std::string>(config, kSource, "model_type", "modernbert"));
  if (model_type != "modernbert") {
    return Unsupported("model_type", absl::StrCat("\"", model_type, "\""), "\"modernbert\"");
  }
  MBSERVE_ASSIGN_OR_RETURN(std::vector<std::string> architectures,
                           Get<std::vector<std::string>>(config, kSource, "architectures", {}));
  *name = architectures.empty() ? "ModernBertModel" : architectures.front();
  static const std::map<std::string, HeadKind> kHeads = {
      {"ModernBertModel", HeadKind::kNone},
      {"ModernBertForMaskedLM", HeadKind::kMaskedLm},
      {"ModernBertForSequenceClassification", HeadKind::kSequenceClassification},
  };
  auto it = kHeads.find(*name);
  if (it == kHeads.end()) {
    return Unsupported("architecture", *name,
                       "ModernBertModel, ModernBertForMaskedLM and "
                       "ModernBertForSequenceClassification");
  }
  return it->second;
}

// Options mbserve does not implement must fail loudly, never be ignored.
absl::Status CheckUnsupportedOptions(const json& config) {
  for (const char* flag : {"norm_bias", "attention_bias", "mlp_bias", "classifier_bias"}) {
    MBSERVE_ASSIGN_OR_RETURN(bool value, Get<bool>(config, kSource, flag, false));
    if (value) return Unsupported(flag, "true", "false (ModernBERT has no biases there)");
  }
  for (const char* field : {"hidden_activation", "classifier_activation"}) {
    MBSERVE_ASSIGN_OR_RETURN(std::string value, Get<std::string>(config, kSource, field, "gelu"));
    if (value != "gelu") return Unsupported(field, absl::StrCat("\"", value, "\""), "\"gelu\"");
  }
  return absl::OkStatus();
}

// A rotary base: positive (0 or less gives NaN or inf angles) and finite as
// a float.
absl::StatusOr<float> RopeThetaField(const json& obj, const char* key, float fallback) {
  return GetFloat(obj, kSource, key, fallback, 0.0, FLT_MAX);
}

absl::StatusOr<float> RopeTheta(const json& rope_parameters, const char* layer_type) {
  auto it = rope_parameters.find(layer_type);
  if (it == rope_parameters.end() || !it->is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kSource, ": rope_parameters has no \"", layer_type, "\" entry"));
  }
  MBSERVE_ASSIGN_OR_RETURN(std::string rope_type,
                           Get<std::string>(*it, kSource, "rope_type", "default"));
  if (rope_type != "default") {
    return Unsupported(absl::StrCat("rope_parameters.", layer_type, ".rope_type"),
                       absl::StrCat("\"", rope_type, "\""), "\"default\"");
  }
  if (!it->contains("rope_theta")) {
    return absl::InvalidArgumentError(
        absl::StrCat(kSource, ": rope_parameters.", layer_type, " has no rope_theta"));
  }
  return RopeThetaField(*it, "rope_theta", 0.0f);
}

// The newer format: layer_types + rope_parameters per layer type.
absl::Status ParseLayerTypes(const json& config, ModelConfig& out) {
  MBSERVE_ASSIGN_OR_RETURN(std::vector<std::string> types,
                           Get<std::vector<std::string>>(config, kSource, "layer_types", {}));
  if (static_cast<int>(types.size()) != out.num_layers) {
    return absl::InvalidArgumentError(absl::StrCat(kSource, ": layer_types has ", types.size(),
                                                   " entries but num_hidden_layers is ",
                                                   out.num_layers));
  }
  // Some intermediate transformers releases wrote layer_types but kept the
  // v4 theta fields instead of rope_parameters.
  const bool has_rope_parameters = config.contains("rope_parameters");
  MBSERVE_ASSIGN_OR_RETURN(float global_theta,
                           RopeThetaField(config, "global_rope_theta", 160000.0f));
  MBSERVE_ASSIGN_OR_RETURN(float local_theta, RopeThetaField(config, "local_rope_theta", 10000.0f));
  for (const std::string& type : types) {
    if (type != "full_attention" && type != "sliding_attention") {
      return Unsupported("layer type", absl::StrCat("\"", type, "\""),
                         "\"full_attention\" and \"sliding_attention\"");
    }
    const bool global = type == "full_attention";
    float theta = global ? global_theta : local_theta;
    if (has_rope_parameters) {
      MBSERVE_ASSIGN_OR_RETURN(theta, RopeTheta(config["rope_parameters"], type.c_str()));
    }
    out.layers.push_back({global, theta});
  }
  return absl::OkStatus();
}

// The transformers v4 format: a global layer every n, one theta for each kind.
absl::Status ParseGlobalEvery(const json& config, ModelConfig& out) {
  MBSERVE_ASSIGN_OR_RETURN(int every,
                           GetInt(config, kSource, "global_attn_every_n_layers", 3, 1, kMaxLayers));
  MBSERVE_ASSIGN_OR_RETURN(float global_theta,
                           RopeThetaField(config, "global_rope_theta", 160000.0f));
  MBSERVE_ASSIGN_OR_RETURN(float local_theta, RopeThetaField(config, "local_rope_theta", 10000.0f));
  for (int i = 0; i < out.num_layers; ++i) {
    const bool global = i % every == 0;
    out.layers.push_back({global, global ? global_theta : local_theta});
  }
  return absl::OkStatus();
}

}  // namespace

const char* PoolingName(Pooling pooling) { return pooling == Pooling::kCls ? "cls" : "mean"; }

absl::StatusOr<ModelConfig> ParseModernBertConfig(const std::string& json_text) {
  MBSERVE_ASSIGN_OR_RETURN(json config, json_util::Parse(json_text, kSource));
  if (!config.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(kSource, " is not a JSON object"));
  }
  ModelConfig out;
  out.model_type = "modernbert";
  MBSERVE_ASSIGN_OR_RETURN(out.head, ParseArchitecture(config, &out.architecture));
  MBSERVE_RETURN_IF_ERROR(CheckUnsupportedOptions(config));
  MBSERVE_RETURN_IF_ERROR(config_internal::ParseSharedFields(config,
                                                             {.vocab_size = 50368,
                                                              .hidden_size = 768,
                                                              .intermediate_size = 1152,
                                                              .num_hidden_layers = 22,
                                                              .num_attention_heads = 12,
                                                              .max_position_embeddings = 8192,
                                                              .norm_eps_key = "norm_eps",
                                                              .norm_eps = 1e-5f},
                                                             out));
  MBSERVE_ASSIGN_OR_RETURN(int local_attention,
                           GetInt(config, kSource, "local_attention", 128, 1, kMaxLocalAttention));
  MBSERVE_ASSIGN_OR_RETURN(std::string pooling,
                           Get<std::string>(config, kSource, "classifier_pooling", "cls"));
  if (pooling != "cls" && pooling != "mean") {
    return Unsupported("classifier_pooling", absl::StrCat("\"", pooling, "\""),
                       "\"cls\" and \"mean\"");
  }
  out.classifier_pooling = pooling == "cls" ? Pooling::kCls : Pooling::kMean;

  if (out.hidden_size % out.num_heads != 0 || (out.hidden_size / out.num_heads) % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(kSource, ": hidden_size ", out.hidden_size,
                                                   " must be num_attention_heads ", out.num_heads,
                                                   " times an even head dimension"));
  }
  if (out.hidden_size / out.num_heads > kMaxHeadDim) {
    return absl::InvalidArgumentError(
        absl::StrCat(kSource, ": hidden_size ", out.hidden_size, " / num_attention_heads ",
                     out.num_heads, " gives a head dimension of ", out.hidden_size / out.num_heads,
                     "; the limit is ", kMaxHeadDim));
  }
  out.head_dim = out.hidden_size / out.num_heads;
  out.half_window = local_attention / 2;

  if (config.contains("layer_types")) {
    MBSERVE_RETURN_IF_ERROR(ParseLayerTypes(config, out));
  } else {
    MBSERVE_RETURN_IF_ERROR(ParseGlobalEvery(config, out));
  }
  MBSERVE_RETURN_IF_ERROR(ParseLabels(config, out));
  return out;
}

}  // namespace mbserve
