#include "engine/model/json_util.h"

#include <cmath>
#include <limits>

#include "engine/model/files.h"

namespace mbserve::json_util {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  return files::ReadRegularFile(path, kMaxJsonFileBytes);
}

absl::StatusOr<nlohmann::json> Parse(absl::string_view text, absl::string_view source) {
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    // parse_error, and out_of_range for a number beyond double (1e400).
    return absl::InvalidArgumentError(absl::StrCat(source, " is not valid JSON: ", e.what()));
  }
}

std::optional<int64_t> AsInt64(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<int64_t>();
  return std::nullopt;
}

absl::StatusOr<int> GetInt(const nlohmann::json& obj, absl::string_view source, const char* key,
                           int fallback, int min, int max) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  const std::optional<int64_t> value = AsInt64(*it);
  if (!value.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": field \"", key, "\" is ", it->dump(), "; it must be an integer"));
  }
  if (*value < min || *value > max) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": field \"", key, "\" is ", *value,
                                                   "; it must be in [", min, ", ", max, "]"));
  }
  return static_cast<int>(*value);
}

absl::StatusOr<float> GetFloat(const nlohmann::json& obj, absl::string_view source, const char* key,
                               float fallback, double greater_than, double at_most) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  // is_number() excludes booleans.
  if (!it->is_number()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": field \"", key, "\" is ", it->dump(), "; it must be a number"));
  }
  const float value = static_cast<float>(it->get<double>());
  if (!std::isfinite(value) || value <= greater_than || value > at_most) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": field \"", key, "\" is ", it->dump(),
                                                   "; it must be > ", greater_than,
                                                   " and <= ", at_most, " (as a float)"));
  }
  return value;
}

}  // namespace mbserve::json_util
