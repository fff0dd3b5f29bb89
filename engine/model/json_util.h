// Reading JSON files and typed fields with errors that name the file and
// the field. Numbers are never coerced: an integer field must hold a JSON
// integer (not 64.5, not true) within a stated range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace mbserve::json_util {

// The largest JSON file of a model folder mbserve reads (config.json,
// sentence-transformers files, the safetensors index). Real ones are a few
// kilobytes; a generated id2label of 65536 labels is about 2 MB.
inline constexpr uint64_t kMaxJsonFileBytes = 16 << 20;

// The whole regular file, at most kMaxJsonFileBytes (files::ReadRegularFile).
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Parses text, or InvalidArgument naming `source` and the parser's message.
absl::StatusOr<nlohmann::json> Parse(absl::string_view text, absl::string_view source);

// The value as an int64 when it is a JSON integer that fits; nullopt for
// floats, booleans, other types and integers beyond int64.
std::optional<int64_t> AsInt64(const nlohmann::json& value);

// obj[key] as an integer in [min, max], or `fallback` when the key is absent
// or null; anything else is an error naming source, key, value and range.
absl::StatusOr<int> GetInt(const nlohmann::json& obj, absl::string_view source, const char* key,
                           int fallback, int min, int max);

// obj[key] as a float in (greater_than, at_most], or `fallback` when absent
// or null; a non-number, or a value that is out of range or not finite once
// rounded to float, is an error naming source, key and range.
absl::StatusOr<float> GetFloat(const nlohmann::json& obj, absl::string_view source, const char* key,
                               float fallback, double greater_than, double at_most);

// obj[key] as T (a string, a bool, or containers of strings), or `fallback`
// when the key is absent or null; a present value of the wrong type is an
// error naming source and key. Numbers go through GetInt and GetFloat,
// which check ranges.
template <typename T>
absl::StatusOr<T> Get(const nlohmann::json& obj, absl::string_view source, const char* key,
                      T fallback) {
  static_assert(!std::is_arithmetic_v<T> || std::is_same_v<T, bool>,
                "numbers are read with GetInt or GetFloat");
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
