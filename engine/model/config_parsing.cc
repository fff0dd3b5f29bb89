#include "engine/model/config_parsing.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/model/json_util.h"

namespace mbserve {
using json_util::Get;
using json_util::GetFloat;
using json_util::GetInt;
using nlohmann::json;

namespace config_internal {

namespace {

// One integer field: its key, where it goes, its default and its bound (the
// lower bound is 1 for all).
struct IntField {
  const char* key;
  int ModelConfig::*value;
  int SharedFieldDefaults::*fallback;
  int max;
};

// In the order they are read, so the first bad field is the one reported.
constexpr IntField kIntFields[] = {
    {"vocab_size", &ModelConfig::vocab_size, &SharedFieldDefaults::vocab_size, kMaxVocabSize},
    {"hidden_size", &ModelConfig::hidden_size, &SharedFieldDefaults::hidden_size, kMaxHiddenSize},
    {"intermediate_size", &ModelConfig::intermediate_size, &SharedFieldDefaults::intermediate_size,
     kMaxIntermediateSize},
    {"num_hidden_layers", &ModelConfig::num_layers, &SharedFieldDefaults::num_hidden_layers,
     kMaxLayers},
    {"max_position_embeddings", &ModelConfig::max_position_embeddings,
     &SharedFieldDefaults::max_position_embeddings, kMaxPositions},
};

}  // namespace

absl::Status ParseSharedFields(const json& config, const SharedFieldDefaults& defaults,
                               ModelConfig& out) {
  for (const IntField& field : kIntFields) {
    MBSERVE_ASSIGN_OR_RETURN(out.*field.value, GetInt(config, kSource, field.key,
                                                      defaults.*field.fallback, 1, field.max));
  }
  // A head is at least one column wide.
  MBSERVE_ASSIGN_OR_RETURN(out.num_heads, GetInt(config, kSource, "num_attention_heads",
                                                 defaults.num_attention_heads, 1, out.hidden_size));
  MBSERVE_ASSIGN_OR_RETURN(out.norm_eps, GetFloat(config, kSource, defaults.norm_eps_key,
                                                  defaults.norm_eps, 0.0, kMaxNormEps));
  MBSERVE_ASSIGN_OR_RETURN(out.torch_dtype, Get<std::string>(config, kSource, "torch_dtype", ""));
  if (out.torch_dtype.empty()) {
    MBSERVE_ASSIGN_OR_RETURN(out.torch_dtype, Get<std::string>(config, kSource, "dtype", ""));
  }
  return absl::OkStatus();
}

absl::Status Unsupported(absl::string_view field, absl::string_view value,
                         absl::string_view allowed) {
  return absl::UnimplementedError(
      absl::StrCat(kSource, ": unsupported ", field, " ", value, "; mbserve supports ", allowed));
}

absl::Status ParseLabels(const json& config, ModelConfig& out) {
  if (out.head != HeadKind::kSequenceClassification) return absl::OkStatus();
  MBSERVE_ASSIGN_OR_RETURN(
      auto id2label, (Get<std::map<std::string, std::string>>(config, kSource, "id2label", {})));
  if (id2label.size() > kMaxLabels) {
    return absl::InvalidArgumentError(absl::StrCat(kSource, ": id2label has ", id2label.size(),
                                                   " labels; the limit is ", kMaxLabels));
  }
  MBSERVE_ASSIGN_OR_RETURN(
      int num_labels,
      GetInt(config, kSource, "num_labels", static_cast<int>(id2label.size()), 1, kMaxLabels));
  if (!id2label.empty() && num_labels != static_cast<int>(id2label.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        kSource, ": num_labels is ", num_labels, " but id2label has ", id2label.size(), " labels"));
  }
  if (id2label.empty()) {
    for (int i = 0; i < num_labels; ++i) id2label[absl::StrCat(i)] = absl::StrCat("LABEL_", i);
  }
  out.id2label.resize(id2label.size());
  std::vector<bool> seen(id2label.size(), false);
  for (const auto& [key, label] : id2label) {
    int id = -1;
    if (!absl::SimpleAtoi(key, &id) || id < 0 || id >= static_cast<int>(id2label.size())) {
      return absl::InvalidArgumentError(absl::StrCat(
          kSource, ": id2label key \"", key, "\" is not an id in [0, ", id2label.size(), ")"));
    }
    // "1" and "01" name the same id.
    if (seen[id]) {
      return absl::InvalidArgumentError(
          absl::StrCat(kSource, ": id2label names id ", id, " twice"));
    }
    seen[id] = true;
    out.id2label[id] = label;
  }
  if (out.id2label.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kSource, ": a sequence classification model needs id2label or num_labels"));
  }
  return absl::OkStatus();
}

}  // namespace config_internal

}  // namespace mbserve
