// Helpers the config.json parsers of every architecture share: errors in one
// wording, and the classification labels.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/model/config.h"
#include "nlohmann/json.hpp"

namespace mbserve::config_internal {

inline constexpr char kSource[] = "config.json";

// Unimplemented: "config.json: unsupported <field> <value>; mbserve supports <allowed>".
absl::Status Unsupported(absl::string_view field, absl::string_view value,
                         absl::string_view allowed);

// InvalidArgument naming the field unless value > 0.
absl::Status CheckPositive(absl::string_view field, int value);

// out.id2label from id2label / num_labels when out.head is a classifier.
absl::Status ParseLabels(const nlohmann::json& config, ModelConfig& out);

}  // namespace mbserve::config_internal
