#include "engine/model/config_parsing.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/model/json_util.h"
#include "engine/status_macros.h"

namespace mbserve {
using json_util::Get;
using nlohmann::json;

namespace config_internal {

absl::Status Unsupported(absl::string_view field, absl::string_view value,
                         absl::string_view allowed) {
  return absl::UnimplementedError(
      absl::StrCat(kSource, ": unsupported ", field, " ", value, "; mbserve supports ", allowed));
}

absl::Status ParseLabels(const json& config, ModelConfig& out) {
  if (out.head != HeadKind::kSequenceClassification) return absl::OkStatus();
  MBSERVE_ASSIGN_OR_RETURN(
      auto id2label, (Get<std::map<std::string, std::string>>(config, kSource, "id2label", {})));
  MBSERVE_ASSIGN_OR_RETURN(
      int num_labels, Get<int>(config, kSource, "num_labels", static_cast<int>(id2label.size())));
  if (id2label.empty()) {
    for (int i = 0; i < num_labels; ++i) id2label[absl::StrCat(i)] = absl::StrCat("LABEL_", i);
  }
  out.id2label.resize(id2label.size());
  for (const auto& [key, label] : id2label) {
    int id = -1;
    if (!absl::SimpleAtoi(key, &id) || id < 0 || id >= static_cast<int>(id2label.size())) {
      return absl::InvalidArgumentError(absl::StrCat(
          kSource, ": id2label key \"", key, "\" is not an id in [0, ", id2label.size(), ")"));
    }
    out.id2label[id] = label;
  }
  if (out.id2label.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kSource, ": a sequence classification model needs id2label or num_labels"));
  }
  return absl::OkStatus();
}

absl::Status CheckPositive(absl::string_view field, int value) {
  if (value > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(kSource, ": ", field, " is ", value, "; it must be positive"));
}

}  // namespace config_internal

}  // namespace mbserve
