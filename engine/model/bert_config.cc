#include "engine/model/bert_config.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/model/config_parsing.h"
#include "engine/model/json_util.h"

namespace mbserve {
namespace {

using config_internal::kMaxVocabSize;
using config_internal::kSource;
using config_internal::Unsupported;
using json_util::Get;
using json_util::GetInt;
using nlohmann::json;

absl::StatusOr<HeadKind> ParseBertArchitecture(const json& config, std::string* name) {
  MBSERVE_ASSIGN_OR_RETURN(std::vector<std::string> architectures,
                           Get<std::vector<std::string>>(config, kSource, "architectures", {}));
  *name = architectures.empty() ? "BertModel" : architectures.front();
  static const std::map<std::string, HeadKind> kHeads = {
      {"BertModel", HeadKind::kNone},
      {"BertForSequenceClassification", HeadKind::kSequenceClassification},
  };
  auto it = kHeads.find(*name);
  if (it == kHeads.end()) {
    return Unsupported("architecture", *name, "BertModel and BertForSequenceClassification");
  }
  return it->second;
}

// Variants mbserve does not implement must fail loudly, never be ignored.
absl::Status CheckBertOptions(const json& config) {
  MBSERVE_ASSIGN_OR_RETURN(std::string act,
                           Get<std::string>(config, kSource, "hidden_act", "gelu"));
  if (act != "gelu") {
    return Unsupported("hidden_act", absl::StrCat("\"", act, "\""), "\"gelu\" (exact erf)");
  }
  MBSERVE_ASSIGN_OR_RETURN(
      std::string position,
      Get<std::string>(config, kSource, "position_embedding_type", "absolute"));
  if (position != "absolute") {
    return Unsupported("position_embedding_type", absl::StrCat("\"", position, "\""),
                       "\"absolute\"");
  }
  for (const char* flag : {"is_decoder", "add_cross_attention"}) {
    MBSERVE_ASSIGN_OR_RETURN(bool value, Get<bool>(config, kSource, flag, false));
    if (value) return Unsupported(flag, "true", "false (an encoder only)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ModelConfig> ParseBertConfig(const std::string& json_text) {
  MBSERVE_ASSIGN_OR_RETURN(json config, json_util::Parse(json_text, kSource));
  if (!config.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(kSource, " is not a JSON object"));
  }
  ModelConfig out;
  out.model_type = "bert";
  MBSERVE_ASSIGN_OR_RETURN(out.head, ParseBertArchitecture(config, &out.architecture));
  MBSERVE_RETURN_IF_ERROR(CheckBertOptions(config));
  // Defaults are BertConfig's; bounds are shared with every architecture.
  MBSERVE_RETURN_IF_ERROR(config_internal::ParseSharedFields(config,
                                                             {.vocab_size = 30522,
                                                              .hidden_size = 768,
                                                              .intermediate_size = 3072,
                                                              .num_hidden_layers = 12,
                                                              .num_attention_heads = 12,
                                                              .max_position_embeddings = 512,
                                                              .norm_eps_key = "layer_norm_eps",
                                                              .norm_eps = 1e-12f},
                                                             out));
  MBSERVE_ASSIGN_OR_RETURN(out.type_vocab_size,
                           GetInt(config, kSource, "type_vocab_size", 2, 1, kMaxVocabSize));
  if (out.hidden_size % out.num_heads != 0) {
    return absl::InvalidArgumentError(absl::StrCat(kSource, ": hidden_size ", out.hidden_size,
                                                   " is not a multiple of num_attention_heads ",
                                                   out.num_heads));
  }
  out.head_dim = out.hidden_size / out.num_heads;
  // The classifier reads the pooler's output, which starts from [CLS].
  out.classifier_pooling = Pooling::kCls;
  MBSERVE_RETURN_IF_ERROR(config_internal::ParseLabels(config, out));
  return out;
}

}  // namespace mbserve
