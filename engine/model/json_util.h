// Reading JSON files and typed fields with errors that name the file and
// the field.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace mbserve::json_util {

// The whole file, or NotFound naming it.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Parses text, or InvalidArgument naming `source` and the parser's message.
absl::StatusOr<nlohmann::json> Parse(absl::string_view text, absl::string_view source);

// obj[key] as T, or `fallback` when the key is absent or null; a present
// value of the wrong type is an error naming source and key.
template <typename T>
absl::StatusOr<T> Get(const nlohmann::json& obj, absl::string_view source, const char* key,
                      T fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  try {
    return it->template get<T>();
  } catch (const nlohmann::json::exception&) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": field \"", key, "\" has the wrong type (", it->type_name(), ")"));
  }
}

}  // namespace mbserve::json_util
