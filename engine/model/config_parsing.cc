#include "engine/model/config_parsing.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/model/json_util.h"

namespace mbserve {
using json_util::Get;
using json_util::GetInt;
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
